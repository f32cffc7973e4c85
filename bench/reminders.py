"""Benchmark: one national morning of reminders, queued and delivered to the stand-in LINE API.

    uv run python bench/reminders.py [--orgs 7850] [--members 20] [--workers 4]

On PostgreSQL (127.0.0.1:5432, trust auth, a throwaway database created and dropped here):
``--orgs`` organizations (7,850: every LAO in Thailand) of ``--members`` people each (20),
everyone on LINE, every organization with a round whose 30-day deadline is today (Friday 31
October 2025), so the day's pass reminds every member: 157,000 reminders. Then, timed:

1. **enqueue**: the day's pass (``scheduler.reminders.run_day``: read the facts of every org,
   run the rules, queue the rows in bulk);
2. **re-run**: the same pass again, which must add 0 rows;
3. **one process**: a sender process (the shared delivery loop with LINE's sender, as
   ``planbot scheduler`` runs it) delivers the whole morning to the stand-in LINE API
   (``tests/standins/line_api.py``, every request checked against LINE's OpenAPI file),
   identical reminders of one organization going out as one multicast;
4. **two processes**: the rows made pending again and the stand-in emptied, two sender
   processes deliver the same morning side by side (the ratio is against step 3, this run).

After each delivery every person's messages at the stand-in are counted: a reminder that
arrived twice is a duplicate, one that never arrived is lost. Goals (issue #12): enqueue
< 30 s; re-run adds 0 rows in < 15 s; one process < 5 minutes; two processes ≥ 1.3× one;
0 duplicates, 0 lost. Every wait is bounded; the database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.standins (not part of the installed package)

from webhook import POSTGRES_ADMIN_URL, admin  # noqa: E402 — the throwaway database's admin

TOKEN = "bench-access-token"
DAY = date(2025, 10, 31)  # a Friday; 30 days after 1 Oct 2025
TRIGGER = date(2025, 10, 1)
DELIVERY_TIMEOUT = 900.0  # seconds a delivery phase may take before the bench gives up
PROVINCES = ("ขอนแก่น", "อุดรธานี", "เชียงใหม่", "สงขลา", "นครราชสีมา")


def moment() -> datetime:
    from models.clock import BANGKOK

    return datetime(DAY.year, DAY.month, DAY.day, 8, 30, tzinfo=BANGKOK)


# -- the database ----------------------------------------------------------------------------------


async def populate(url: str, orgs: int, members: int) -> None:
    """The country: organizations, people on LINE, memberships, one round each (bulk)."""
    import sqlalchemy as sa

    from models import db
    from models.enums import Channel, EditionKind, EditionState, OrgKind, Role, TriggerKind
    from models.org import ChannelAccount, Membership, Organization, Person
    from models.plan import Edition, OperationalPlan

    engine = db.make_engine(url)
    now = moment()

    def rows(n: int, make: Any) -> list[dict[str, Any]]:
        return [make(i) for i in range(1, n + 1)]

    people = orgs * members
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (
            Organization,
            rows(
                orgs,
                lambda i: {
                    "id": i,
                    "kind": OrgKind.SAO.value,
                    "name": f"ทดสอบ{i}",
                    "district": "เมือง",
                    "province": PROVINCES[i % len(PROVINCES)],
                    "quorum_percent": 50,
                    "majority_of_members": False,
                    "chair_casting_vote": True,
                    "reminder_settings": {},
                    "created_at": now,
                },
            ),
        ),
        (Person, rows(people, lambda i: {"id": i, "name": f"ผู้ใช้ {i}", "created_at": now})),
        (
            ChannelAccount,
            rows(
                people,
                lambda i: {
                    "id": i,
                    "channel": Channel.LINE.value,
                    "external_id": f"U{i:032x}",
                    "person_id": i,
                    "active": True,
                    "created_at": now,
                },
            ),
        ),
        (
            Membership,
            rows(
                people,
                lambda i: {
                    "id": i,
                    "person_id": i,
                    "org_id": (i - 1) // members + 1,
                    "role": (
                        Role.PLAN_OFFICER if (i - 1) % members == 0 else Role.SUPPORT_COMMITTEE
                    ).value,
                    "is_chair": False,
                    "active": True,
                    "created_at": now,
                },
            ),
        ),
        (
            OperationalPlan,
            rows(orgs, lambda i: {"id": i, "org_id": i, "fiscal_year": 2569, "created_at": now}),
        ),
        (
            Edition,
            rows(
                orgs,
                lambda i: {
                    "id": i,
                    "plan_id": i,
                    "kind": EditionKind.ORIGINAL.value,
                    "number": 0,
                    "trigger_kind": TriggerKind.ANNUAL_BUDGET.value,
                    "trigger_date": TRIGGER,
                    "state": EditionState.COLLECTING.value,
                    "posted_places": [],
                    "created_at": datetime(2025, 10, 1, 9, tzinfo=now.tzinfo),
                },
            ),
        ),
    ]
    try:
        async with engine.begin() as connection:
            for model, data in tables:
                table = model.__table__
                for start in range(0, len(data), 5000):
                    await connection.execute(sa.insert(table), data[start : start + 5000])
                await connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {len(data)})"
                    )
                )
        await vacuum(engine)
    finally:
        await engine.dispose()


async def vacuum(engine: Any, table: str = "") -> None:
    """Fresh planner statistics after a bulk change (VACUUM runs outside a transaction)."""
    import sqlalchemy as sa

    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(sa.text(f"VACUUM ANALYZE {table}"))


async def reset_for_delivery(url: str) -> None:
    """Every reminder pending again, as if nobody had sent any (for the second delivery)."""
    import sqlalchemy as sa

    from models import db

    engine = db.make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "UPDATE outbound_message SET status = 'pending', sent_at = NULL, attempts = 0,"
                    " send_key = NULL, claimed_until = NULL, claim_token = NULL,"
                    " next_attempt_at = :now"
                ),
                {"now": moment()},
            )
        await vacuum(engine, "outbound_message")
    finally:
        await engine.dispose()


async def pending(url: str) -> int:
    import sqlalchemy as sa

    from models import db

    engine = db.make_engine(url)
    try:
        async with engine.connect() as connection:
            return int(
                await connection.scalar(
                    sa.text("SELECT count(*) FROM outbound_message WHERE status <> 'sent'")
                )
                or 0
            )
    finally:
        await engine.dispose()


async def enqueue(url: str) -> tuple[int, float]:
    """The day's pass, as the scheduler's 08:30 job runs it; (rows added, seconds)."""
    from models import db
    from models.clock import FixedClock
    from models.days_off import DaysOff
    from scheduler.reminders import run_day

    engine = db.make_engine(url)
    days_off = DaysOff()
    days_off.warm(DAY)
    try:
        started = time.perf_counter()
        done = await run_day(db.session_factory(engine), FixedClock(moment()), days_off)
        return done.queued, time.perf_counter() - started
    finally:
        await engine.dispose()


# -- a sender process ------------------------------------------------------------------------------


async def send_all(url: str, api_base: str, workers: int) -> None:
    """Child: deliver everything due through LINE's sender, then say how long it took."""
    from bot.channels.line.client import LineApi
    from bot.channels.line.quota import QuotaWatch
    from bot.channels.line.sender import LineSender
    from bot.links import DocumentLinks
    from bot.settings import Settings
    from models import db
    from models.clock import FixedClock
    from scheduler.dispatch import Dispatch

    engine = db.make_engine(url, pool_size=workers + 2)
    clock = FixedClock(moment())
    api = LineApi(TOKEN, api_base, api_base)
    links = DocumentLinks.from_settings(Settings(_env_file=None), clock)
    sender = LineSender(api, clock, links, QuotaWatch(), concurrency=16)
    print("READY", flush=True)
    sys.stdin.readline()  # the parent starts every sender at once
    started = time.perf_counter()
    try:
        sent = await Dispatch(
            db.session_factory(engine), clock, sender, batch=1000, workers=workers
        ).run()
    finally:
        await api.close()
        await engine.dispose()
    wall, cpu = time.perf_counter() - started, time.process_time()
    print(f"DONE {sent} {wall:.3f} {cpu:.3f}", flush=True)


