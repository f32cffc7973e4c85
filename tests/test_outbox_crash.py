"""A sender killed with SIGKILL between claiming and sending, 20 times: nothing is lost, and
nothing reaches anyone twice beyond what LINE's retry key absorbs.

Each sender is a child process (forked from a forkserver that has the app imported, so a
start costs milliseconds) running the real delivery loop with LINE's sender against the
stand-in LINE API, on a clock moved past the previous sender's lease. Every other sender
tells the parent when its first call is about to go out (its first batch is claimed and
committed), and the parent waits a random few milliseconds — landing before, during or after
the calls, or in the transaction that marks them — and kills it; the others tell it when LINE
has accepted their first call, and wait there (as a slow database would make them), so the
kill lands after a send and before its mark. After the 20th kill one last sender runs to
the end. Then every row must be sent, every person must have every notice exactly once, and
the stand-in must have answered some repeats with 409 (the retry key at work).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import signal
from collections import Counter
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

from sqlmodel import select

from bot.channels.line.client import LineApi
from bot.channels.line.quota import QuotaWatch
from bot.channels.line.sender import LineSender
from bot.links import DocumentLinks
from bot.settings import Settings
from handlers.messages import Text, to_payload
from models import db, outbox
from models.clock import BANGKOK, FixedClock
from models.enums import Channel, OutboxStatus
from models.org import ChannelAccount
from models.records import OutboundMessage
from scheduler.dispatch import Delivery, Dispatch
from tests.standins.line_api import LineApiStandIn

KILLS = 20
USERS = 40
GROUPS = 30  # notices sent to 10 people each (multicasts)
SINGLES = 200  # notices to one person each (pushes)
BATCH = 10
LEASE = timedelta(minutes=2)
START = datetime(2025, 10, 1, 8, 30, tzinfo=BANGKOK)
PRELOAD = ["pytest", "tests.test_outbox_crash"]  # a child then imports nothing itself


class SignallingSender(LineSender):
    """LINE's sender that tells the parent when its first call is about to go out, or (with
    ``after_send``) once LINE accepted it — then it waits to be killed before any mark."""

    def __init__(
        self, *args: Any, ready: Connection, after_send: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ready: Connection | None = ready
        self.after_send = after_send

    async def send(self, deliveries: list[Delivery]) -> int:
        ready, self.ready = self.ready, None
        if ready is not None and not self.after_send:
            ready.send("claimed")
        used = await super().send(deliveries)
        if ready is not None and self.after_send:
            ready.send("claimed")
            await asyncio.sleep(30)  # killed here: sent, not marked
        return used


def sender_process(
    url: str, api_base: str, token: str, at: str, ready: Connection, batch: int, after: bool
) -> None:
    """One sender's life: deliver until nothing is due (or until killed)."""
    asyncio.run(_deliver(url, api_base, token, datetime.fromisoformat(at), ready, batch, after))
    ready.send("done")


async def _deliver(
    url: str,
    api_base: str,
    token: str,
    at: datetime,
    ready: Connection,
    batch: int,
    after_send: bool,
) -> None:
    engine = db.make_engine(url)
    clock = FixedClock(at)
    api = LineApi(token, api_base, api_base)
    settings = Settings(_env_file=None, PLANBOT_PUBLIC_URL="https://planbot.test")
    sender = SignallingSender(
        api,
        clock,
        DocumentLinks.from_settings(settings, clock),
        QuotaWatch(),
        ready=ready,
        after_send=after_send,
        concurrency=4,
    )
    sender.lease = LEASE
    try:
        await Dispatch(db.session_factory(engine), clock, sender, batch=batch).run()
    finally:
        await api.close()
        await engine.dispose()


