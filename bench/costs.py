"""Where one LINE message's CPU goes: the floor costs of the full path, piece by piece.

    uv run python bench/costs.py [--repeat N] [--backends sqlite,postgres]

``webhook.py`` measures the whole path against a bare endpoint; this script measures the
pieces it is made of, each on its own in one process, as CPU time per operation (all the
process's threads, so aiosqlite's worker thread counts) and wall time:

- one empty transaction (``SELECT 1`` in a transaction; SQLite's ``BEGIN IMMEDIATE`` counts
  as a statement, PostgreSQL's begin does not) through SQLAlchemy's async engine — the
  least a durable inbox row or a turn can cost;
- one conversation turn through the engine (the benchmark's four-step dialog, averaged):
  event record, speaker and state, the handler, the state write, with its statement count;
- one reply through line-bot-sdk's async client to the stand-in LINE API (which runs in
  its own process, so its request validation is not counted here).

Set against the bare endpoint's CPU per message in ``webhook.py`` (signature check and
200), these show how far below the full path's cost no amount of tuning can go.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import webhook  # the other benchmark: its database, users and stand-in

Operation = Callable[[int], Awaitable[object]]


def warm_ups(repeat: int) -> int:
    return max(5, repeat // 10)


async def measure(operation: Operation, repeat: int) -> tuple[float, float]:
    """(CPU ms, wall ms) per call of ``operation(i)``, after a tenth as many warm-up calls."""
    for i in range(warm_ups(repeat)):
        await operation(-1 - i)
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(repeat):
        await operation(i)
    return (
        (time.process_time() - cpu) * 1000 / repeat,
        (time.perf_counter() - wall) * 1000 / repeat,
    )


async def database_costs(backend: str, repeat: int) -> list[tuple[str, float, float]]:
    from bot.runtime import Runtime
    from bot.settings import Settings
    from handlers.engine import Engine
    from handlers.messages import Incoming
    from models.enums import Channel

    rows = []
    async with webhook.database(backend) as url:
        users = await webhook.prepare(url, 50)
        rt = Runtime.from_settings(Settings(_env_file=None), database_url=url)
        try:

            async def empty_transaction(_i: int) -> None:
                async with rt.engine.begin() as connection:
                    await connection.execute(sa.text("SELECT 1"))

            engine = Engine(rt.sessions, rt.clock, rt.days_off)
            steps = dict.fromkeys(users, 0)

            async def turn(i: int) -> None:
                user = users[i % len(users)]
                text = webhook.DIALOG[steps[user] % len(webhook.DIALOG)].format(n=i)
                steps[user] += 1
                await engine.handle(
                    Incoming(Channel.LINE, user, text=text, event_id=uuid.uuid4().hex)
                )

            statements = [0]

            @sa.event.listens_for(rt.engine.sync_engine, "before_cursor_execute")
            def count(*_args: object) -> None:
                statements[0] += 1

            for name, operation in (
                ("empty transaction", empty_transaction),
                ("dialog turn through the engine", turn),
            ):
                statements[0] = 0
                cpu, wall = await measure(operation, repeat)
                per_call = statements[0] / (repeat + warm_ups(repeat))
                rows.append((f"{backend}: {name}, {per_call:.2f} statements", cpu, wall))
        finally:
            await rt.close()
    return rows


async def reply_cost(repeat: int) -> tuple[str, float, float]:
    from bot.channels.line import render
    from bot.channels.line.client import LineApi
    from handlers.messages import Button, Choices, Text

    stand_in = await webhook.StandIn.start()
    api = LineApi(stand_in.access_token, stand_in.api_base_url, stand_in.data_base_url)
    try:
        context = render.RenderContext(today=date.today(), link_for=lambda _doc: "")
        answer = [
            Text("ขั้นที่ 1/10 — ชื่อโครงการ"),
            Choices("พิมพ์ชื่อโครงการ", (Button("ย้อนกลับ", "1|f|1|b"), Button("ยกเลิก", "1|f|1|c"))),
        ]

        async def reply(_i: int) -> None:
            batch, _rest = render.fit(answer, context)
            await api.reply(secrets.token_hex(16), batch)

        return ("LINE reply through line-bot-sdk (render + call)", *await measure(reply, repeat))
    finally:
        await api.close()
        await stand_in.stop()


async def main(args: argparse.Namespace) -> None:
    rows = []
    for backend in args.backends.split(","):
        rows += await database_costs(backend, args.repeat)
    rows.append(await reply_cost(args.repeat))
    print(f"\nFloor costs of one LINE message, {args.repeat} calls each (this process only)\n")
    head = f"{'piece':<62} {'CPU ms':>8} {'wall ms':>8}"
    print(head)
    print("-" * len(head))
    for name, cpu, wall in rows:
        print(f"{name:<62} {cpu:>8.2f} {wall:>8.2f}")
    print(
        "\nThe bare endpoint of webhook.py spends about 0.3 ms of CPU per message; the full"
        "\npath must spend at most four times that to reach 0.25× of its throughput."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=400, help="calls per piece")
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both")
    arguments = parser.parse_args()
    if not 10 <= arguments.repeat <= 100_000:
        parser.error("--repeat between 10 and 100000")
    asyncio.run(main(arguments))
