"""``planbot remind``, ``planbot outbox`` and ``planbot scheduler``: the clock, by hand.

``remind --dry-run`` prints what the day's reminder pass would queue, to whom and why, and
queues nothing (``--at`` picks the moment: any date form, พ.ศ. or ค.ศ., and a time);
``remind --now`` runs one pass and sends what is due through the configured platforms;
``outbox`` shows what waits, what failed and what went out lately (keys, never message
texts); ``scheduler`` runs the clock alone, without the web app (the reminders, and the
sending for every configured platform), until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli_common import DatabaseOption, JsonOption, print_json, run_with_runtime

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.settings import Settings
    from models.clock import Clock

TEXT = {
    "bad_at": 'อ่านเวลาไม่ได้: {text} — เช่น "2569-10-01 08:30" หรือ "1 ต.ค. 68 08:30"',
    "dry_title": "การแจ้งเตือนของวันที่ {day} (ยังไม่ได้ส่ง): {n} รายการ",
    "dry_line": "  {reason} → {person} ({channel} {account}) — {org}{queued}",
    "dry_text": "    {text}",
    "already": " · ส่งเข้าคิวแล้ว",
    "nothing": "  ไม่มีการแจ้งเตือนในวันนี้",
    "now": "คิวการแจ้งเตือนของวันที่ {day}: เพิ่ม {queued} รายการ · ส่งแล้ว {sent}",
    "sent_channel": "{channel} {n}",
    "outbox_title": "กล่องข้อความขาออก",
    "outbox_counts": "  {status}: {counts}",
    "outbox_section": "{title} ({n}):",
    "outbox_row": "  #{id} {channel} → {account} · {key} · {when}{extra}",
    "pending": "รอส่ง",
    "failed": "ส่งไม่สำเร็จ",
    "recent": "ส่งล่าสุด",
    "attempts": " · ลอง {n} ครั้ง",
    "sending": " · กำลังส่ง ถึง {until}",
    "error": " · {error}",
    "scheduler_started": "planbot scheduler ทำงานแล้ว — แจ้งเตือนเวลา {at} ({tz}) · Ctrl-C เพื่อหยุด",
    "scheduler_stopped": "หยุด scheduler แล้ว",
}
AtOption = Annotated[
    str | None,
    typer.Option("--at", help='The moment, e.g. "2569-10-01 08:30" (default: now).'),
]


def _clock(settings: Settings, at: str | None) -> Clock:
    from models.clock import FixedClock, SystemClock
    from models.thaitext import ParseError, parse_moment

    system = SystemClock(settings.tz)
    if at is None:
        return system
    moment = parse_moment(at, system.today(), settings.tz, settings.reminder_time)
    if isinstance(moment, ParseError):
        raise typer.BadParameter(TEXT["bad_at"].format(text=at), param_hint="--at")
    return FixedClock(moment, settings.tz)


def remind(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be queued; queue nothing.")
    ] = False,
    now: Annotated[
        bool, typer.Option("--now", help="Queue the day's reminders and send what is due.")
    ] = False,
    at: AtOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """The day's reminders: what would go to whom and why (--dry-run), or one pass (--now)."""
    from bot.settings import Settings

    if dry_run == now:
        raise typer.BadParameter("give one of --dry-run or --now")
    clock = _clock(Settings(), at)
    if dry_run:
        rows = run_with_runtime(_dry_run, database=database, read_only=True, clock=clock)
        if as_json:
            print_json(rows)
            return
        _echo_dry_run(rows, clock)
        return
    result = run_with_runtime(_pass_now, database=database, clock=clock)
    if as_json:
        print_json(result)
        return
    sent = " · ".join(
        TEXT["sent_channel"].format(channel=c, n=n) for c, n in result["sent"].items()
    )
    typer.echo(TEXT["now"].format(day=result["day"], queued=result["queued"], sent=sent or "0"))


async def _dry_run(rt: Runtime) -> list[dict[str, Any]]:
    from sqlmodel import col, select

    from handlers.messages import from_payload, plain_text
    from handlers.reminder_facts import plan_day
    from models.org import Person
    from models.records import OutboundMessage

    async with rt.sessions() as session:
        planned = await plan_day(session, rt.clock, rt.days_off, rt.clock.today())
        people = {p.address.person_id for p in planned}
        names = dict(
            (
                await session.exec(select(Person.id, Person.name).where(col(Person.id).in_(people)))
            ).all()
        )
        keys = [p.dedupe_key for p in planned]
        queued = set(
            (
                await session.exec(
                    select(OutboundMessage.dedupe_key).where(
                        col(OutboundMessage.dedupe_key).in_(keys)
                    )
                )
            ).all()
        )
    return [
        {
            "day": p.reminder.day.isoformat(),
            "reason": p.reminder.reason.value,
            "reason_th": p.reminder.reason.label_th,
            "edition_id": p.reminder.edition_id,
            "org": p.facts.org_name,
            "person_id": p.address.person_id,
            "person": names.get(p.address.person_id, ""),
            "channel": p.address.channel.value,
            "account": p.address.external_id,
            "dedupe_key": p.dedupe_key,
            "already_queued": p.dedupe_key in queued,
            "text": plain_text(from_payload(p.messages_payload)),
        }
        for p in planned
    ]