async def queue_notices(url: str) -> dict[str, Counter[str]]:
    """LINE accounts, and the notices queued for them; what each should receive, once."""
    engine = db.make_engine(url)
    sessions = db.session_factory(engine)
    clock = FixedClock(START)
    users = [f"U{n:032x}" for n in range(USERS)]
    expected: dict[str, Counter[str]] = {user: Counter() for user in users}
    try:
        async with db.transaction(sessions) as session:
            accounts = [ChannelAccount(channel=Channel.LINE, external_id=u) for u in users]
            session.add_all(accounts)
            await session.flush()
            ids = {a.external_id: a.id for a in accounts}
            rows: list[outbox.NewMessage] = []
            for g in range(GROUPS):
                text = f"⏰ แจ้งเตือนกลุ่ม {g}"
                for user in random.Random(g).sample(users, 10):
                    rows.append(_row(ids[user], text, f"g{g}:{user}"))
                    expected[user][text] += 1
            for s in range(SINGLES):
                user, text = users[s % USERS], f"📋 แจ้งเฉพาะ {s}"
                rows.append(_row(ids[user], text, f"s{s}"))
                expected[user][text] += 1
            random.Random(7).shuffle(rows)  # groups spread over several batches
            assert await outbox.enqueue_many(session, clock, rows) == GROUPS * 10 + SINGLES
    finally:
        await engine.dispose()
    return expected


def _row(account_id: int | None, text: str, key: str) -> outbox.NewMessage:
    assert account_id is not None
    return outbox.NewMessage(account_id, to_payload([Text(text)]), key, channel=Channel.LINE)


async def statuses(url: str) -> Counter[OutboxStatus]:
    engine = db.make_engine(url)
    try:
        async with db.session_factory(engine)() as session:
            rows = (await session.exec(select(OutboundMessage.status))).all()
    finally:
        await engine.dispose()
    return Counter(rows)


def test_killed_senders_lose_nothing_and_send_nothing_twice(
    database_url: str, line_api: LineApiStandIn
) -> None:
    expected = asyncio.run(queue_notices(database_url))
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    chance = random.Random(os.getpid())
    kills = 0
    for life in range(KILLS + 1):
        at = START + life * (LEASE + timedelta(seconds=1))  # the last one's lease is over
        parent, child = context.Pipe(duplex=False)
        process = context.Process(
            target=sender_process,
            args=(
                database_url,
                line_api.api_base_url,
                line_api.access_token,
                at.isoformat(),
                child,
                BATCH if life < KILLS else 100,
                life % 2 == 1 and life < KILLS,  # every other one: killed after a send
            ),
        )
        process.start()
        child.close()
        assert parent.poll(30), "the sender never claimed anything"
        message = parent.recv()
        if life < KILLS:
            assert message == "claimed", "ran out of notices before the 20th kill"
            # 0–25 ms: before the first call, during the calls, or in the marking transaction
            asyncio.run(asyncio.sleep(chance.uniform(0, 0.025)))
            os.kill(process.pid or 0, signal.SIGKILL)
            process.join(10)
            assert process.exitcode == -signal.SIGKILL
            kills += 1
        else:  # the survivor: delivers everything left, with every lease over
            assert parent.poll(60) and parent.recv() == "done"
            process.join(10)
            assert process.exitcode == 0
        parent.close()

    assert kills == KILLS
    assert asyncio.run(statuses(database_url)) == Counter(
        {OutboxStatus.SENT: GROUPS * 10 + SINGLES}
    )
    got = {
        user: Counter(m["text"] for messages in line_api.delivered.get(user, []) for m in messages)
        for user in expected
    }
    lost = sum((expected[u] - got[u]).total() for u in expected)
    twice = sum((got[u] - expected[u]).total() for u in expected)
    print(
        f"\n{kills} kills: {GROUPS * 10 + SINGLES} notices, lost {lost}, twice {twice}, "
        f"repeats absorbed by the retry key {line_api.retries_absorbed}"
    )
    assert (lost, twice) == (0, 0)
    assert line_api.retries_absorbed > 0  # some kills came after LINE had accepted a call