def deliver(url: str, api_base: str, processes: int, workers: int) -> tuple[float, list[int]]:
    """Start ``processes`` senders together; (seconds until the last finished, rows each).

    Also prints the CPU the stand-in (this process) spent meanwhile: when it nears the wall
    time, the stand-in, not planbot, sets the pace.
    """
    cpu_before = time.process_time()
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--send", url, "--api", api_base, "--workers", str(workers)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "READY"
        started = time.perf_counter()
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        sent, cpu = [], []
        for child in children:
            out, _err = child.communicate(timeout=DELIVERY_TIMEOUT)
            sent.append(int(out.split()[1]))
            cpu.append(float(out.split()[3]))
        wall = time.perf_counter() - started
        senders = " + ".join(f"{c:.1f}" for c in cpu)
        stand_in = time.process_time() - cpu_before
        print(f"   (CPU: senders {senders} s, stand-in {stand_in:.1f} s, in {wall:.1f} s)")
        return wall, sent
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()


def counted(stand_in: Any, expected: int) -> tuple[int, int, int]:
    """(reminders that arrived, duplicates, lost) at the stand-in: each person gets one."""
    per_person = Counter(
        {user: len(got) for user, got in stand_in.delivered.items()}  # one message each
    )
    arrived = sum(per_person.values())
    duplicates = sum(n - 1 for n in per_person.values() if n > 1)
    return arrived, duplicates, expected - (arrived - duplicates)


