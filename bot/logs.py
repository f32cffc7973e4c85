"""Logging for ``planbot serve`` and the CLI: one format, JSON when asked, nothing secret.

Before this, only uvicorn's level was set: planbot's own INFO lines never appeared and
warnings came without level or time. ``configure`` puts one handler on the root logger, so
planbot's loggers, uvicorn's and the libraries' all come out the same way:

- text (the default): ``2026-01-05 08:30:00,123 INFO handlers.engine [event=… channel=line
  org=1] message``; ``PLANBOT_LOG_FORMAT=json`` gives one JSON object a line, with ``event``,
  ``channel`` and ``org`` as fields (python-json-logger), for a log collector;
- every line of a turn names its event, channel and organization (``models.logcontext``);
- what must never reach a log is removed from the finished line, whoever wrote it: the
  configured secrets (tokens, channel and link secrets, a database password) and the signed
  part of document links (``/d/…``). Message texts are not logged by planbot's code in the
  first place; the libraries that would (python-telegram-bot and httpx write request
  parameters at DEBUG) are held at INFO and WARNING whatever the level.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import Any

from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.engine import make_url

from bot.settings import LogFormat, Settings
from models import logcontext

TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s [event=%(event)s channel=%(channel)s org=%(org)s]"
    " %(message)s"
)
JSON_FIELDS = ("asctime", "levelname", "name", "event", "channel", "org", "message")
# libraries whose DEBUG lines carry message texts or statement parameters: never below these
QUIET = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiosqlite": logging.INFO,
}
HIDDEN = "***"
SIGNED_LINK = re.compile(r"/d/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")


class TurnContext(logging.Filter):
    """Give every record the turn's event, channel and org (``-`` outside a turn)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in logcontext.current().items():
            if not hasattr(record, name):
                setattr(record, name, value or "-")
        return True


class Redactor:
    """Removes secrets and signed link tokens from a finished log line."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # longest first, so a secret containing another is hidden whole
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def __call__(self, line: str) -> str:
        for secret in self.secrets:
            line = line.replace(secret, HIDDEN)
        return SIGNED_LINK.sub("/d/" + HIDDEN, line)


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__(TEXT_FORMAT)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JsonLineFormatter(JsonFormatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__(list(JSON_FIELDS), json_ensure_ascii=False)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value the settings hold, and the database URL's password."""
    found = [
        value.get_secret_value()
        for value in settings.__dict__.values()
        if hasattr(value, "get_secret_value") and value.get_secret_value()
    ]
    password = make_url(settings.database_url).password
    if password:
        found.append(str(password))
    return found


def configure(settings: Settings, *, stream: Any = None) -> logging.Handler:
    """Install the one handler on the root logger (replacing any earlier one of ours)."""
    redact = Redactor(secrets_of(settings))
    formatter: logging.Formatter = (
        JsonLineFormatter(redact)
        if settings.log_format is LogFormat.JSON
        else TextFormatter(redact)
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name("planbot")
    handler.setFormatter(formatter)
    handler.addFilter(TurnContext())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "planbot"]:
        root.removeHandler(old)
    root.addHandler(handler)
    level = logging.getLevelName(settings.log_level.upper())
    root.setLevel(level if isinstance(level, int) else logging.INFO)
    for name, floor in QUIET.items():
        logging.getLogger(name).setLevel(max(floor, root.level))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # through ours, not theirs
        uvicorn_log = logging.getLogger(name)
        uvicorn_log.handlers.clear()
        uvicorn_log.propagate = True
    return handler
