"""The outbox: queued once per dedupe key (in bulk too), claimed when due under a lease, sent
by the one delivery loop every channel shares, retried with back-off, given up, or held."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime import Runtime
from handlers.messages import Button, Choices, Outgoing, Text, from_payload, to_payload
from models import db, outbox
from models.clock import BANGKOK, FixedClock
from models.enums import Channel, OutboxStatus
from models.org import ChannelAccount
from models.records import OutboundMessage
from scheduler import dispatch
from scheduler.dispatch import Delivery, QuietHours, RetryLater, Undeliverable, Unreachable

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


async def queue(
    rt: Runtime, who: str, key: str, messages: list[Outgoing] = NOTICE, *, urgent: bool = False
) -> bool:
    target = await account_id(rt, who)
    async with db.transaction(rt.sessions) as session:
        return await outbox.enqueue(
            session, rt.clock, target, to_payload(messages), key, urgent=urgent
        )


async def rows(rt: Runtime) -> list[OutboundMessage]:
    async with rt.sessions() as session:
        found = await session.exec(select(OutboundMessage).order_by(OutboundMessage.id))  # type: ignore[arg-type]
        return list(found.all())


async def claim(
    rt: Runtime, *, channel: Channel | None = None, limit: int = 100, lease: int = 60
) -> tuple[str, list[outbox.Claimed]]:
    async with db.transaction(rt.sessions) as session:
        return await outbox.claim(
            session, rt.clock, channel=channel, limit=limit, lease=timedelta(seconds=lease)
        )


class Recorder:
    """A channel's sender: records, or fails for the names it is told to, as it is told."""

    channel: Channel | None = None
    concurrency = 4
    lease = timedelta(minutes=2)

    def __init__(
        self,
        failing: frozenset[str] = frozenset(),
        delay: float = 0,
        *,
        error: type[Exception] = ConnectionError,
        group_size: int = 1,
    ) -> None:
        self.sent: list[tuple[str, list[Outgoing]]] = []
        self.calls: list[list[str]] = []
        self.failing = failing
        self.delay = delay
        self.error = error
        self.group_size = group_size

    async def send(self, deliveries: list[Delivery]) -> int:
        if self.delay:
            await asyncio.sleep(self.delay)
        who = [d.external_id for d in deliveries]
        for name in who:
            if name in self.failing:
                raise self.error(f"{name} unreachable")
        self.calls.append(who)
        self.sent.extend((d.external_id, d.messages) for d in deliveries)
        return len(deliveries)

    async def after_sent(self, session: AsyncSession, used: int) -> None:
        pass


def test_retry_delay_doubles_to_an_hour() -> None:
    minutes = [outbox.retry_delay(n) / timedelta(minutes=1) for n in range(1, 9)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60]
    assert outbox.retry_delay(10_000) == timedelta(hours=1)


async def test_dedupe_key_queues_once(demo: Runtime) -> None:
    assert await queue(demo, "s1", "round:1:opened:s1") is True
    assert await queue(demo, "s1", "round:1:opened:s1") is False  # a retry, a second worker
    assert await queue(demo, "s2", "round:1:opened:s2") is True
    assert [r.dedupe_key for r in await rows(demo)] == ["round:1:opened:s1", "round:1:opened:s2"]
    assert {r.channel for r in await rows(demo)} == {Channel.CONSOLE}  # taken from the account
    target = await account_id(demo, "s3")
    with pytest.raises(IntegrityError):  # the database itself refuses a second row
        async with db.transaction(demo.sessions) as session:
            session.add(
                OutboundMessage(
                    dedupe_key="round:1:opened:s1",
                    account_id=target,
                    channel=Channel.CONSOLE,
                    payload={},
                )
            )


async def test_bulk_queue_adds_only_new_keys_in_one_go(demo: Runtime) -> None:
    ids = {who: await account_id(demo, who) for who in ("s1", "s2", "s3", "c1")}
    batch = [
        outbox.NewMessage(ids[who], to_payload(NOTICE), f"bulk:{who}", channel=Channel.CONSOLE)
        for who in ("s1", "s2", "s3")
    ]
    async with db.transaction(demo.sessions) as session:
        assert await outbox.enqueue_many(session, demo.clock, batch) == 3
    again = [*batch, outbox.NewMessage(ids["c1"], to_payload(NOTICE), "bulk:c1")]
    async with db.transaction(demo.sessions) as session:
        with outbox.watch() as queued:
            assert await outbox.enqueue_many(session, demo.clock, again) == 1  # only c1 is new
        assert queued[0] == 1
    assert len(await rows(demo)) == 4


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
                channel=Channel.CONSOLE,
                payload=to_payload(NOTICE),
                next_attempt_at=clock.now() + timedelta(days=1),
            )
        )
    _token, claimed = await claim(demo, limit=1)
    assert [(m.dedupe_key, m.external_id) for m in claimed] == [("first", "s1")]
    _token, claimed = await claim(demo)
    assert [(m.dedupe_key, m.external_id) for m in claimed] == [("second", "s2")]
    assert (await claim(demo))[1] == []  # leased: nobody else takes them
    assert (await claim(demo, channel=Channel.LINE))[1] == []