# -- the run ---------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> None:
    from sqlalchemy.engine import make_url

    from models import db
    from tests.standins.line_api import LineApiStandIn

    expected = args.orgs * args.members
    name = f"planbot_bench_{uuid.uuid4().hex[:10]}"
    await admin(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
    stand_in = LineApiStandIn(access_token=TOKEN, quota_limit=None).start()
    try:
        await asyncio.to_thread(db.upgrade_url, url)
        print(f"… {args.orgs:,} organizations × {args.members} people", flush=True)
        await populate(url, args.orgs, args.members)

        added, enqueue_s = await enqueue(url)
        again, rerun_s = await enqueue(url)
        print(f"enqueue:         {added:,} rows in {enqueue_s:.1f} s (goal < 30 s)")
        print(f"re-run:          {again:,} rows added in {rerun_s:.1f} s (goal 0 rows, < 15 s)")

        one_s, _sent = deliver(url, stand_in.api_base_url, 1, args.workers)
        arrived1, dup1, lost1 = counted(stand_in, expected)
        calls1 = len(stand_in.multicasts) + len(stand_in.pushes)
        print(
            f"one process:     {expected:,} reminders in {one_s:.1f} s "
            f"({expected / one_s:,.0f}/s, {calls1:,} calls; goal < 300 s) · "
            f"duplicates {dup1} · lost {lost1}"
        )

        await reset_for_delivery(url)
        stand_in.reset(quota_limit=None)
        two_s, sent2 = deliver(url, stand_in.api_base_url, 2, args.workers)
        arrived2, dup2, lost2 = counted(stand_in, expected)
        ratio = one_s / two_s
        print(
            f"two processes:   {expected:,} reminders in {two_s:.1f} s ({sent2[0]:,} + "
            f"{sent2[1]:,}) = {ratio:.2f}× one (goal ≥ 1.3×) · duplicates {dup2} · lost {lost2}"
        )
        left = await pending(url)
        problems = list(stand_in.problems)
        print(f"not sent: {left} · requests LINE would refuse: {len(problems)}")
        for text in problems[:5]:
            print("  ", text)
        goals = [
            enqueue_s < 30,
            again == 0 and rerun_s < 15,
            one_s < 300,
            ratio >= 1.3,
            dup1 == dup2 == lost1 == lost2 == left == 0 and not problems,
            added == expected == arrived1 - dup1 == arrived2 - dup2,
        ]
        print("goals:", " ".join("✅" if ok else "❌" for ok in goals))
    finally:
        stand_in.stop()
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=7850, help="organizations (7,850 LAOs)")
    parser.add_argument("--members", type=int, default=20, help="people per organization")
    parser.add_argument("--workers", type=int, default=4, help="claim loops per sender process")
    parser.add_argument("--send", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.orgs <= 20_000 or not 1 <= args.members <= 500:
        parser.error("--orgs between 1 and 20000, --members between 1 and 500")
    return args


if __name__ == "__main__":
    arguments = parse(sys.argv[1:])
    if arguments.send:
        asyncio.run(send_all(arguments.send, arguments.api, arguments.workers))
    else:
        asyncio.run(run(arguments))
