"""Pushes: through the outbox, with a retry key, counted per month; the 80 % quota warning;
answers longer than one reply; signed document links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from bot.channels.line.channel import ReplyToken, retry_key
from bot.channels.line.quota import count_pushes
from bot.channels.line.sender import multicast_key
from bot.links import DocumentLinks, LinkProblem, LinkTarget, make_router, sign, verify
from bot.runtime import Runtime
from bot.settings import Settings
from bot.web import create_app
from handlers.messages import Card, Document, Incoming, Outgoing, Text, to_payload
from models import db, outbox
from models.clock import FixedClock
from models.enums import Channel, OutboxStatus
from models.org import ChannelAccount, Person
from models.records import OutboundMessage, PushUsage
from tests.line_harness import LineHarness, line_settings, line_user

USER = line_user("pimchanok")


@pytest.fixture
async def officer_on_line(demo: Runtime, line: LineHarness) -> str:
    """The demo plan officer, who also has LINE."""
    return await line.link_account("officer-line", "officer")


async def queue(
    rt: Runtime, user: str, messages: list[Outgoing], key: str, *, urgent: bool = False
) -> None:
    async with db.transaction(rt.sessions) as session:
        account = (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == user))
        ).one()
        assert account.id is not None
        await outbox.enqueue(
            session, rt.clock, account.id, to_payload(messages), key, urgent=urgent
        )


async def rows(rt: Runtime) -> list[OutboundMessage]:
    async with rt.sessions() as session:
        found = await session.exec(select(OutboundMessage).order_by(OutboundMessage.id))  # type: ignore[arg-type]
        return list(found.all())


async def usage(rt: Runtime) -> list[tuple[str, int]]:
    async with rt.sessions() as session:
        return [(u.month, u.count) for u in (await session.exec(select(PushUsage))).all()]


async def test_a_notice_is_pushed_with_a_retry_key_and_counted(
    line: LineHarness, officer_on_line: str
) -> None:
    rt = line.runtime
    await queue(rt, officer_on_line, [Text("⏰ อีก 3 วัน: ต้องจัดทำแผนให้แล้วเสร็จ")], "remind:1")
    await line.service.drain()
    [push] = line.stand_in.pushes
    assert push.body["to"] == officer_on_line
    assert push.headers["x-line-retry-key"] == retry_key("remind:1")
    assert [r.status for r in await rows(rt)] == [OutboxStatus.SENT]
    assert await usage(rt) == [("2025-10", 1)]


async def test_the_retry_key_is_a_uuid_fixed_by_the_dedupe_key() -> None:
    assert retry_key("draft-proposed:7:12") == retry_key("draft-proposed:7:12")
    assert retry_key("draft-proposed:7:12") != retry_key("draft-proposed:7:13")
    assert retry_key("a", 1) != retry_key("a")


async def test_a_failed_push_is_retried_later_with_the_same_key(
    line: LineHarness, officer_on_line: str
) -> None:
    rt = line.runtime
    line.stand_in.failures["pushMessage"] = 1
    await queue(rt, officer_on_line, [Text("📋 แจ้งเตือน")], "notice:1")
    await line.service.drain()
    [row] = await rows(rt)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert await usage(rt) == []
    rt.clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]
    await line.service.drain()
    [row] = await rows(rt)
    assert row.status is OutboxStatus.SENT
    keys = [
        c.headers["x-line-retry-key"]
        for c in line.stand_in.calls
        if c.operation_id == "pushMessage"
    ]
    assert keys == [retry_key("notice:1")] * 2
    assert await usage(rt) == [("2025-10", 1)]


async def test_a_push_line_accepted_before_a_crash_is_not_sent_twice(
    line: LineHarness, officer_on_line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LINE took the push, then the transaction marking the row sent never committed."""
    rt = line.runtime
    calls = 0

    async def crash_once(*args: Any, **kwargs: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database connection lost")
        return await count_pushes(*args, **kwargs)

    monkeypatch.setattr("bot.channels.line.sender.count_pushes", crash_once)
    await queue(rt, officer_on_line, [Text("📋 แจ้งเตือน")], "notice:2")
    await line.service.drain()
    rt.clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]
    await line.service.drain()
    statuses = [c.status for c in line.stand_in.calls if c.operation_id == "pushMessage"]
    assert statuses == [200, 409]  # the retry: LINE says "already accepted"
    assert line.stand_in.pushed_count == 1
    assert [r.status for r in await rows(rt)] == [OutboxStatus.SENT]
    assert await usage(rt) == [("2025-10", 1)]


