"""The web app: /healthz reports the database, /readyz whether work can be taken, /metrics."""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from prometheus_client import REGISTRY
from sqlmodel import select

from bot.runtime import Runtime
from bot.settings import Settings
from bot.web import create_app
from models import db
from models.clock import BANGKOK, FixedClock
from models.org import ChannelAccount

NOW = datetime(2025, 10, 1, 9, 0, tzinfo=BANGKOK)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_healthz_over_http(runtime: Runtime) -> None:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(runtime=runtime), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            response = await client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}
    finally:
        server.should_exit = True
        await task


async def test_healthz_reports_a_dead_database(settings: Settings) -> None:
    broken = Runtime.from_settings(
        settings, database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none"
    )
    app = create_app(runtime=broken)
    transport = httpx.ASGITransport(app=app)
    app.state.runtime = broken
    async with httpx.AsyncClient(transport=transport, base_url="http://planbot") as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    await broken.close()


async def test_serve_runs_the_scheduler_with_the_app(runtime: Runtime) -> None:
    """``planbot serve``'s app: the clock starts with it (leading, jobs registered) and stops."""
    port = free_port()
    app = create_app(runtime=runtime, scheduler=True)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/healthz")).status_code == 200
        clock = app.state.scheduler
        assert clock.leading and clock.aps.running
        assert {job.id for job in clock.aps.get_jobs()} == {
            "leadership",
            "reminders",
            "dispatch",
            "retention",
        }
    finally:
        server.should_exit = True
        await task
    assert not clock.aps.running


# -- /readyz -------------------------------------------------------------------------------