async def test_a_lease_ends_and_the_rows_come_back(demo: Runtime) -> None:
    """A sender that died after claiming: its rows are due again when the lease ends, and
    its late mark changes nothing (the rows are no longer its)."""
    clock: FixedClock = demo.clock  # type: ignore[assignment]
    await queue(demo, "s1", "k1")
    dead, claimed = await claim(demo, lease=60)
    assert [m.dedupe_key for m in claimed] == ["k1"]
    (row,) = await rows(demo)
    assert row.claimed_until == clock.now() + timedelta(seconds=60)
    clock.advance(timedelta(seconds=59))
    assert (await claim(demo))[1] == []
    clock.advance(timedelta(seconds=1))
    alive, again = await claim(demo)
    assert [m.id for m in again] == [m.id for m in claimed]
    async with db.transaction(demo.sessions) as session:
        assert await outbox.mark_sent(session, clock, dead, [claimed[0].id]) == 0
        assert await outbox.mark_sent(session, clock, alive, [claimed[0].id]) == 1
    (row,) = await rows(demo)
    assert (row.status, row.claimed_until, row.claim_token) == (OutboxStatus.SENT, None, None)


async def test_deliver_sends_and_marks_sent(demo: Runtime) -> None:
    await queue(demo, "s1", "k1")
    await queue(demo, "s2", "k2")
    send = Recorder()
    assert await dispatch.deliver(demo.sessions, demo.clock, send) == 2
    assert send.sent == [("s1", NOTICE), ("s2", NOTICE)]  # the payload round-trips
    for row in await rows(demo):
        assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.SENT, 1, demo.clock.now())
    assert await dispatch.deliver(demo.sessions, demo.clock, send) == 0  # never twice


async def test_identical_notices_go_in_one_call_when_the_channel_can(demo: Runtime) -> None:
    for who in ("c1", "c2", "c3"):
        await queue(demo, who, f"vote:{who}")
    await queue(demo, "s1", "other", [Text("อย่างอื่น")])
    send = Recorder(group_size=2)
    assert await dispatch.deliver(demo.sessions, demo.clock, send) == 4
    assert sorted(send.calls) == [["c1", "c2"], ["c3"], ["s1"]]


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


async def test_a_platform_that_asks_to_wait_is_waited_for(demo: Runtime) -> None:
    class Busy(Recorder):
        async def send(self, deliveries: list[Delivery]) -> int:
            raise RetryLater("429", timedelta(minutes=10))

    await queue(demo, "s1", "busy")
    assert await dispatch.deliver(demo.sessions, demo.clock, Busy()) == 0
    (row,) = await rows(demo)
    assert row.next_attempt_at == demo.clock.now() + timedelta(minutes=10)  # not the 1 min


async def test_unreadable_payload_fails_at_once(demo: Runtime) -> None:
    target = await account_id(demo, "s1")
    async with db.transaction(demo.sessions) as session:
        session.add(
            OutboundMessage(
                dedupe_key="broken",
                account_id=target,
                channel=Channel.CONSOLE,
                payload={"messages": [{"kind": "hologram"}]},
                next_attempt_at=demo.clock.now(),
            )
        )
    assert await dispatch.deliver(demo.sessions, demo.clock, Recorder()) == 0
    (row,) = await rows(demo)
    assert row.status == OutboxStatus.FAILED and "unreadable payload" in (row.last_error or "")


async def test_a_message_the_platform_refuses_is_given_up_at_once(demo: Runtime) -> None:
    await queue(demo, "s1", "malformed")
    await dispatch.deliver(
        demo.sessions, demo.clock, Recorder(frozenset({"s1"}), error=Undeliverable)
    )
    (row,) = await rows(demo)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)