async def test_pushes_are_counted_per_bangkok_month(
    line: LineHarness, officer_on_line: str
) -> None:
    rt = line.runtime
    await queue(rt, officer_on_line, [Text("1")], "n:1")
    await line.service.drain()
    rt.clock.set(datetime(2025, 10, 31, 17, 30, tzinfo=UTC))  # type: ignore[attr-defined]
    # 17:30 UTC on 31 Oct is already 1 Nov in Bangkok (00:30: quiet hours, so an answer)
    await queue(rt, officer_on_line, [Text("2")], "n:2", urgent=True)
    await line.service.drain()
    assert sorted(await usage(rt)) == [("2025-10", 1), ("2025-11", 1)]


async def test_more_than_five_messages_go_five_by_reply_and_the_rest_by_push(
    line: LineHarness, officer_on_line: str
) -> None:
    token = line.stand_in.issue_reply_token()
    cards: list[Outgoing] = [
        Card(f"โครงการที่ {i}", (("งบประมาณ", f"{i},000 บาท"),)) for i in range(7)
    ]
    incoming = Incoming(Channel.LINE, officer_on_line, text="x", event_id="line:many")
    await line.service.channel.reply(
        incoming, cards, token=ReplyToken(token, line.runtime.clock.now())
    )
    await line.service.drain()
    [reply] = line.stand_in.replies
    assert len(reply.body["messages"]) == 5
    [push] = line.stand_in.pushes
    assert [m["altText"].split("\n")[0] for m in push.body["messages"]] == [
        "โครงการที่ 5",
        "โครงการที่ 6",
    ]
    assert push.headers["x-line-retry-key"] == retry_key("line-reply:line:many")


async def test_a_text_longer_than_five_messages_is_pushed_in_parts(
    line: LineHarness, officer_on_line: str
) -> None:
    token = line.stand_in.issue_reply_token()
    huge = "\n".join(f"{i:05d} " + "ก" * 93 for i in range(300))  # 30,000 characters
    incoming = Incoming(Channel.LINE, officer_on_line, text="x", event_id="line:huge")
    await line.service.channel.reply(
        incoming, [Text(huge)], token=ReplyToken(token, line.runtime.clock.now())
    )
    await line.service.drain()
    assert line.stand_in.replies == []  # nothing of it fits one reply
    parts = [m["text"] for push in line.stand_in.pushes for m in push.body["messages"]]
    assert "\n".join(parts) == huge
    assert [len(p.body["messages"]) for p in line.stand_in.pushes] == [5, 1]


async def test_officers_are_warned_once_a_month_when_pushes_pass_80_percent(
    line: LineHarness, officer_on_line: str
) -> None:
    rt = line.runtime
    line.stand_in.quota_limit = 10
    line.stand_in.extra_usage = 6  # a broadcast from LINE Official Account Manager
    await line.service.refresh_quota()
    await queue(rt, officer_on_line, [Text("1")], "n:1")
    await line.service.drain()
    assert await warnings(rt) == []  # 7 of 10
    await queue(rt, officer_on_line, [Text("2")], "n:2")
    await line.service.drain()
    [(person, text)] = await warnings(rt)  # 8 of 10: one notice to the plan officer
    assert person == "นางสาวพิมพ์ชนก ใจดี"
    assert "โควตาข้อความ LINE เดือนนี้ใช้ไปแล้ว 8 จาก 10 ข้อความ (80%)" in text
    await queue(rt, officer_on_line, [Text("3")], "n:3")
    await line.service.drain()
    assert len(await warnings(rt)) == 1  # not again this month