async def readiness(app: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://planbot") as client:
        return await client.get("/readyz")


async def test_readyz_is_ready_with_the_database_writable_and_the_channels_started(
    runtime: Runtime, line_api: Any, settings: Settings
) -> None:
    from bot.channels.line.service import LineService
    from tests.line_harness import line_settings

    service = LineService(line_settings(line_api, settings), poll_interval=3600)
    app = create_app(runtime=runtime, services=[service])
    async with app.router.lifespan_context(app):
        response = await readiness(app)
        assert response.status_code == 200
        assert response.json() == {
            "status": "ready",
            "database": "ok",
            "schema": "ok",
            "channels": "ok",
            "shutdown": "ok",
        }
        await service.stop()  # a channel that stopped: no longer ready
        stopped = await readiness(app)
    assert stopped.status_code == 503
    assert stopped.json()["channels"] == "not running: line"


async def test_readyz_says_503_while_the_database_is_read_only_and_healthz_200(
    database_url: str, settings: Settings
) -> None:
    """The outage of the issue: reads work (so /healthz said 200), every write fails."""
    if db.is_sqlite(database_url):
        path = database_url.split(":///", 1)[1]
        engine = db.make_engine(f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true")
    else:
        engine = db.make_engine(
            database_url,
            connect_args={"server_settings": {"default_transaction_read_only": "on"}},
        )
    read_only = Runtime(settings, engine, db.session_factory(engine), FixedClock(NOW), None)  # type: ignore[arg-type]
    app = create_app(runtime=read_only, services=[])
    app.state.runtime = read_only
    try:
        response = await readiness(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://planbot") as client:
            alive = await client.get("/healthz")
    finally:
        await engine.dispose()
    assert alive.status_code == 200
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready" and body["schema"] == "ok"
    assert "read" in body["database"].lower() and "only" in body["database"].lower()


async def test_readyz_names_a_schema_behind_the_code(tmp_path: Path, settings: Settings) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    await asyncio.to_thread(db.upgrade_url, url, "0005")
    old = Runtime.from_settings(settings, database_url=url)
    app = create_app(runtime=old, services=[])
    app.state.runtime = old
    try:
        response = await readiness(app)
    finally:
        await old.close()
    assert response.status_code == 503
    assert (
        response.json()["schema"] == f"at 0005, code needs {db.head_revision()}: planbot db upgrade"
    )


# -- /metrics ------------------------------------------------------------------------------


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_count_messages_turns_and_read_the_outbox(demo: Runtime, line: Any) -> None:
    from handlers.messages import Text, to_payload
    from models import outbox
    from tests.line_harness import LineChat

    line.app.state.runtime, line.app.state.services = line.runtime, [line.service]
    received = sample("planbot_messages_received_total", channel="line")
    replies = sample("planbot_messages_sent_total", channel="line", kind="reply")
    turns = sample("planbot_turn_seconds_count", channel="line")
    await LineChat(line).say("stranger", "สวัสดี")
    async with db.transaction(demo.sessions) as session:  # a notice that cannot go out yet
        account = (await session.exec(select(ChannelAccount))).first()
        assert account is not None and account.id is not None
        await outbox.enqueue(session, demo.clock, account.id, to_payload([Text("📋")]), "m:1")
    demo.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    logging.getLogger("bot.test").error("one error, counted")
    response = await line.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert sample("planbot_messages_received_total", channel="line") == received + 1
    assert sample("planbot_messages_sent_total", channel="line", kind="reply") == replies + 1
    assert sample("planbot_turn_seconds_count", channel="line") == turns + 1
    assert 'planbot_outbox_pending{channel="console"} 1.0' in text
    assert 'planbot_outbox_oldest_pending_seconds{channel="console"} 300.0' in text
    assert 'planbot_errors_total{logger="bot.test"}' in text
    assert 'planbot_reminders_total{outcome="due"}' in text  # the reminders' hook
    assert "planbot_line_pushes_this_month 0.0" in text


async def test_shutdown_finishes_turns_in_flight_and_leaves_the_rest_pending(
    runtime: Runtime, line_api: Any, settings: Settings
) -> None:
    """Stopping: /readyz says so at once, the turn being handled finishes and is marked
    done, an event still queued behind it stays pending for the next start — nothing lost,
    nothing half done."""
    from bot.channels.line.inbox import DONE, PENDING
    from bot.channels.line.service import LineService
    from models.records import InboxEvent
    from tests.line_harness import SECRET, line_settings, line_user
    from tests.standins.line_api import WebhookFactory

    service = LineService(line_settings(line_api, settings), poll_interval=3600)
    app = create_app(runtime=runtime, services=[service])
    hooks = WebhookFactory(SECRET, line_api)
    user = line_user("busy")
    first, second = hooks.text(user, "ช่วยเหลือ"), hooks.text(user, "สถานะ")
    entered, release = asyncio.Event(), asyncio.Event()
    async with app.router.lifespan_context(app):
        handle = service.engine.handle

        async def held(incoming: Any) -> Any:
            entered.set()
            await release.wait()
            return await handle(incoming)

        service.engine.handle = held  # type: ignore[method-assign]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://planbot") as client:
            for event in (first, second):
                body = hooks.body(event)
                assert (
                    await client.post("/webhooks/line", content=body, headers=hooks.headers(body))
                ).status_code == 200
            await entered.wait()  # the first turn is in flight, the second queued behind it
            stopping = asyncio.create_task(service.stop())
            await asyncio.sleep(0)
            assert (await client.get("/readyz")).json()["channels"] == "not running: line"
            release.set()
            await stopping
    async with runtime.sessions() as session:
        rows = {r.event_id: r.status for r in (await session.exec(select(InboxEvent))).all()}
    assert rows == {first["webhookEventId"]: DONE, second["webhookEventId"]: PENDING}
    [reply] = line_api.replies
    assert reply.body["replyToken"] == first["replyToken"]


async def test_metrics_count_notices_and_reminders_as_the_dispatcher_marks_them(
    demo: Runtime,
) -> None:
    """The reminders' figures: due when the day's pass queues them, sent or failed when the
    dispatcher marks them; every notice sent counts for its channel."""
    from handlers.messages import Text, to_payload
    from models import outbox
    from models.enums import Channel
    from scheduler import dispatch
    from tests.test_outbox import Recorder

    sender = Recorder(failing=frozenset({"c2"}), error=dispatch.Undeliverable)
    sender.channel = Channel.CONSOLE  # type: ignore[misc]
    before = {
        "notices": sample("planbot_messages_sent_total", channel="console", kind="notice"),
        "sent": sample("planbot_reminders_total", outcome="sent"),
        "failed": sample("planbot_reminders_total", outcome="failed"),
    }
    async with db.transaction(demo.sessions) as session:
        accounts = {a.external_id: a.id for a in (await session.exec(select(ChannelAccount))).all()}
        for who, key in (
            ("c1", "r:1:due:2025-10-01:4"),
            ("c2", "r:1:due:2025-10-01:5"),
            ("c3", "n:1"),
        ):
            await outbox.enqueue(session, demo.clock, accounts[who], to_payload([Text("⏰")]), key)
    assert await dispatch.deliver(demo.sessions, demo.clock, sender) == 2
    assert (
        sample("planbot_messages_sent_total", channel="console", kind="notice")
        == before["notices"] + 2
    )
    assert sample("planbot_reminders_total", outcome="sent") == before["sent"] + 1
    assert sample("planbot_reminders_total", outcome="failed") == before["failed"] + 1
