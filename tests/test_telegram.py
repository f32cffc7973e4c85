"""Telegram, end to end: the real python-telegram-bot against the stand-in Bot API over HTTP.

Every request the bot makes is checked against the published Bot API description (the
``telegram_api`` fixture fails the test otherwise). The conversations run in both modes:
long polling (the service's own loop asks the stand-in for updates) and webhook (the
FastAPI app served by uvicorn, updates POSTed with the secret header).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import Result
from sqlmodel import func, select
from telegram import Update
from telegram.ext import ExtBot
from typer.testing import CliRunner

from bot import cli
from bot.channels.services import configured
from bot.channels.telegram.committee import group_account, mirror_committee_notices
from bot.channels.telegram.events import Event, Me, to_event
from bot.channels.telegram.limits import ChatRateLimiter
from bot.channels.telegram.render import button_rows, split_lines, visible_width
from bot.channels.telegram.service import TelegramService
from bot.channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH, TelegramSettingsError
from bot.runtime import Runtime
from bot.settings import Settings
from bot.web import create_app
from handlers.messages import Button, Card, Document, Link, Text, to_payload
from models import db, outbox
from models.enums import Channel, ProjectStatus, Role, VoteDecision
from models.invites import create_invite
from models.org import ChannelAccount, Organization, Person
from models.plan import Project, Vote
from models.records import AuditEvent, OutboundMessage, ProcessedEvent
from tests.chat import RecordingDriver, TelegramDriver
from tests.flows import accept_all, add_projects, make_draft, open_fy_round, propose, submit
from tests.standins.telegram_api import (
    BOT_ID,
    BOT_USERNAME,
    TOKEN,
    TelegramStandIn,
    TgUser,
    group_chat,
)

SECRET = "s3cret_Webhook-token"
PUBLIC_URL = "https://planbot.example.go.th"
WAIT = 10.0  # seconds: the bound on every wait for the bot


def telegram_settings(base: Settings, api: TelegramStandIn, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "PLANBOT_DATABASE_URL": base.database_url,
        "PLANBOT_PUBLIC_URL": PUBLIC_URL,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def no_chat_limit() -> ChatRateLimiter:
    """Telegram's overall and group limits, not the per-chat one (flows send many in a row)."""
    return ChatRateLimiter(rate=0)


@dataclass
class Bot:
    """A running Telegram bot in one mode, the stand-in it talks to, and a driver for it."""

    mode: str
    service: TelegramService
    api: TelegramStandIn
    chat: TelegramDriver
    url: str = ""  # the web app's base URL (webhook mode)


@contextlib.asynccontextmanager
async def polling_bot(
    rt: Runtime, api: TelegramStandIn, settings: Settings, **env: Any
) -> AsyncIterator[Bot]:
    """The service in long-polling mode; an update is done when the next poll confirms it."""
    service = TelegramService(
        telegram_settings(settings, api, TELEGRAM_MODE="polling", **env),
        rate_limiter=no_chat_limit(),
        poll_timeout=2,
    )
    await service.start(rt)

    async def deliver(update: dict[str, Any]) -> None:
        update_id = await api.push(update)
        await api.wait_confirmed(update_id, WAIT)

    try:
        yield Bot("polling", service, api, TelegramDriver(api, deliver))
    finally:
        await service.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def webhook_bot(
    rt: Runtime, api: TelegramStandIn, settings: Settings, **env: Any
) -> AsyncIterator[Bot]:
    """The web app with the service in webhook mode, over real HTTP; the POST is the turn."""
    service = TelegramService(
        telegram_settings(settings, api, TELEGRAM_MODE="webhook", **env),
        rate_limiter=no_chat_limit(),
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(runtime=rt, services=[service]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    task = asyncio.create_task(server.serve())
    url = f"http://127.0.0.1:{port}"
    async with asyncio.timeout(WAIT):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)

    async def deliver(update: dict[str, Any]) -> None:
        api.check_update(update)
        async with httpx.AsyncClient(base_url=url, timeout=WAIT) as client:
            response = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
        assert response.status_code == 200, response.text

    try:
        yield Bot("webhook", service, api, TelegramDriver(api, deliver), url)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, WAIT)


@contextlib.asynccontextmanager
async def running_bot(
    mode: str, rt: Runtime, api: TelegramStandIn, settings: Settings, **env: Any
) -> AsyncIterator[Bot]:
    starter = polling_bot if mode == "polling" else webhook_bot
    async with starter(rt, api, settings, **env) as bot:
        yield bot


@pytest.fixture(params=["polling", "webhook"])
async def telegram(
    request: pytest.FixtureRequest, demo: Runtime, telegram_api: TelegramStandIn, settings: Settings
) -> AsyncIterator[Bot]:
    """A Telegram bot over the demo org, once per mode."""
    async with running_bot(request.param, demo, telegram_api, settings) as bot:
        yield bot


