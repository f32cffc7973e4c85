"""LINE inside the real app: configured from settings, started and stopped with the app."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlmodel import select

from bot.channels import services
from bot.channels.line.service import LineService
from bot.runtime import Runtime
from bot.settings import Settings
from bot.web import create_app
from handlers.messages import Text, to_payload
from models import db, outbox
from models.org import ChannelAccount
from tests.line_harness import SECRET, line_settings, line_user
from tests.standins.line_api import LineApiStandIn, WebhookFactory


def test_line_is_configured_only_with_both_secrets(tmp_path: Path) -> None:
    base = {"PLANBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    neither = Settings(_env_file=None, **base)
    only_secret = Settings(_env_file=None, LINE_CHANNEL_SECRET="s", **base)
    both = Settings(_env_file=None, LINE_CHANNEL_SECRET="s", LINE_CHANNEL_ACCESS_TOKEN="t", **base)
    names = [[s.name for s in services.configured(x)] for x in (neither, only_secret, both)]
    assert [n.count("line") for n in names] == [0, 0, 1]


async def test_the_app_starts_line_answers_a_webhook_and_closes_its_clients(
    tmp_path: Path, line_api: LineApiStandIn
) -> None:
    base = Settings(_env_file=None, PLANBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/a.db")
    settings = line_settings(line_api, base)
    [service] = [s for s in services.configured(settings) if s.name == "line"]
    assert isinstance(service, LineService)
    # its own runtime: the database migrated at start-up, closed at shutdown
    app = create_app(settings, services=[service])
    webhooks = WebhookFactory(SECRET, line_api)
    event = webhooks.text(line_user("app"), "ช่วยเหลือ")
    body = webhooks.body(event)
    async with app.router.lifespan_context(app):
        assert service.running
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.post(
                "/webhooks/line", content=body, headers=webhooks.headers(body)
            )
            assert response.status_code == 200
            await service.drain()
            assert (await client.get("/healthz")).json() == {"status": "ok", "database": "ok"}
    assert not service.running
    assert service.api._client.rest_client.pool_manager.closed
    assert service.api._data_client.rest_client.pool_manager.closed
    [reply] = line_api.replies
    assert reply.body["replyToken"] == event["replyToken"]


async def test_a_turn_that_queues_a_notice_is_noticed(demo: Runtime) -> None:
    """The outbox is swept after a turn only when the turn queued something."""
    async with demo.sessions() as session:
        account = (await session.exec(select(ChannelAccount))).first()
    assert account is not None and account.id is not None
    with outbox.watch() as queued:
        async with db.transaction(demo.sessions) as session:
            await outbox.enqueue(
                session, demo.clock, account.id, to_payload([Text("📋")]), "hint:1"
            )
    assert queued[0]
    with outbox.watch() as quiet:
        async with demo.sessions() as session:
            await session.exec(select(ChannelAccount))
    assert not quiet[0]
    async with db.transaction(demo.sessions) as session:  # outside a watch: nothing to mark
        await outbox.enqueue(session, demo.clock, account.id, to_payload([Text("📋")]), "hint:2")
