"""The outbox: queued once per dedupe key, claimed when due, sent, retried with back-off."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.runtime import Runtime
from handlers.messages import Button, Choices, Outgoing, Text, to_payload
from models import db, outbox
from models.clock import FixedClock
from models.enums import Channel, OutboxStatus
from models.org import ChannelAccount
from models.records import OutboundMessage
from scheduler import dispatch

NOTICE: list[Outgoing] = [
    Text("📌 เปิดรับข้อเสนอโครงการแล้ว"),
    Choices("ต้องการเสนอโครงการหรือไม่", (Button("เสนอโครงการ", "1|x|cmd|0|เสนอโครงการ"),)),
]


async def account_id(rt: Runtime, external_id: str) -> int:
    async with rt.sessions() as session:
        found = (
            await session.exec(
                select(ChannelAccount.id).where(ChannelAccount.external_id == external_id)
            )
        ).one()
    assert found is not None
    return found


async def queue(rt: Runtime, who: str, key: str, messages: list[Outgoing] = NOTICE) -> bool:
    target = await account_id(rt, who)
    async with db.transaction(rt.sessions) as session:
        return await outbox.enqueue(session, rt.clock, target, to_payload(messages), key)


async def rows(rt: Runtime) -> list[OutboundMessage]:
    async with rt.sessions() as session:
        found = await session.exec(select(OutboundMessage).order_by(OutboundMessage.id))  # type: ignore[arg-type]
        return list(found.all())


class Recorder:
    """A channel's send: records, or fails for the names it is told to."""

    def __init__(self, failing: frozenset[str] = frozenset(), delay: float = 0) -> None:
        self.sent: list[tuple[str, list[Outgoing]]] = []
        self.failing = failing
        self.delay = delay

    async def __call__(self, account: ChannelAccount, messages: list[Outgoing]) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if account.external_id in self.failing:
            raise ConnectionError(f"{account.external_id} unreachable")
        self.sent.append((account.external_id, messages))


def test_retry_delay_doubles_to_an_hour() -> None:
    minutes = [outbox.retry_delay(n) / timedelta(minutes=1) for n in range(1, 9)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60]
    assert outbox.retry_delay(10_000) == timedelta(hours=1)


async def test_dedupe_key_queues_once(demo: Runtime) -> None:
    assert await queue(demo, "s1", "round:1:opened:s1") is True
    assert await queue(demo, "s1", "round:1:opened:s1") is False  # a retry, a second worker
    assert await queue(demo, "s2", "round:1:opened:s2") is True
    assert [r.dedupe_key for r in await rows(demo)] == ["round:1:opened:s1", "round:1:opened:s2"]
    target = await account_id(demo, "s3")
    with pytest.raises(IntegrityError):  # the database itself refuses a second row
        async with db.transaction(demo.sessions) as session:
            session.add(
                OutboundMessage(dedupe_key="round:1:opened:s1", account_id=target, payload={})
            )


async def test_claim_due_oldest_first_and_only_what_is_due(demo: Runtime) -> None:
    clock: FixedClock = demo.clock  # type: ignore[assignment]
    await queue(demo, "s1", "first")
    clock.advance(timedelta(seconds=1))
    await queue(demo, "s2", "second")
    later = await account_id(demo, "s3")
    async with db.transaction(demo.sessions) as session:
        session.add(
            OutboundMessage(
                dedupe_key="tomorrow",
                account_id=later,
                payload=to_payload(NOTICE),
                next_attempt_at=clock.now() + timedelta(days=1),
            )
        )
    async with db.transaction(demo.sessions) as session:
        claimed = await outbox.claim_due(session, clock)
        assert [(m.dedupe_key, a.external_id) for m, a in claimed] == [
            ("first", "s1"),
            ("second", "s2"),
        ]
        assert len(await outbox.claim_due(session, clock, limit=1)) == 1
        assert await outbox.claim_due(session, clock, channel=Channel.LINE) == []


async def test_deliver_sends_and_marks_sent(demo: Runtime) -> None:
    await queue(demo, "s1", "k1")
    await queue(demo, "s2", "k2")
    send = Recorder()
    assert await dispatch.deliver(demo.sessions, demo.clock, send) == 2
    assert send.sent == [("s1", NOTICE), ("s2", NOTICE)]  # the payload round-trips
    for row in await rows(demo):
        assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.SENT, 1, demo.clock.now())
    assert await dispatch.deliver(demo.sessions, demo.clock, send) == 0  # never twice