# -- helpers ------------------------------------------------------------------------------


async def demo_org_id(rt: Runtime) -> int:
    async with rt.sessions() as session:
        org = (await session.exec(select(Organization).where(Organization.name == "หนองแวง"))).one()
        assert org.id is not None
        return org.id


async def invite_code(rt: Runtime, role: Role, unit: str | None = None) -> str:
    org_id = await demo_org_id(rt)
    async with db.transaction(rt.sessions) as session:
        invite = await create_invite(session, rt.clock, org_id=org_id, role=role, unit=unit)
        return invite.code


async def link_telegram(rt: Runtime, handle: str, user_id: int) -> None:
    """Give a demo person (by console name) a Telegram account too, as if they had joined."""
    async with db.transaction(rt.sessions) as session:
        console = (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == handle))
        ).one()
        session.add(
            ChannelAccount(
                channel=Channel.TELEGRAM,
                external_id=str(user_id),
                person_id=console.person_id,
                display_name=handle,
                created_at=rt.clock.now(),
            )
        )


async def processed_events(rt: Runtime) -> int:
    async with rt.sessions() as session:
        found = await session.exec(
            select(func.count()).where(ProcessedEvent.channel == Channel.TELEGRAM)
        )
        return int(found.one())


# -- the acceptance path, in both modes ---------------------------------------------------


async def test_join_by_deep_link_submit_and_status(telegram: Bot, demo: Runtime) -> None:
    api, chat = telegram.api, telegram.chat
    s1 = api.user(6_000_001, "ธนพล")  # the support committee's chair reads notices here
    await link_telegram(demo, "s1", s1.id)
    code = await invite_code(demo, Role.SUBMITTER, unit="กองช่าง")

    # https://t.me/planbot_test_bot?start=CODE opens the chat with "/start CODE"
    out = await chat.say("somchai", f"/start {code}")
    assert "ลงทะเบียนเข้าร่วม อบต.หนองแวง ในฐานะผู้เสนอโครงการ" in out
    assert "ขั้นที่ 1/2 ชื่อ-นามสกุล" in out
    assert chat.buttons("somchai")[0] == "Somchai Tester"  # the Telegram name, offered
    asked, _data = chat.find_button(chat.user("somchai").id, "Somchai Tester")
    out = await chat.press("somchai", "Somchai Tester")
    assert "ขั้นที่ 2/2" in out
    assert "reply_markup" not in asked  # the pressed keyboard was retired …
    assert [c.params["message_id"] for c in api.called("editMessageReplyMarkup")] == [
        asked["message_id"]  # … with editMessageReplyMarkup
    ]
    assert all(c.status == 200 for c in api.called("answerCallbackQuery"))  # spinner stopped
    await chat.say("somchai", "ผู้อำนวยการกองช่าง")
    out = await chat.press("somchai", "ยืนยัน")
    assert "✅ เข้าร่วม อบต.หนองแวง ในฐานะผู้เสนอโครงการแล้ว" in out

    await open_fy_round(demo)
    out = await submit(chat, "somchai")
    assert "✅ ส่งแล้ว เลขที่ 2569-001" in out

    async with demo.sessions() as session:
        project = (await session.exec(select(Project))).one()
        person = await session.get(Person, project.submitted_by_id)
        audit = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "project.submit"))
        ).first()
    assert project.status == ProjectStatus.SUBMITTED
    assert person is not None and person.name == "Somchai Tester"
    assert audit is not None and audit.channel == Channel.TELEGRAM

    # the support committee's notice (the hour's submissions, gathered) goes out to s1's
    # Telegram chat at the hour's end, with its button
    assert api.sent(s1.id) == []
    demo.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    await telegram.service.deliver_notices()
    notice = await api.wait_for(lambda: api.sent(s1.id), WAIT)
    assert "โครงการเข้ามาใหม่ 1 รายการ" in notice[0].params["text"]
    assert "2569-001" in notice[0].params["text"]

    out = await chat.say("somchai", "/status")
    assert "รอตรวจ 1" in out
    # one ProcessedEvent per update the engine handled: every one was recorded first
    assert await processed_events(demo) >= 15


async def test_photos_and_documents_reach_the_form(telegram: Bot, demo: Runtime) -> None:
    api, chat = telegram.api, telegram.chat
    code = await invite_code(demo, Role.SUBMITTER, unit="กองช่าง")
    await chat.say("somchai", f"/start {code}")
    user = chat.user("somchai")
    photo = [{"file_id": "ph1", "file_unique_id": "u1", "width": 90, "height": 90}]
    out = await chat.send(api.message_update(user, photo=photo), user.id)
    assert "ขั้นนี้ต้องการคำตอบเป็นข้อความ" in out
    assert "ขั้นที่ 1/2" in out  # and the question again
    document = {"file_id": "doc1", "file_unique_id": "u2", "file_name": "โครงการ.pdf"}
    out = await chat.send(api.message_update(user, document=document), user.id)
    assert "ขั้นที่ 1/2" in out


