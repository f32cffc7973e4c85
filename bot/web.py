"""The ASGI app: health, readiness and metrics, and the webhooks of the configured platforms.

- ``/healthz`` — alive, and the database answers (a load balancer sees a dead database);
- ``/readyz`` — ready for work: the database takes writes, its schema is the code's, every
  channel has started and the app is not shutting down (503 with the failing check
  otherwise). Before this, ``/healthz`` said 200 while a read-only database made every
  webhook a 503;
- ``/metrics`` — Prometheus' text format (``bot.metrics``).

Shutdown is graceful: uvicorn stops taking connections and lets open requests finish, then
the lifespan marks the app as stopping (``/readyz`` 503) and stops each channel, which lets
turns in flight finish for a few seconds; an event not yet handled stays pending in the
inbox for the next start, and an outbox row is marked sent in the transaction of its send.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot import metrics
from bot.channels import services as channel_services
from bot.channels.services import ChannelService
from bot.runtime import Runtime
from bot.settings import Settings
from scheduler.jobs import Scheduler

READY_TIMEOUT = 3.0  # seconds a readiness check may wait on the database (a busy SQLite)


def create_app(
    settings: Settings | None = None,
    runtime: Runtime | None = None,
    services: list[ChannelService] | None = None,
    *,
    scheduler: bool = False,
) -> FastAPI:
    """Build the app with the configured chat platforms (or the ``services`` given).

    A given runtime is used as is (tests); otherwise one is made at start-up and closed at
    shutdown. ``scheduler`` runs the clock inside the app (``planbot serve``): reminders, and
    the dispatcher waking each platform's delivery loop.
    """
    settings = settings or (runtime.settings if runtime else Settings())
    services = channel_services.configured(settings) if services is None else services

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = runtime is None
        rt = runtime or Runtime.from_settings(settings)
        if own:
            await rt.prepare_database()
        rt.days_off.warm(rt.clock.today())  # not in the first person's turn (see warm)
        app.state.runtime = rt
        app.state.stopping = False
        started: list[ChannelService] = []
        app.state.services = started
        clock: Scheduler | None = None
        try:
            for service in services:
                await service.start(rt)
                started.append(service)
            if scheduler:
                wakers = [wake for s in started if (wake := getattr(s, "wake", None))]
                clock = Scheduler(rt.clockwork(wakers=wakers))
                await clock.start()
                app.state.scheduler = clock
            settle_heap()
            yield
        finally:
            app.state.stopping = True  # /readyz says so while the channels wind down
            if clock is not None:
                await clock.stop()
            for service in reversed(started):
                await service.stop()
            if own:
                await rt.close()

    metrics.count_errors()
    app = FastAPI(title="planbot", lifespan=lifespan)
    app.state.stopping = False
    app.state.services = []
    for service in services:
        if service.router is not None:
            app.include_router(service.router)
    app.include_router(metrics.make_router())

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

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Ready for work: each check ``ok`` or why not; 503 unless all are."""
        state = request.app.state
        checks = {
            "database": await _check(database_writable(state.runtime)),
            "schema": await _check(schema_current(state.runtime)),
            "channels": channels_started(state.services, services),
            "shutdown": "stopping" if state.stopping else "ok",
        }
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", **checks},
            status_code=200 if ready else 503,
        )

    return app


async def _check(work: Any) -> str:
    """``ok``, or the reason in one short line (a check never raises)."""
    try:
        return str(await asyncio.wait_for(work, READY_TIMEOUT))
    except TimeoutError:
        return f"no answer within {READY_TIMEOUT:g} s"
    except Exception as exc:
        reason = getattr(exc, "orig", None) or exc
        return f"{type(reason).__name__}: {str(reason).splitlines()[0][:200]}"


async def database_writable(rt: Runtime) -> str:
    """Write in a transaction that is rolled back: a read-only database fails here (SQLite
    file or mount read-only, PostgreSQL replica or ``default_transaction_read_only``)."""
    async with rt.engine.connect() as connection:
        transaction = await connection.begin()
        try:
            await connection.execute(
                sa.text("UPDATE alembic_version SET version_num = version_num")
            )
        finally:
            await transaction.rollback()
    return "ok"


async def schema_current(rt: Runtime) -> str:
    from models import db

    current, head = await db.current_revision(rt.engine), db.head_revision()
    return "ok" if current == head else f"at {current}, code needs {head}: planbot db upgrade"


def channels_started(started: list[ChannelService], configured: list[ChannelService]) -> str:
    """``ok`` once every configured channel started and still runs."""
    down = [s.name for s in configured if s not in started or not getattr(s, "ready", True)]
    return "ok" if not down else "not running: " + ", ".join(down)


def settle_heap() -> None:
    """Move everything made at start-up out of the garbage collector's sight.

    Modules, the ORM's mappings, the LINE SDK's models and the holiday calendars are a
    quarter of a million objects that live as long as the process; a full collection
    walked them all (about 0.2 s here), holding up every answer in flight. Frozen, they
    are never walked again and full collections only see what requests made.
    """
    gc.collect()
    gc.freeze()