async def warnings(rt: Runtime) -> list[tuple[str, str]]:
    async with rt.sessions() as session:
        found = await session.exec(
            select(OutboundMessage, Person)
            .join(ChannelAccount, ChannelAccount.id == OutboundMessage.account_id)
            .join(Person, Person.id == ChannelAccount.person_id)
            .where(OutboundMessage.dedupe_key.startswith("line-quota-80:2025-10:"))  # type: ignore[attr-defined]
        )
        return [(p.name, m.payload["messages"][0]["text"]) for m, p in found.all()]


# -- document links ---------------------------------------------------------------------------


@pytest.fixture
def document(tmp_path: Path) -> Path:
    folder = tmp_path / "documents" / "2569"
    folder.mkdir(parents=True)
    path = folder / "pd01.pdf"
    path.write_bytes(b"%PDF-1.7\n% planbot test\n")
    return path


async def test_a_document_goes_out_as_a_signed_link_that_serves_the_file(
    line: LineHarness, document: Path, officer_on_line: str
) -> None:
    line.service.links.documents_dir = document.parents[1]
    rt = line.runtime
    doc = Document(str(document), "ผด.01 ร่างที่ 1.pdf", "บัญชีสรุปโครงการ")
    await queue(rt, officer_on_line, [doc], "doc:1")
    await line.service.drain()
    [message] = line.stand_in.pushes[0].body["messages"]
    url = message["contents"]["footer"]["contents"][0]["action"]["uri"]
    assert url.startswith("https://planbot.example.go.th/d/")
    path = url.removeprefix("https://planbot.example.go.th")
    served = await fetch(line, path, document.parents[1])
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/pdf"
    assert served.content.startswith(b"%PDF")
    assert "filename*=utf-8''" in served.headers["content-disposition"]


async def fetch(line: LineHarness, path: str, root: Path) -> httpx.Response:
    """GET a /d/ link from the app, with its documents directory at ``root``."""
    settings = line_settings(line.stand_in, line.settings, PLANBOT_DOCUMENTS_DIR=str(root))
    app = create_app(settings, line.runtime, [])
    app.include_router(make_router(settings))
    app.state.runtime = line.runtime
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.get(path)


async def test_a_tampered_or_expired_link_is_refused_with_a_thai_page(
    line: LineHarness, document: Path
) -> None:
    root = document.parents[1]
    rt = line.runtime
    links = DocumentLinks.from_settings(
        line.settings.model_copy(update={"documents_dir": root}), rt.clock
    )
    url = links.url_for(str(document), "ผด.01.pdf")
    assert url is not None
    path = url.removeprefix("https://planbot.example.go.th")
    body, mac = path.removeprefix("/d/").split(".")
    tampered = await fetch(line, f"/d/{body[:-2]}AA.{mac}", root)
    assert tampered.status_code == 403 and "ลิงก์นี้ไม่ถูกต้อง" in tampered.text
    garbage = await fetch(line, "/d/not-a-token", root)
    assert garbage.status_code == 403
    rt.clock.advance(timedelta(days=8))  # type: ignore[attr-defined]
    expired = await fetch(line, path, root)
    assert expired.status_code == 410 and "หมดอายุ" in expired.text


def test_links_only_point_inside_the_documents_directory(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        PLANBOT_LINK_SECRET="k",
        PLANBOT_PUBLIC_URL="https://x.go.th",
        PLANBOT_DOCUMENTS_DIR=str(tmp_path),
    )
    clock = FixedClock(datetime(2025, 10, 1, tzinfo=UTC))
    links = DocumentLinks.from_settings(settings, clock)
    assert links.url_for("/etc/passwd", "passwd") is None
    assert links.url_for(str(tmp_path / ".." / "x.pdf"), "x.pdf") is None
    assert links.url_for("2569/ผด01.pdf", "ผด01.pdf") is not None  # relative: inside
    # a signed token naming a path outside is still refused when served (defence in depth)
    token = sign(b"k", LinkTarget("../../etc/passwd", "p"), clock.now() + timedelta(days=1))
    assert verify(b"k", token, clock.now()) == LinkTarget("../../etc/passwd", "p")
    assert verify(b"other", token, clock.now()) != LinkTarget("../../etc/passwd", "p")
    no_secret = Settings(_env_file=None, PLANBOT_PUBLIC_URL="https://x.go.th")
    assert DocumentLinks.from_settings(no_secret, clock).url_for("a.pdf", "a.pdf") is None