# -- webhook: secrets, repeats, updates planbot does not use ------------------------------


async def test_webhook_refuses_a_missing_or_wrong_secret(
    demo: Runtime, telegram_api: TelegramStandIn, settings: Settings
) -> None:
    async with webhook_bot(demo, telegram_api, settings) as bot:
        update = telegram_api.message_update(telegram_api.user(7_100_001, "x"), "/help")
        async with httpx.AsyncClient(base_url=bot.url, timeout=WAIT) as client:
            missing = await client.post(WEBHOOK_PATH, json=update)
            wrong = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: "nope"})
            near = await client.post(
                WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET + "x"}
            )
    assert (missing.status_code, wrong.status_code, near.status_code) == (401, 403, 403)
    assert telegram_api.sent() == []
    assert await processed_events(demo) == 0


async def test_webhook_refuses_huge_and_deeply_nested_bodies_with_a_4xx(
    demo: Runtime, telegram_api: TelegramStandIn, settings: Settings
) -> None:
    """Telegram's webhook read bodies of any size; now over 1 MB is 413, and JSON nested
    absurdly deep (RecursionError in the decoder) is 400 — never a 500."""
    headers = {SECRET_HEADER: SECRET, "content-type": "application/json"}
    levels = 100_000
    nested = b'{"update_id": 1, "message": ' + b"[" * levels + b"]" * levels + b"}"
    shallow_nested = b'{"update_id": 2, "x": ' + b"[" * 50 + b"]" * 50 + b"}"
    async with (
        webhook_bot(demo, telegram_api, settings) as bot,
        httpx.AsyncClient(base_url=bot.url, timeout=WAIT) as client,
    ):
        huge = await client.post(WEBHOOK_PATH, content=b" " * (2 << 20), headers=headers)
        deep = await client.post(WEBHOOK_PATH, content=nested, headers=headers)
        shallow = await client.post(WEBHOOK_PATH, content=shallow_nested, headers=headers)
    assert (huge.status_code, deep.status_code, shallow.status_code) == (413, 400, 400)
    assert await processed_events(demo) == 0


async def test_a_repeated_update_is_acknowledged_and_ignored(telegram: Bot, demo: Runtime) -> None:
    api, chat = telegram.api, telegram.chat
    user = chat.user("somchai")
    update = api.message_update(user, "/help")
    first = await chat.send(update, user.id)
    assert "เข้าร่วม" in first
    again = await chat.send(update, user.id)  # Telegram sends it again (no 200 seen, a crash)
    assert again == ""
    assert len(api.sent(user.id)) == 1
    assert await processed_events(demo) == 1


async def test_a_repeated_button_press_acts_once(telegram: Bot, demo: Runtime) -> None:
    api, chat = telegram.api, telegram.chat
    code = await invite_code(demo, Role.SUBMITTER)
    await chat.say("somchai", f"/start {code}")
    user = chat.user("somchai")
    message, data = chat.find_button(user.id, "Somchai Tester")
    press = api.callback_update(user, message, data)
    out = await chat.send(press, user.id)
    assert "ขั้นที่ 2/2" in out
    edits = len(api.called("editMessageReplyMarkup"))
    assert await chat.send(press, user.id) == ""
    assert len(api.called("editMessageReplyMarkup")) == edits  # not retired twice


UNUSED_UPDATES = {
    "edited_channel_post": {
        "message_id": 5,
        "date": 1_760_000_000,
        "edit_date": 1_760_000_100,
        "chat": {"id": -1009, "type": "channel", "title": "ข่าว อบต."},
        "text": "แก้ไขประกาศ",
    },
    "poll": {
        "id": "poll1",
        "question": "ประชุมวันไหนดี",
        "options": [
            {"text": "จันทร์", "voter_count": 1, "persistent_id": "a"},
            {"text": "อังคาร", "voter_count": 0, "persistent_id": "b"},
        ],
        "total_voter_count": 1,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    },
    "message_reaction": {
        "chat": {"id": 7_000_001, "type": "private", "first_name": "Somchai"},
        "message_id": 3,
        "user": {"id": 7_000_001, "is_bot": False, "first_name": "Somchai"},
        "date": 1_760_000_000,
        "old_reaction": [],
        "new_reaction": [{"type": "emoji", "emoji": "👍"}],
    },
    "edited_message": {
        "message_id": 6,
        "date": 1_760_000_000,
        "edit_date": 1_760_000_100,
        "chat": {"id": 7_000_001, "type": "private", "first_name": "Somchai"},
        "from": {"id": 7_000_001, "is_bot": False, "first_name": "Somchai"},
        "text": "/status",
    },
}


