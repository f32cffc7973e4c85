# planbot's image: Python slim, the locked dependencies only (typst and the Sarabun font come
# as wheels: typst, fontpkg-sarabun), no compilers, not root. ``docker compose up`` runs it
# with PostgreSQL (compose.yaml); ``docker build -t planbot .`` alone gives a bot on SQLite
# in the /var/lib/planbot volume. The ``standin`` target adds the tests' LINE stand-in, for
# compose's ``try`` profile.
ARG PYTHON=3.11

FROM python:${PYTHON}-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/planbot PIP_NO_CACHE_DIR=1
RUN pip install uv
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY bot ./bot
COPY documents ./documents
COPY handlers ./handlers
COPY models ./models
COPY scheduler ./scheduler
RUN uv sync --locked --no-dev --no-editable \
 && /opt/planbot/bin/python -c "import typst, fontpkg_sarabun; import bot.web"
# the stand-in's extra (dev) packages, in a venv of their own
RUN UV_PROJECT_ENVIRONMENT=/opt/standin uv sync --locked --no-editable

FROM python:${PYTHON}-slim AS runtime
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/planbot planbot
COPY --from=build /opt/planbot /opt/planbot
ENV PATH=/opt/planbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PLANBOT_DATABASE_URL=sqlite+aiosqlite:////var/lib/planbot/planbot.db \
    PLANBOT_DOCUMENTS_DIR=/var/lib/planbot/documents
WORKDIR /var/lib/planbot
USER planbot
VOLUME ["/var/lib/planbot"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# SIGTERM: stop taking requests, finish turns in flight, stop the channels (bot/web.py)
STOPSIGNAL SIGTERM
CMD ["planbot", "serve", "--host", "0.0.0.0", "--port", "8000"]

FROM runtime AS standin
COPY --from=build /opt/standin /opt/standin
COPY --chown=planbot tests /opt/standin-src/tests
ENV PATH=/opt/standin/bin:$PATH PYTHONPATH=/opt/standin-src
WORKDIR /opt/standin-src
CMD ["python", "-m", "tests.standins.line_chat", "serve"]