def _echo_dry_run(rows: list[dict[str, Any]], clock: Clock) -> None:
    from models.thaitext import format_thai_date

    typer.echo(TEXT["dry_title"].format(day=format_thai_date(clock.today()), n=len(rows)))
    if not rows:
        typer.echo(TEXT["nothing"])
    for row in rows:
        typer.echo(
            TEXT["dry_line"].format(
                reason=row["reason_th"],
                person=row["person"],
                channel=row["channel"],
                account=row["account"],
                org=row["org"],
                queued=TEXT["already"] if row["already_queued"] else "",
            )
        )
        typer.echo(TEXT["dry_text"].format(text=row["text"].split("\n", 1)[0]))


async def _pass_now(rt: Runtime) -> dict[str, Any]:
    from bot.channels.senders import configured_dispatches
    from scheduler.reminders import run_day

    done = await run_day(rt.sessions, rt.clock, rt.days_off)
    sent: dict[str, int] = {}
    async with configured_dispatches(rt) as dispatches:
        for dispatch in dispatches:
            channel = dispatch.sender.channel
            sent[channel.value if channel else "all"] = await dispatch.run()
    return {"day": done.day.isoformat(), "queued": done.queued, "sent": sent}


def outbox_cmd(
    limit: Annotated[int, typer.Option(help="Rows shown per section.")] = 10,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """What waits to be sent, what failed, and what went out lately (no message texts)."""
    report = run_with_runtime(lambda rt: _outbox(rt, limit), database=database, read_only=True)
    if as_json:
        print_json(report)
        return
    typer.echo(TEXT["outbox_title"])
    for status, counts in report["counts"].items():
        text = " · ".join(f"{channel} {n:,}" for channel, n in counts.items())
        typer.echo(TEXT["outbox_counts"].format(status=status, counts=text))
    for section in ("pending", "failed", "recent"):
        rows = report[section]
        typer.echo(TEXT["outbox_section"].format(title=TEXT[section], n=len(rows)))
        for row in rows:
            extra = ""
            if row["attempts"]:
                extra += TEXT["attempts"].format(n=row["attempts"])
            if row["claimed_until"]:
                extra += TEXT["sending"].format(until=row["claimed_until"])
            if row["last_error"] and section != "recent":
                extra += TEXT["error"].format(error=row["last_error"][:120])
            shown = {**row, "when": row["when"] or "-", "extra": extra}
            typer.echo(TEXT["outbox_row"].format(**shown))


async def _outbox(rt: Runtime, limit: int) -> dict[str, Any]:
    from sqlmodel import col, func, select

    from models.enums import OutboxStatus
    from models.org import ChannelAccount
    from models.records import OutboundMessage as Row

    def listing(status: OutboxStatus, order: Any, when: Any) -> Any:
        return (
            select(Row, ChannelAccount.external_id, when)
            .join(ChannelAccount, col(ChannelAccount.id) == Row.account_id)
            .where(Row.status == status)
            .order_by(order)
            .limit(limit)
        )

    async with rt.sessions() as session:
        counted = (
            await session.exec(
                select(Row.status, Row.channel, func.count()).group_by(
                    col(Row.status), col(Row.channel)
                )
            )
        ).all()
        sections = {
            "pending": listing(
                OutboxStatus.PENDING, col(Row.next_attempt_at).asc(), Row.next_attempt_at
            ),
            "failed": listing(OutboxStatus.FAILED, col(Row.id).desc(), Row.created_at),
            "recent": listing(OutboxStatus.SENT, col(Row.sent_at).desc(), Row.sent_at),
        }
        report: dict[str, Any] = {"counts": {}}
        for status, channel, n in counted:
            report["counts"].setdefault(status.value, {})[channel.value] = int(n)
        for name, statement in sections.items():
            report[name] = [
                {
                    "id": row.id,
                    "key": row.dedupe_key,
                    "channel": row.channel.value,
                    "account": account,
                    "attempts": row.attempts,
                    "claimed_until": row.claimed_until.isoformat() if row.claimed_until else None,
                    "last_error": row.last_error,
                    "when": when.astimezone(rt.clock.tz).isoformat(timespec="minutes")
                    if when
                    else None,
                }
                for row, account, when in (await session.exec(statement)).all()
            ]
    return report


def scheduler_cmd(database: DatabaseOption = None) -> None:
    """Run the clock alone: the day's reminders and the sending, until stopped.

    Several processes may run it on PostgreSQL: one leads (an advisory lock) and queues the
    reminders; every one sends. Stops on Ctrl-C or SIGTERM.
    """

    async def main(runtime: Runtime) -> None:
        from bot.channels.senders import configured_dispatches
        from scheduler.jobs import Scheduler

        settings = runtime.settings
        runtime.days_off.warm(runtime.clock.today())
        async with configured_dispatches(runtime) as dispatches:
            clock = Scheduler(runtime.clockwork(dispatches=dispatches))
            await clock.start()
            typer.echo(TEXT["scheduler_started"].format(at=settings.reminder_time, tz=settings.tz))
            try:
                await _until_stopped()
            finally:
                await clock.stop()

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C before the signal handlers
        run_with_runtime(main, database=database)
    typer.echo(TEXT["scheduler_stopped"])


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
