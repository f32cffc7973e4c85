"""The ASGI app: health check, and the webhooks of the configured chat platforms."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot.channels import services as channel_services
from bot.channels.services import ChannelService
from bot.runtime import Runtime
from bot.settings import Settings
from scheduler.jobs import Scheduler


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
        started: list[ChannelService] = []
        try:
            for service in services:
                await service.start(rt)
                started.append(service)
            clock = None
            if scheduler:
                wakers = [wake for s in started if (wake := getattr(s, "wake", None))]
                clock = Scheduler(rt.clockwork(wakers=wakers))
                await clock.start()
                app.state.scheduler = clock
            settle_heap()
            yield
        finally:
            if scheduler and clock is not None:
                await clock.stop()
            for service in reversed(started):
                await service.stop()
            if own:
                await rt.close()

    app = FastAPI(title="planbot", lifespan=lifespan)
    for service in services:
        if service.router is not None:
            app.include_router(service.router)

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


def settle_heap() -> None:
    """Move everything made at start-up out of the garbage collector's sight.

    Modules, the ORM's mappings, the LINE SDK's models and the holiday calendars are a
    quarter of a million objects that live as long as the process; a full collection
    walked them all (about 0.2 s here), holding up every answer in flight. Frozen, they
    are never walked again and full collections only see what requests made.
    """
    gc.collect()
    gc.freeze()
