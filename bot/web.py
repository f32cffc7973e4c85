"""The ASGI app: health check now; LINE and Telegram webhooks and document links plug in later."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot.runtime import Runtime
from bot.settings import Settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the app; a given runtime is used as is (tests), otherwise one is made at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = runtime is None
        rt = runtime or Runtime.from_settings(settings or Settings())
        if own:
            await rt.prepare_database()
        app.state.runtime = rt
        try:
            yield
        finally:
            if own:
                await rt.close()

    app = FastAPI(title="planbot", lifespan=lifespan)

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        """Liveness plus a database round trip, so a load balancer sees a dead database."""
        rt: Runtime = request.app.state.runtime
        try:
            async with rt.engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
        except Exception as exc:  # report, don't crash: this endpoint is how outages are seen
            return JSONResponse({"status": "error", "database": str(exc)[:200]}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return app