async def test_failing_send_backs_off_then_gives_up(demo: Runtime) -> None:
    clock: FixedClock = demo.clock  # type: ignore[assignment]
    await queue(demo, "s1", "unreachable")
    await queue(demo, "s2", "fine")
    send = Recorder(failing=frozenset({"s1"}))
    assert await dispatch.deliver(demo.sessions, clock, send) == 1  # a failure does not stop it
    assert send.sent == [("s2", NOTICE)]
    waits = []
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        (row, _sent) = await rows(demo)
        assert (row.status, row.attempts) == (OutboxStatus.PENDING, attempt)
        assert row.last_error == "ConnectionError: s1 unreachable"
        assert row.next_attempt_at is not None
        waits.append((row.next_attempt_at - clock.now()) / timedelta(minutes=1))
        clock.advance(timedelta(seconds=30))
        assert await dispatch.deliver(demo.sessions, clock, send) == 0  # not due yet: no try
        clock.set(row.next_attempt_at)
        assert await dispatch.deliver(demo.sessions, clock, send) == 0
    assert waits == [1, 2, 4, 8, 16, 32, 60]
    (row, _sent) = await rows(demo)
    assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.FAILED, 8, None)
    clock.advance(timedelta(days=1))
    assert await dispatch.deliver(demo.sessions, clock, Recorder()) == 0  # FAILED stays failed


async def test_unreadable_payload_fails_at_once(demo: Runtime) -> None:
    target = await account_id(demo, "s1")
    async with db.transaction(demo.sessions) as session:
        session.add(
            OutboundMessage(
                dedupe_key="broken",
                account_id=target,
                payload={"messages": [{"kind": "hologram"}]},
                next_attempt_at=demo.clock.now(),
            )
        )
    assert await dispatch.deliver(demo.sessions, demo.clock, Recorder()) == 0
    (row,) = await rows(demo)
    assert row.status == OutboxStatus.FAILED and "unreadable payload" in (row.last_error or "")


async def test_inactive_accounts_and_other_channels_are_skipped(demo: Runtime) -> None:
    await queue(demo, "s1", "to-inactive")
    async with db.transaction(demo.sessions) as session:
        s1 = (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "s1"))
        ).one()
        s1.active = False
    send = Recorder()
    assert await dispatch.deliver(demo.sessions, demo.clock, send) == 0
    (row,) = await rows(demo)
    assert row.status == OutboxStatus.PENDING and row.attempts == 0  # waits for their return
    await queue(demo, "s2", "console-only")
    assert await dispatch.deliver(demo.sessions, demo.clock, send, channel=Channel.LINE) == 0
    assert await dispatch.deliver(demo.sessions, demo.clock, send, channel=Channel.CONSOLE) == 1


async def test_two_dispatchers_never_hold_the_same_row(demo: Runtime) -> None:
    if db.is_sqlite(demo.engine.url):
        pytest.skip("SQLite has one writer; FOR UPDATE SKIP LOCKED is PostgreSQL's")
    await queue(demo, "s1", "a")
    await queue(demo, "s2", "b")
    async with demo.sessions() as first, first.begin():
        (mine,) = await outbox.claim_due(first, demo.clock, limit=1)
        async with demo.sessions() as second, second.begin():
            theirs = await outbox.claim_due(second, demo.clock)
            assert [m.dedupe_key for m, _a in theirs] == ["b"]  # "a" is locked: skipped
        assert mine[0].dedupe_key == "a"


async def test_concurrent_deliveries_send_each_row_once(demo: Runtime) -> None:
    if db.is_sqlite(demo.engine.url):
        pytest.skip("SQLite has one writer; concurrent dispatchers are a PostgreSQL setup")
    for who in ("s1", "s2", "s3", "c1", "c2", "c3"):
        await queue(demo, who, f"notice:{who}")
    send = Recorder(delay=0.02)
    counts = await asyncio.gather(
        dispatch.deliver(demo.sessions, demo.clock, send),
        dispatch.deliver(demo.sessions, demo.clock, send),
    )
    assert sum(counts) == 6
    assert sorted(who for who, _m in send.sent) == ["c1", "c2", "c3", "s1", "s2", "s3"]