async def test_identical_notices_to_several_people_go_as_one_multicast(
    line: LineHarness, officer_on_line: str
) -> None:
    rt = line.runtime
    users = [officer_on_line] + [await line.link_account(f"{h}-line", h) for h in ("c1", "c2")]
    for n, user in enumerate(users):
        await queue(rt, user, [Text("⏰ คณะกรรมการพัฒนาฯ: ยังไม่ได้ลงความเห็น")], f"vote:7:{n}")
    await queue(rt, users[0], [Text("อีกเรื่อง")], "other:1")
    await line.service.drain()
    [multicast] = line.stand_in.multicasts
    assert sorted(multicast.body["to"]) == sorted(users)
    (send_key,) = {r.send_key for r in await rows(rt) if r.dedupe_key.startswith("vote:7:")}
    assert send_key is not None
    assert multicast.headers["x-line-retry-key"] == multicast_key(send_key)
    [push] = line.stand_in.pushes  # the other notice went alone
    assert push.body["to"] == users[0]
    assert {r.status for r in await rows(rt)} == {OutboxStatus.SENT}
    assert await usage(rt) == [("2025-10", 4)]  # LINE counts each recipient


async def test_a_user_line_cannot_push_to_is_made_inactive_and_the_officer_told(
    line: LineHarness, officer_on_line: str
) -> None:
    rt = line.runtime
    gone = await line.link_account("s1-line", "s1")
    line.stand_in.unknown_users.add(gone)
    await queue(rt, gone, [Text("📋 แจ้ง")], "notice:gone")
    await line.service.drain()
    async with rt.sessions() as session:
        account = (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == gone))
        ).one()
        [told] = (
            await session.exec(
                select(OutboundMessage).where(
                    OutboundMessage.dedupe_key.startswith("unreachable:")  # type: ignore[attr-defined]
                )
            )
        ).all()
    assert account.active is False
    text = told.payload["messages"][0]["text"]
    assert "นายธนพล รักษ์ดี" in text and "ทาง LINE" in text
    pending = [r for r in await rows(rt) if r.dedupe_key == "notice:gone"]
    assert [r.status for r in pending] == [OutboxStatus.PENDING]  # waits for their return


def test_a_link_to_a_persons_own_data_ends_when_the_file_is_deleted(tmp_path: Path) -> None:
    """ข้อมูลของฉัน files are deleted after PLANBOT_RETAIN_EXPORTS_DAYS (1): their links end
    then, not after the 7 days of a document's link."""
    clock = FixedClock(datetime(2025, 10, 1, 9, 0, tzinfo=UTC))
    settings = Settings(
        _env_file=None,
        PLANBOT_PUBLIC_URL="https://planbot.example.go.th",
        PLANBOT_LINK_SECRET="s" * 32,
        PLANBOT_DOCUMENTS_DIR=str(tmp_path),
    )
    links = DocumentLinks.from_settings(settings, clock)
    key = links.key
    assert key is not None

    def expiry(path: str) -> datetime:
        url = links.url_for(str(tmp_path / path), "x")
        assert url is not None
        token = url.rsplit("/d/", 1)[1]
        for days in range(1, 10):
            if isinstance(verify(key, token, clock.now() + timedelta(days=days)), LinkProblem):
                return clock.now() + timedelta(days=days)
        raise AssertionError("never expires")

    assert expiry("personal/p1-abc.json") == clock.now() + timedelta(days=1)
    assert expiry("plans/plan.pdf") == clock.now() + timedelta(days=7)