async def test_someone_who_blocked_the_bot_waits_and_the_officer_is_told_once(
    demo: Runtime,
) -> None:
    clock: FixedClock = demo.clock  # type: ignore[assignment]
    await queue(demo, "s1", "first")
    await queue(demo, "s1", "second")
    blocked = Recorder(frozenset({"s1"}), error=Unreachable)
    assert await dispatch.deliver(demo.sessions, clock, blocked) == 1  # the report, same run
    assert [who for who, _m in blocked.sent] == ["officer"]
    async with demo.sessions() as session:
        s1 = (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "s1"))
        ).one()
        report = (
            await session.exec(
                select(OutboundMessage).where(OutboundMessage.dedupe_key.startswith("unreachable:"))  # type: ignore[attr-defined]
            )
        ).all()
    assert s1.active is False
    first, second = (r for r in await rows(demo) if r.dedupe_key in ("first", "second"))
    assert (first.status, second.status) == (OutboxStatus.PENDING, OutboxStatus.PENDING)
    [told] = report
    assert await account_id(demo, "officer") == told.account_id
    text = from_payload(told.payload)[0]
    assert isinstance(text, Text) and "นายธนพล รักษ์ดี" in text.text and "ส่งข้อความถึง" in text.text
    clock.advance(timedelta(hours=2))
    assert await dispatch.deliver(demo.sessions, clock, blocked) == 0
    # the account is inactive: its rows wait, and no second report is queued
    assert len([r for r in await rows(demo) if r.dedupe_key.startswith("unreachable:")]) == 1


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
    send.channel = Channel.LINE
    assert await dispatch.deliver(demo.sessions, demo.clock, send) == 0
    send.channel = Channel.CONSOLE
    assert await dispatch.deliver(demo.sessions, demo.clock, send) == 1


async def test_quiet_hours_hold_notices_but_not_answers(demo: Runtime) -> None:
    clock: FixedClock = demo.clock  # type: ignore[assignment]
    clock.set(datetime(2025, 10, 1, 21, 0, tzinfo=BANGKOK))
    quiet = QuietHours(time(20, 0), time(7, 0))
    await queue(demo, "s1", "notice")
    await queue(demo, "s2", "answer", urgent=True)
    send = Recorder()
    assert await dispatch.deliver(demo.sessions, clock, send, quiet=quiet) == 1
    assert [who for who, _m in send.sent] == ["s2"]
    clock.set(datetime(2025, 10, 2, 6, 59, tzinfo=BANGKOK))
    assert await dispatch.deliver(demo.sessions, clock, send, quiet=quiet) == 0
    clock.set(datetime(2025, 10, 2, 7, 0, tzinfo=BANGKOK))
    assert await dispatch.deliver(demo.sessions, clock, send, quiet=quiet) == 1
    assert [who for who, _m in send.sent] == ["s2", "s1"]


def test_quiet_hours_may_wrap_midnight_or_not() -> None:
    night = QuietHours(time(20, 0), time(7, 0))
    siesta = QuietHours(time(12, 0), time(13, 0))
    at = [datetime(2025, 10, 1, h, 0, tzinfo=BANGKOK) for h in (6, 7, 12, 19, 20, 23)]
    assert [night.holds(t, BANGKOK) for t in at] == [True, False, False, False, True, True]
    assert [siesta.holds(t, BANGKOK) for t in at] == [False, False, True, False, False, False]
    assert not QuietHours(time(0, 0), time(0, 0)).holds(at[0], BANGKOK)


async def test_two_dispatchers_never_hold_the_same_row(demo: Runtime) -> None:
    if db.is_sqlite(demo.engine.url):
        pytest.skip("SQLite has one writer; FOR UPDATE SKIP LOCKED is PostgreSQL's")
    await queue(demo, "s1", "a")
    await queue(demo, "s2", "b")
    async with demo.sessions() as first, first.begin():
        _t, mine = await outbox.claim(
            first, demo.clock, channel=None, limit=1, lease=timedelta(minutes=1)
        )
        async with demo.sessions() as second, second.begin():
            _t, theirs = await outbox.claim(
                second, demo.clock, channel=None, limit=10, lease=timedelta(minutes=1)
            )
            assert [m.dedupe_key for m in theirs] == ["b"]  # "a" is locked: skipped
        assert mine[0].dedupe_key == "a"


async def test_concurrent_deliveries_send_each_row_once(demo: Runtime) -> None:
    if db.is_sqlite(demo.engine.url):
        pytest.skip("SQLite has one writer; concurrent dispatchers are a PostgreSQL setup")
    for who in ("s1", "s2", "s3", "c1", "c2", "c3"):
        await queue(demo, who, f"notice:{who}")
    send = Recorder(delay=0.02)
    counts = await asyncio.gather(
        dispatch.deliver(demo.sessions, demo.clock, send, batch=2),
        dispatch.deliver(demo.sessions, demo.clock, send, batch=2),
        dispatch.deliver(demo.sessions, demo.clock, send, batch=2, workers=2),
    )
    assert sum(counts) == 6
    assert sorted(who for who, _m in send.sent) == ["c1", "c2", "c3", "s1", "s2", "s3"]