async def test_updates_planbot_does_not_use_are_acknowledged(
    telegram: Bot, demo: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    api, chat = telegram.api, telegram.chat
    with caplog.at_level(logging.WARNING):
        for kind, payload in UNUSED_UPDATES.items():
            update = api.other_update(kind, payload)
            assert await chat.send(update, 7_000_001) == ""
            assert await chat.send(update, 7_000_001) == ""  # and again: still nothing
    assert api.sent() == []
    assert await processed_events(demo) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    # the bot still answers afterwards
    assert "เข้าร่วม" in await chat.say("somchai", "/help")


# -- one failing update never stops the bot -----------------------------------------------


async def test_a_failing_update_is_logged_with_its_id_and_the_next_is_handled(
    demo: Runtime,
    telegram_api: TelegramStandIn,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with polling_bot(demo, telegram_api, settings) as bot:
        user = bot.chat.user("somchai")
        telegram_api.fail_next("sendMessage", 400, "Bad Request: something unexpected")
        failing = telegram_api.message_update(user, "/help")
        with caplog.at_level(logging.ERROR):
            assert await bot.chat.send(failing, user.id) == ""
        failed = [r for r in caplog.records if "Telegram update" in r.getMessage()]
        assert [r.getMessage() for r in failed] == [
            f"Telegram update {failing['update_id']} failed"
        ]
        assert "เข้าร่วม" in await bot.chat.say("somchai", "/help")


async def test_polling_survives_telegram_being_down_for_a_moment(
    demo: Runtime, telegram_api: TelegramStandIn, settings: Settings
) -> None:
    async with polling_bot(demo, telegram_api, settings) as bot:
        telegram_api.fail_next("getUpdates", 502, "Bad Gateway")
        assert "เข้าร่วม" in await bot.chat.say("somchai", "/help")


# -- groups: a committee's working group --------------------------------------------------

GROUP_ID = -1001234567890


async def test_group_commands_need_addressing_and_chatter_is_left_alone(
    demo: Runtime, telegram_api: TelegramStandIn, settings: Settings
) -> None:
    async with polling_bot(demo, telegram_api, settings) as bot:
        api, chat = telegram_api, bot.chat
        group = api.group(GROUP_ID)
        await link_telegram(demo, "c1", chat.user("c1").id)
        me = {"id": BOT_ID, "is_bot": True, "first_name": "planbot", "username": BOT_USERNAME}
        added = api.message_update(chat.user("c1"), chat=group, new_chat_members=[me])
        out = await chat.send(added, GROUP_ID)  # the operator learns the group's id
        assert f"รหัสกลุ่มนี้คือ {GROUP_ID}" in out
        assert await chat.send(added, GROUP_ID) == ""  # a redelivery is not said twice
        out = await chat.say("c1", f"/status@{BOT_USERNAME}", chat=group)
        assert "📋 อบต.หนองแวง: ยังไม่มีรอบการจัดทำแผน" in out  # answered in the group
        assert await chat.say("c1", "/status@some_other_bot", chat=group) == ""
        assert await chat.say("c1", "สวัสดีครับ ประชุมกี่โมง", chat=group) == ""
        assert "ยังไม่มีรอบ" in await chat.say("c1", f"@{BOT_USERNAME} สถานะ", chat=group)
        # a reply to the bot's own message is meant for it
        ours = api.sent(GROUP_ID)[-1].result
        user = chat.user("c1")
        reply = api.message_update(user, "ช่วยเหลือ", chat=group, reply_to=ours)
        assert "คำสั่ง" in await chat.send(reply, GROUP_ID)
        # an anonymous admin is nobody planbot knows: ignored
        anonymous = api.message_update(user, "/status", chat=group, sender_chat=group)
        assert await chat.send(anonymous, GROUP_ID) == ""


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_the_committee_votes_by_button_in_private_and_in_the_group(
    mode: str, demo: Runtime, telegram_api: TelegramStandIn, settings: Settings
) -> None:
    """A draft proposed to the committee reaches members' chats and the group; each press
    is the presser's own vote, and the group's buttons stay for the others."""
    api = telegram_api
    api.group(GROUP_ID)
    group_env = {"TELEGRAM_COMMITTEE_CHAT_ID": str(GROUP_ID)}
    async with running_bot(mode, demo, api, settings, **group_env) as bot:
        chat = bot.chat
        c1, c2 = chat.user("c1"), chat.user("c2")
        await link_telegram(demo, "c1", c1.id)
        await link_telegram(demo, "c2", c2.id)

        console = RecordingDriver(demo)  # the officers work in the console meanwhile
        edition_id = await open_fy_round(demo)
        await add_projects(demo, edition_id, [150_000, 80_000])
        await accept_all(console, "s1")
        await make_draft(console, "officer")
        assert "เสนอร่างที่ 1" in await propose(console, "officer")
        await bot.service.deliver_notices()

        # each notice is the vote card, then ดูร่าง (the phone page) and the PDF as files
        for chat_id in (c1.id, c2.id, GROUP_ID):
            sent = await api.wait_for(lambda c=chat_id: len(api.sent(c)) >= 3 and api.sent(c), WAIT)
            card = sent[0].params
            assert "เห็นชอบ" in card["reply_markup"]["inline_keyboard"][0][0]["text"]
            assert [m.method for m in sent[1:]] == ["sendDocument", "sendDocument"]
        assert len(api.sent(GROUP_ID)) == 3  # once for the committee, not once per member

        asked, _data = chat.find_button(c1.id, "เห็นชอบ")
        out = await chat.press("c1", "เห็นชอบ")  # in c1's private chat
        assert "บันทึกความเห็น “เห็นชอบ” แล้ว" in out
        assert "reply_markup" not in asked  # retired (the answer has its own buttons)

        out = await chat.press("c2", "เห็นชอบ", chat_id=GROUP_ID)  # in the group
        assert "บันทึกความเห็น “เห็นชอบ” แล้ว" in out  # answered in c2's private chat
        assert "เห็นชอบ" in chat.buttons_in(GROUP_ID)  # the group's buttons stay
        toast = api.called("answerCallbackQuery")[-1].params
        assert toast["text"].startswith("บันทึกความเห็น")

        # someone in the group who is not a member: no vote, told so privately
        stranger = api.user(7_999_999, "ผู้สังเกตการณ์")
        message, data = chat.find_button(GROUP_ID, "เห็นชอบ")
        out = await chat.send(api.callback_update(stranger, message, data), stranger.id)
        assert "สำหรับคณะกรรมการพัฒนาฯ" in out and "ไม่มีข้อมูลใดถูกบันทึก" in out

    async with demo.sessions() as session:
        votes = (await session.exec(select(Vote, Person).join(Person))).all()
    assert sorted((p.name, v.decision) for v, p in votes) == [
        ("นางมาลี ทองดี", VoteDecision.APPROVE),
        ("นายสมศักดิ์ บุญเรือง", VoteDecision.APPROVE),
    ]


async def test_only_notices_to_the_whole_committee_go_to_the_group(demo: Runtime) -> None:
    group = await group_account(demo.sessions, demo.clock, GROUP_ID)
    async with db.transaction(demo.sessions) as session:
        ids = {a.external_id: a.id for a in (await session.exec(select(ChannelAccount))).all()}
        for handle in ("c1", "c2", "c3"):
            await outbox.enqueue(
                session,
                demo.clock,
                ids[handle],
                to_payload([Text("ร่าง")]),
                f"review:1:{ids[handle]}",
            )
        await outbox.enqueue(  # a personal notice to one member
            session, demo.clock, ids["c1"], to_payload([Text("ของท่าน")]), f"returned:9:{ids['c1']}"
        )
        await outbox.enqueue(  # the same key shape, but to the support committee
            session, demo.clock, ids["s1"], to_payload([Text("s")]), f"screen:1:{ids['s1']}"
        )
        await outbox.enqueue(
            session, demo.clock, ids["s2"], to_payload([Text("s")]), f"screen:1:{ids['s2']}"
        )
    assert await mirror_committee_notices(demo.sessions, demo.clock, group) == 1
    assert await mirror_committee_notices(demo.sessions, demo.clock, group) == 0  # once
    async with demo.sessions() as session:
        rows = (
            await session.exec(select(OutboundMessage).where(OutboundMessage.account_id == group))
        ).all()
    assert [r.dedupe_key for r in rows] == ["review:1:tg-committee"]
    assert await group_account(demo.sessions, demo.clock, GROUP_ID) == group


# -- what the bot sends, as Telegram shows it ---------------------------------------------


async def test_cards_files_links_and_long_texts(
    demo: Runtime, telegram_api: TelegramStandIn, settings: Settings, tmp_path: Path
) -> None:
    api = telegram_api
    user = api.user(7_200_001, "สมชาย")
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4 planbot")
    png = tmp_path / "x.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    async with polling_bot(demo, api, settings) as bot:
        channel = bot.service.channel
        await channel.send(
            str(user.id),
            [
                Card(
                    "ถนน <คสล.> & ท่อ",
                    (("งบประมาณ", "1,500,000 บาท"), ("ชื่อ", "<b>ไม่ใช่แท็ก</b>")),
                    (Button("ยืนยันส่ง", "1|f|3|confirm"), Button("แก้ไข", "1|f|3|edit")),
                    footer="หมายเหตุ: a < b",
                ),
                Document(str(pdf), "ผด.02 ร่างที่ 1.pdf", caption="ร่างแผน <ร่างที่ 1>"),
                Document(str(png), "หน้างาน.png"),
                Link("เปิดร่างแผน (PDF)", "https://planbot.example.go.th/d/abc", "📎 ร่างแผน"),
                Text("ก" * 5000 + "\n" + "ข" * 10),
            ],
        )
    calls = api.sent(user.id)
    assert [c.method for c in calls] == [
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMessage",
        "sendMessage",
        "sendMessage",
    ]
    card = calls[0].params
    assert card["parse_mode"] == "HTML"
    assert card["text"].startswith("<b>ถนน &lt;คสล.&gt; &amp; ท่อ</b>\n")
    assert "ชื่อ: &lt;b&gt;ไม่ใช่แท็ก&lt;/b&gt;" in card["text"]
    assert card["reply_markup"]["inline_keyboard"] == [
        [
            {"text": "ยืนยันส่ง", "callback_data": "1|f|3|confirm"},
            {"text": "แก้ไข", "callback_data": "1|f|3|edit"},
        ]
    ]
    document = calls[1].params
    assert document["document"].filename == "ผด.02 ร่างที่ 1.pdf"
    assert document["document"].content == b"%PDF-1.4 planbot"
    assert document["caption"] == "ร่างแผน &lt;ร่างที่ 1&gt;"
    assert calls[2].params["photo"].filename == "หน้างาน.png"
    link = calls[3].params["reply_markup"]["inline_keyboard"]
    assert link == [[{"text": "เปิดร่างแผน (PDF)", "url": "https://planbot.example.go.th/d/abc"}]]
    assert [len(c.params["text"]) for c in calls[4:]] == [4096, 904 + 1 + 10]


# -- limits -------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_retry_after_is_honoured(
    demo: Runtime,
    telegram_api: TelegramStandIn,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = telegram_api
    user = api.user(7_300_001, "สมชาย")
    async with polling_bot(demo, api, settings) as bot:
        api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        with caplog.at_level(logging.INFO, logger="telegram.ext.AIORateLimiter"):
            await bot.service.channel.send(str(user.id), [Text("ทดสอบ")])
    assert [c.status for c in api.called("sendMessage")] == [429, 200]
    waits = [r.args for r in caplog.records if r.name == "telegram.ext.AIORateLimiter"]
    assert waits == [(pytest.approx(1.1),)]  # PTB's own limiter waited as told, then retried


class FakeTime:
    """A clock that moves only when told, and a sleep that records how long it was asked."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


async def test_one_chat_gets_a_short_burst_then_about_the_set_rate(
    telegram_api: TelegramStandIn,
) -> None:
    """The per-chat limiter on an injected clock: the burst goes at once, the rest waits."""
    api = telegram_api
    user, other = api.user(7_400_001, "ก"), api.user(7_400_002, "ข")
    time = FakeTime()
    limiter = ChatRateLimiter(rate=10, burst=2, clock=time.clock, sleep=time.sleep)
    bot = ExtBot(TOKEN, base_url=api.base_url, rate_limiter=limiter)
    async with bot:
        await asyncio.gather(*(bot.send_message(user.id, str(i)) for i in range(2)))
        assert time.slept == []  # the burst: no wait
        await asyncio.gather(*(bot.send_message(user.id, str(i)) for i in range(4)))
        # four more at 10 a second, once the burst is spent: each waits for its own slot
        assert time.slept == pytest.approx([0.1, 0.2, 0.3, 0.4])
        await bot.send_message(other.id, "อีกห้อง")  # another chat is not held up
        assert len(time.slept) == 4
        time.now += 0.6  # the bucket has drained: a new burst goes at once
        await asyncio.gather(*(bot.send_message(user.id, str(i)) for i in range(2)))
        assert len(time.slept) == 4
    assert len(api.called("sendMessage")) == 9


async def test_a_blocked_user_s_notices_wait_until_they_come_back(
    demo: Runtime, telegram_api: TelegramStandIn, settings: Settings
) -> None:
    api = telegram_api
    user = api.user(7_500_001, "สมชาย")
    await link_telegram(demo, "agency", user.id)
    async with db.transaction(demo.sessions) as session:
        account = (
            await session.exec(
                select(ChannelAccount).where(ChannelAccount.external_id == str(user.id))
            )
        ).one()
        await outbox.enqueue(session, demo.clock, account.id, to_payload([Text("แจ้ง")]), "t:1")  # type: ignore[arg-type]
    api.block(user.id)
    async with polling_bot(demo, api, settings) as bot:
        assert await bot.service.deliver_notices() == 0
        async with demo.sessions() as session:
            again = await session.get(ChannelAccount, account.id)
            row = (
                await session.exec(
                    select(OutboundMessage).where(OutboundMessage.dedupe_key == "t:1")
                )
            ).one()
            told = (
                await session.exec(
                    select(OutboundMessage).where(
                        OutboundMessage.dedupe_key.startswith("unreachable:")  # type: ignore[attr-defined]
                    )
                )
            ).all()
        assert again is not None and again.active is False
        assert row.status.value == "pending"
        assert len(told) == 1  # the plan officer is told, once
        api.blocked.clear()
        demo.clock.advance(timedelta(minutes=5))  # past the retry's back-off
        await bot.chat.send(api.message_update(user, "/help"), user.id)  # they write again
        await api.wait_for(lambda: [c for c in api.sent(user.id) if c.params["text"] == "แจ้ง"])


# -- start-up: the command menu, settings, the app ----------------------------------------


async def test_start_up_sets_the_thai_command_menu(telegram: Bot) -> None:
    menu = {c["command"]: c["description"] for c in telegram.api.commands["default"]}
    assert menu["start"] == "เริ่มใช้งาน หรือเข้าร่วมด้วยรหัสเชิญ"
    assert {"help", "submit", "status", "mine", "cancel"} <= set(menu)
    group = {c["command"] for c in telegram.api.commands["all_group_chats"]}
    assert group == {"help", "status", "tally"}  # what a committee's group needs


async def test_polling_mode_clears_a_webhook_and_webhook_mode_does_not(
    demo: Runtime, telegram_api: TelegramStandIn, settings: Settings
) -> None:
    telegram_api.webhook = {"url": "https://old.example/webhooks/telegram"}
    async with polling_bot(demo, telegram_api, settings):
        pass
    assert telegram_api.called("deleteWebhook")
    assert telegram_api.webhook == {}
    before = len(telegram_api.called("deleteWebhook"))
    async with webhook_bot(demo, telegram_api, settings):
        pass
    assert len(telegram_api.called("deleteWebhook")) == before
    assert telegram_api.called("getWebhookInfo")  # checked, and a mismatch is only logged


def test_configured_adds_telegram_when_a_token_is_set(settings: Settings) -> None:
    assert not [s for s in configured(settings) if s.name == "telegram"]
    polling = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN)  # type: ignore[call-arg]
    (service,) = [s for s in configured(polling) if s.name == "telegram"]
    assert service.router is None  # polling needs no route
    webhook = Settings(
        _env_file=None,  # type: ignore[call-arg]
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_MODE="webhook",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    (service,) = [s for s in configured(webhook) if s.name == "telegram"]
    assert service.router is not None
    assert [r.path for r in service.router.routes] == [WEBHOOK_PATH]  # type: ignore[attr-defined]
    no_secret = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_MODE="webhook")  # type: ignore[call-arg]
    with pytest.raises(TelegramSettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramService(no_secret)


# -- the CLI ------------------------------------------------------------------------------


def cli_env(api: TelegramStandIn, **extra: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "PLANBOT_PUBLIC_URL": PUBLIC_URL + "/",
        **extra,
    }


async def run_cli(args: list[str], env: dict[str, str], tmp_path: Path) -> Result:
    """The CLI in a thread (it runs its own event loop) while the stand-in serves here."""
    runner = CliRunner()
    with contextlib.chdir(tmp_path):  # no stray .env
        return await asyncio.to_thread(runner.invoke, cli.app, args, env=env)


async def test_cli_set_webhook_and_info(telegram_api: TelegramStandIn, tmp_path: Path) -> None:
    env = cli_env(telegram_api)
    result = await run_cli(["telegram", "set-webhook", "--json"], env, tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["url"] == PUBLIC_URL + WEBHOOK_PATH
    assert telegram_api.webhook["secret_token"] == SECRET
    assert telegram_api.webhook["allowed_updates"] == ["message", "callback_query"]

    result = await run_cli(["telegram", "info", "--json"], env, tmp_path)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["bot"]["username"] == BOT_USERNAME
    assert shown["bot"]["privacy_mode"] is True
    assert shown["webhook"]["url"] == PUBLIC_URL + WEBHOOK_PATH

    result = await run_cli(["telegram", "info"], env, tmp_path)
    assert f"@{BOT_USERNAME}" in result.output and "webhook: https://" in result.output


async def test_cli_says_what_is_missing(telegram_api: TelegramStandIn, tmp_path: Path) -> None:
    env = cli_env(telegram_api, PLANBOT_PUBLIC_URL="http://not-https.example")
    result = await run_cli(["telegram", "set-webhook"], env, tmp_path)
    assert result.exit_code == 2
    assert "https://" in result.output
    env = cli_env(telegram_api, TELEGRAM_BOT_TOKEN="123:wrong")
    result = await run_cli(["telegram", "info"], env, tmp_path)
    assert result.exit_code == 1
    assert "Telegram says" in result.output
    telegram_api.violations.clear()  # the wrong token, on purpose


# -- pure pieces --------------------------------------------------------------------------


def test_buttons_are_laid_out_for_a_phone() -> None:
    def rows(*labels: str) -> list[list[str]]:
        buttons = [
            Button(label, f"1|f|1|{'cancel' if label == 'ยกเลิก' else i}")
            for i, label in enumerate(labels)
        ]
        return [[b.label for b in row] for row in button_rows(buttons)]

    assert rows("ทั้งปี", "ต.ค.–ธ.ค.", "ม.ค.–มี.ค.", "เม.ย.–มิ.ย.", "ยกเลิก") == [
        ["ทั้งปี", "ต.ค.–ธ.ค.", "ม.ค.–มี.ค."],
        ["เม.ย.–มิ.ย."],
        ["ยกเลิก"],
    ]
    assert rows("1 การพัฒนาด้านโครงสร้างพื้นฐาน", "ใช่", "ไม่ใช่") == [
        ["1 การพัฒนาด้านโครงสร้างพื้นฐาน"],
        ["ใช่", "ไม่ใช่"],
    ]
    assert visible_width("ผู้ใหญ่บ้าน") == 7  # marks above and below take no room


def test_long_text_is_split_at_line_breaks_then_spaces() -> None:
    lines = [("ก" * 3000, False), ("ข" * 2000, False), ("ค " * 3000, True)]
    parts = split_lines(lines, 4096)
    sizes = [sum(len(t) for t, _ in p) + len(p) - 1 for p in parts]
    assert all(size <= 4096 for size in sizes)
    assert parts[0] == [("ก" * 3000, False)]
    assert "".join(t for p in parts for t, _ in p).replace(" ", "") == (
        "ก" * 3000 + "ข" * 2000 + "ค" * 3000
    )
    emoji = [("📋" * 3000, False)]  # two UTF-16 units each
    assert [len(p[0][0]) for p in split_lines(emoji, 4096)] == [2048, 952]


def test_which_updates_planbot_acts_on() -> None:
    me = Me(BOT_ID, BOT_USERNAME)
    api = TelegramStandIn()
    user = api.user(42, "ก")

    def event(update: dict[str, Any]) -> Event | None:
        return to_event(Update.de_json(update, None), me)  # type: ignore[arg-type]

    found = event(api.message_update(user, "/start AB2CD3EF"))
    assert found is not None and found.incoming is not None
    assert found.incoming.text == "/start AB2CD3EF"
    assert found.incoming.event_id == f"tg:{BOT_ID}:{found.update_id}"
    assert (found.incoming.chat_id, found.incoming.display_name) == (None, "ก")
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": "large", "file_unique_id": "l", "width": 900, "height": 900},
    ]
    found = event(api.message_update(user, photo=photo, caption="หน้างาน"))
    assert found is not None and found.incoming is not None
    assert (found.incoming.attachment, found.incoming.attachment_kind) == ("large", "image")
    assert found.incoming.text is None
    joined = api.message_update(user, chat=group_chat(-5), new_chat_members=[user.as_user()])
    assert event(joined) is None
    bot_user = TgUser(99, "บอทอื่น")
    other_bot = api.message_update(bot_user, "/status")
    other_bot["message"]["from"]["is_bot"] = True
    assert event(other_bot) is None


async def test_serve_with_only_a_token_answers_by_long_polling(
    demo: Runtime, telegram_api: TelegramStandIn, database_url: str
) -> None:
    """What ``planbot serve`` builds: the app, its configured services, their start-up."""
    only_token = Settings(
        _env_file=None,  # type: ignore[call-arg]
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram_api.base_url,  # the stand-in instead of Telegram
    )
    rt = Runtime.from_settings(only_token, database_url=database_url, clock=demo.clock)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(runtime=rt), host="127.0.0.1", port=free_port(), log_level="warning"
        )
    )
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(WAIT):
            while not server.started:
                await asyncio.sleep(0.01)
        user = telegram_api.user(7_600_001, "สมชาย")
        update_id = await telegram_api.push(telegram_api.message_update(user, "/start"))
        await telegram_api.wait_confirmed(update_id, WAIT)
        assert "ยินดีต้อนรับสู่ planbot" in telegram_api.sent(user.id)[0].params["text"]
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, WAIT)
        await rt.close()


async def test_the_token_never_reaches_the_log(
    demo: Runtime,
    telegram_api: TelegramStandIn,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="httpx"):
        async with polling_bot(demo, telegram_api, settings) as bot:
            await bot.chat.say("somchai", "/help")
    requests = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("<TELEGRAM_BOT_TOKEN>/sendMessage" in m for m in requests)
    assert not [m for m in requests if TOKEN in m]
