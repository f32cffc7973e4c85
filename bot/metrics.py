"""``GET /metrics``: what planbot is doing, in Prometheus' text format (prometheus-client).

Counted as it happens (the default registry): messages received and sent per channel and
the turn-latency histogram (``handlers.metrics``), reminders due/sent/failed
(``scheduler.metrics``), and errors — every ERROR line any logger writes, by logger, so no
failure path needs its own counter. Read from the database at each scrape: the outbox's
depth and the age of its oldest pending notice per channel, notices given up on, LINE
events waiting in the inbox, and this month's LINE pushes against the quota.

One process, one registry: with several web workers, scrape each (or run one worker and
scale out with processes behind the proxy, each scraped).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, generate_latest

import handlers.metrics  # noqa: F401 — the engine's counters, registered
import scheduler.metrics  # noqa: F401 — the reminders' counters, registered
from models.enums import Channel, OutboxStatus
from models.org import ChannelAccount
from models.records import InboxEvent, OutboundMessage

ERRORS = Counter("planbot_errors_total", "ERROR lines written, per logger.", ["logger"])
OUTBOX_PENDING = Gauge(
    "planbot_outbox_pending", "Notices waiting in the outbox, per channel.", ["channel"]
)
OUTBOX_OLDEST = Gauge(
    "planbot_outbox_oldest_pending_seconds",
    "Age of the oldest notice waiting in the outbox, per channel (0 when none).",
    ["channel"],
)
OUTBOX_FAILED = Gauge(
    "planbot_outbox_failed", "Notices given up on (kept for the operator).", ["channel"]
)
INBOX_PENDING = Gauge("planbot_inbox_pending", "LINE events stored but not yet handled.")
LINE_PUSHES = Gauge(
    "planbot_line_pushes_this_month", "LINE pushes counted against this month's quota."
)
LINE_QUOTA = Gauge(
    "planbot_line_push_quota", "LINE's monthly push quota (absent until LINE has said)."
)


class ErrorCounter(logging.Handler):
    """Counts ERROR (and worse) records by logger: the errors figure of ``/metrics``."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.set_name("planbot-metrics")

    def emit(self, record: logging.LogRecord) -> None:
        ERRORS.labels(record.name).inc()


def count_errors() -> None:
    """Install the error counter on the root logger, once per process."""
    root = logging.getLogger()
    if not any(h.get_name() == "planbot-metrics" for h in root.handlers):
        root.addHandler(ErrorCounter())


async def refresh(runtime: Any, services: Iterable[Any]) -> None:
    """Read the database's figures into the gauges (at each scrape)."""
    now = runtime.clock.now()
    outbox, accounts = OutboundMessage.__table__, ChannelAccount.__table__  # type: ignore[attr-defined]
    inbox = InboxEvent.__table__  # type: ignore[attr-defined]
    by_channel = (
        sa.select(
            accounts.c.channel,
            outbox.c.status,
            sa.func.count(),
            sa.func.min(outbox.c.created_at),
        )
        .join(accounts, accounts.c.id == outbox.c.account_id)
        .where(outbox.c.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]))
        .group_by(accounts.c.channel, outbox.c.status)
    )
    waiting = sa.select(sa.func.count()).where(inbox.c.status == "pending")
    async with runtime.engine.connect() as connection:
        rows = (await connection.execute(by_channel)).all()
        inbox_pending = (await connection.execute(waiting)).scalar_one()
    for channel in Channel:
        OUTBOX_PENDING.labels(channel.value).set(0)
        OUTBOX_OLDEST.labels(channel.value).set(0)
        OUTBOX_FAILED.labels(channel.value).set(0)
    for channel, status, count, oldest in rows:
        name = Channel(channel).value
        if OutboxStatus(status) is OutboxStatus.FAILED:
            OUTBOX_FAILED.labels(name).set(count)
            continue
        OUTBOX_PENDING.labels(name).set(count)
        if oldest is not None:
            OUTBOX_OLDEST.labels(name).set(max(0.0, (now - _aware(oldest)).total_seconds()))
    INBOX_PENDING.set(inbox_pending)
    for service in services:
        quota = getattr(service, "quota", None)
        if quota is None:
            continue
        from bot.channels.line.quota import pushes_this_month

        LINE_PUSHES.set(quota.used(await pushes_this_month(runtime.sessions, runtime.clock)))
        if quota.limit is not None:
            LINE_QUOTA.set(quota.limit)


def _aware(moment: Any) -> Any:
    """A timestamp read by Core (no ORM type on an aggregate): SQLite's comes back naive."""
    from datetime import UTC, datetime

    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def make_router() -> APIRouter:
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        state = request.app.state
        try:
            await refresh(state.runtime, getattr(state, "services", []))
        except Exception:  # the counters are still worth serving with the database down
            logging.getLogger(__name__).exception("metrics: database figures not read")
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router
