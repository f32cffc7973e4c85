"""The ``planbot`` command: database, organizations, the legal calendar, the server, the chat.

Start-up stays quick: this module imports typer and little else, and each command imports
what it needs when it runs (the database, the web app, a chat SDK), so ``planbot --help``
and ``planbot deadline`` never wait for LINE's SDK or the ORM. ``tests/test_cli.py``
checks that the cheap commands leave the heavy modules unloaded.

Commands that only read (``org list``, ``audit export``, ``line quota``) never create a
database: they say which one they looked at, and a SQLite file that is not there is an
error naming it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.channels.line.cli import line_app
from bot.channels.telegram.cli import telegram_app
from bot.cli_backup import backup, restore
from bot.cli_common import (
    DEMO_DATABASE,
    DatabaseOption,
    JsonOption,
    database_url,
    demo_hint,
    print_json,
    run_with_runtime,
    shown,
)
from bot.cli_export import export
from bot.cli_privacy import org_privacy, person_app, retention_app
from bot.cli_reminders import outbox_cmd, remind, scheduler_cmd

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from models.deadlines import Deadline
    from models.enums import OrgKind

TEXT = {
    "database": "ฐานข้อมูล: {database}",
    "schema_at": "database at {revision}",
    "unknown_kind": "ไม่รู้จักประเภท '{kind}' — ใช้ได้: {choices}",
    "org_created": "สร้าง {full_name} แล้ว (id {id})",
    "admin_invite": "รหัสเชิญผู้ดูแลระบบ: {code} (ใช้ได้ครั้งเดียว ถึง {until})",
    "no_orgs": "ยังไม่มีองค์กรในฐานข้อมูล {database} — สร้างด้วย planbot org create",
    "fy_in_be": "ปีงบประมาณเป็น พ.ศ. เช่น 2569",
    "org_not_found": "error: ไม่พบองค์กร '{org}' ในฐานข้อมูล {database}",
    "orgs_there": "องค์กรที่มีในฐานข้อมูลนี้: {names}",
    "org_ambiguous": "error: '{org}' ตรงกับหลายองค์กร: {names} — ระบุให้ชัดขึ้น หรือใช้เลข id",
    "rows": "{count} แถว จากฐานข้อมูล {database}",
    "no_rows": "ไม่พบบันทึกการตรวจสอบของ {org} ปีงบประมาณ {fy} ในฐานข้อมูล {database}",
    "written": "เขียนบันทึกการตรวจสอบ {count} แถว ลงใน {out} (จากฐานข้อมูล {database})",
    "holidays": "วันหยุดราชการ ปีงบประมาณ พ.ศ. {fy} (ไม่รวมเสาร์–อาทิตย์): {count} วัน",
    "days_positive": "จำนวนวันต้องมากกว่า 0",
    "start_day": "วันเริ่มเหตุ: {day} (ไม่นับวันแรก)",
    "calendar_day": "ครบ {days} วัน: {day}",
    "day_off_hit": "ตรงกับวันหยุด:",
    "day_off": "  {day}  {reason}",
    "due": "กำหนดตามกฎหมาย: {day}",
    "rule": {
        "authority": ("  (หน้าที่ของหน่วยงาน: วันสุดท้ายนับแม้เป็นวันหยุด — พ.ร.บ.วิธีปฏิบัติราชการทางปกครอง ม.64)"),
        "civil": ("  (ประมวลกฎหมายแพ่งและพาณิชย์ ม.193/8: วันสุดท้ายเป็นวันหยุด เลื่อนเป็นวันทำการถัดไป)"),
    },
    "on_day_off": "เป็นวันหยุด — ควรดำเนินการให้แล้วเสร็จภายใน {day}",
    "moved": "เลื่อนจากวันที่ครบ {days} วันซึ่งเป็นวันหยุด เป็นวันทำการถัดไป",
    "other_rule": {
        "authority": "หากนับตาม ม.193/8 (--rule civil): {day}",
        "civil": ("หากนับตาม ม.64 (--rule authority): {day} — ควรดำเนินการให้แล้วเสร็จภายใน {last}"),
    },
    "demo_new": "(ฐานข้อมูลสาธิตใหม่)",
    "demo_continues": "(ต่อจากครั้งก่อน: ข้อมูลที่เคยทำไว้ยังอยู่ — เริ่มใหม่ทั้งหมดด้วย planbot demo --fresh)",
    "fresh_sqlite_only": (
        "error: --fresh ลบได้เฉพาะไฟล์ SQLite ของ demo — สำหรับ {database} ให้สร้างฐานข้อมูลใหม่เอง"
    ),
    "fresh_not_demo": (
        "error: ไม่ลบ {database}: มีข้อมูลอื่นนอกจาก อบต.สาธิต (ไม่ใช่ฐานข้อมูลของ planbot demo)"
    ),
    "console_name": "a console name: no spaces or @, at most {max} characters",
}

SHUTDOWN_GRACE = 20  # seconds open requests get at shutdown, before the channels stop

app = typer.Typer(
    help="planbot — แผนการดำเนินงาน chatbot for Thai local governments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
org_app = typer.Typer(help="Organizations (อปท.).", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(org_app, name="org")
app.add_typer(audit_app, name="audit")
app.add_typer(line_app, name="line")
app.add_typer(telegram_app, name="telegram")
app.add_typer(person_app, name="person")
app.add_typer(retention_app, name="retention")


# -- db, org, audit -------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(revision: str = "head", database: DatabaseOption = None) -> None:
    """Apply the Alembic migrations to PLANBOT_DATABASE_URL (or --database)."""
    from models import db

    db.upgrade_url(database_url(database), revision)
    shown_revision = db.head_revision() if revision == "head" else revision
    typer.echo(TEXT["schema_at"].format(revision=shown_revision))


def _parse_kind(text: str) -> OrgKind:
    from models.enums import OrgKind

    kind = OrgKind.from_text(text)
    if kind is None:
        choices = ", ".join(k.short_th for k in OrgKind)
        raise typer.BadParameter(TEXT["unknown_kind"].format(kind=text, choices=choices))
    return kind


@org_app.command("create")
def org_create(
    name: Annotated[str, typer.Option(help="Name without the kind, e.g. ภูเวียง.")],
    kind: Annotated[str, typer.Option(help="อบต., ทต., ทม., ทน., อบจ., กทม., เมืองพัทยา")],
    district: Annotated[str, typer.Option(help="อำเภอ")],
    province: Annotated[str, typer.Option(help="จังหวัด")],
    strategy: Annotated[
        list[str] | None, typer.Option(help="A strategy (ยุทธศาสตร์), in order; repeat.")
    ] = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an organization and print its admin invite code."""
    org_kind = _parse_kind(kind)

    async def work(rt: Runtime) -> dict[str, Any]:
        from models import db, thaitext
        from models.orgs import create_organization

        async with db.transaction(rt.sessions) as session:
            org, invite = await create_organization(
                session,
                rt.clock,
                kind=org_kind,
                name=name.strip(),
                district=district.strip(),
                province=province.strip(),
                strategies=strategy or [],
            )
        return {
            "id": org.id,
            "name": org.short_name,
            "full_name": org.full_name,
            "admin_invite_code": invite.code,
            "invite_expires_at": invite.expires_at.isoformat(),
            "invite_expires_on_th": thaitext.format_thai_date(
                invite.expires_at.astimezone(rt.clock.tz).date()
            ),
        }

    result = run_with_runtime(work, database=database)
    if as_json:
        print_json(result)
        return
    typer.echo(TEXT["org_created"].format(full_name=result["full_name"], id=result["id"]))
    typer.echo(
        TEXT["admin_invite"].format(
            code=result["admin_invite_code"], until=result["invite_expires_on_th"]
        )
    )


@org_app.command("list")
def org_list(database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """List the organizations (reads only: never creates a database)."""
    url = database_url(database)

    async def work(rt: Runtime) -> list[dict[str, Any]]:
        from models.orgs import list_organizations

        async with rt.sessions() as session:
            orgs = await list_organizations(session)
        return [
            {
                "id": o.id,
                "kind": o.kind.value,
                "name": o.short_name,
                "full_name": o.full_name,
                "district": o.district,
                "province": o.province,
            }
            for o in orgs
        ]

    rows = run_with_runtime(work, database=url, read_only=True)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(TEXT["no_orgs"].format(database=shown(url)))
        demo_hint(url)
        return
    typer.echo(TEXT["database"].format(database=shown(url)))
    for row in rows:
        typer.echo(
            f"{row['id']:>4}  {row['full_name']}  อำเภอ{row['district']} จังหวัด{row['province']}"
        )


@audit_app.command("export")
def audit_export(
    org: Annotated[str, typer.Option(help="Organization id or name, e.g. 1 or หนองแวง.")],
    fy: Annotated[int, typer.Option(help="Fiscal year in พ.ศ., e.g. 2569.")],
    out: Annotated[
        Path | None, typer.Option(help="CSV file to write (default: standard output).")
    ] = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every audit event of an organization's plan for a fiscal year, as CSV for Excel.

    The CSV is in Thai (columns, actions, roles, money in baht, dates in พ.ศ.), UTF-8 with
    a byte-order mark so Excel shows it; --json gives the same events for machines (codes,
    ISO times, the raw before/after). The row count and the database read go to stderr when
    the output goes to standard output. Reads only: never creates a database.
    """
    if fy < 2400:
        raise typer.BadParameter(TEXT["fy_in_be"], param_hint="--fy")
    url = database_url(database)

    async def work(rt: Runtime) -> tuple[str, int, str] | tuple[list[str], list[str]]:
        from models.audit_export import export_csv, export_json, find_organization
        from models.orgs import list_organizations

        async with rt.sessions() as session:
            found = await find_organization(session, org)
            if len(found) != 1:
                everyone = [o.full_name for o in await list_organizations(session)]
                return [o.full_name for o in found], everyone
            if as_json:
                rows = await export_json(session, found[0], fy, rt.clock.tz)
                text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
                return text, len(rows), found[0].full_name
            text, count = await export_csv(session, found[0], fy, rt.clock.tz)
            return text, count, found[0].full_name

    result = run_with_runtime(work, database=url, read_only=True)
    if len(result) == 2:
        found, everyone = result
        _org_not_found(org, found, everyone, url)
    text, count, org_name = result
    if count == 0:
        message = TEXT["no_rows"].format(org=org_name, fy=fy, database=shown(url))
        typer.echo(message, err=True)
    if out is None:
        typer.echo(text, nl=False)
        typer.echo(TEXT["rows"].format(count=count, database=shown(url)), err=True)
        return
    out.write_bytes(text.encode("utf-8"))
    typer.echo(TEXT["written"].format(count=count, out=out, database=shown(url)))


def _org_not_found(org: str, found: list[str], everyone: list[str], url: str) -> None:
    if found:
        typer.echo(TEXT["org_ambiguous"].format(org=org, names=", ".join(found)), err=True)
        raise typer.Exit(2)
    typer.echo(TEXT["org_not_found"].format(org=org, database=shown(url)), err=True)
    if everyone:
        typer.echo(TEXT["orgs_there"].format(names=", ".join(everyone)), err=True)
    demo_hint(url)
    raise typer.Exit(2)


# -- the legal calendar ---------------------------------------------------------------------


@app.command("holidays")
def holidays_cmd(
    fiscal_year: Annotated[int, typer.Argument(help="Fiscal year in พ.ศ., e.g. 2569.")],
    as_json: JsonOption = False,
) -> None:
    """The public holidays planbot counts as days off in a fiscal year (weekends aside)."""
    from bot.runtime import Runtime
    from bot.settings import Settings
    from models import thaitext

    if fiscal_year < 2400:
        raise typer.BadParameter(TEXT["fy_in_be"])
    days_off = Runtime.days_off_from(Settings())
    days = days_off.holidays_in_fiscal_year(fiscal_year)
    if as_json:
        print_json([{"date": d.isoformat(), "name": name} for d, name in days])
        return
    typer.echo(TEXT["holidays"].format(fy=fiscal_year, count=len(days)))
    for d, name in days:
        typer.echo(f"  {thaitext.format_thai_date(d, weekday=True)}  {name}")


@app.command("deadline")
def deadline_cmd(
    start: Annotated[str, typer.Argument(help="The event date, any form: 2568-10-01, 1 ต.ค. 68…")],
    days: Annotated[int, typer.Option(help="Days counted from the day after the event.")] = 30,
    rule: Annotated[
        str | None,
        typer.Option(help="authority or civil, for this call (default: PLANBOT_DEADLINE_RULE)."),
    ] = None,
    province: Annotated[
        str | None, typer.Option(help="Count the operator file's regional days off of a province.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The deadline N days after an event: the first day is not counted; on a day off it
    stays (authority, APA §64: the last working day before it is named) or moves to the next
    working day (civil, Civil Code §193/8)."""
    from bot.runtime import Runtime
    from bot.settings import Settings
    from models import thaitext
    from models.clock import SystemClock
    from models.deadlines import DeadlineRule, deadline_after

    if rule is not None and rule not in {r.value for r in DeadlineRule}:
        raise typer.BadParameter("authority or civil", param_hint="--rule")
    settings = Settings()
    parsed = thaitext.parse_date(start, today=SystemClock(settings.tz).today())
    if isinstance(parsed, thaitext.ParseError):
        typer.echo(parsed.reason, err=True)
        raise typer.Exit(2)
    if days < 1:
        raise typer.BadParameter(TEXT["days_positive"])
    days_off = Runtime.days_off_from(settings).of(province)
    result = deadline_after(parsed, days, days_off, DeadlineRule(rule) if rule else None)
    if as_json:
        print_json(
            {
                "start": result.start.isoformat(),
                "days": result.days,
                "rule": result.rule.value,
                "due": result.due.isoformat(),
                "calendar_day": result.calendar_day.isoformat(),
                "last_working_day": result.last_working_day.isoformat(),
                "civil_code_day": result.civil_code_day.isoformat(),
                "on_day_off": result.on_day_off,
                "moved": result.moved,
                "days_off": [{"date": d.isoformat(), "reason": r} for d, r in result.days_off],
            }
        )
        return
    echo_deadline(result)


def echo_deadline(result: Deadline) -> None:
    """The deadline in Thai: the count, the days off it meets, the rule, the other rule's day."""
    from models.thaitext import format_thai_date

    def fmt(day: Any) -> str:
        return format_thai_date(day, weekday=True)

    typer.echo(TEXT["start_day"].format(day=fmt(result.start)))
    typer.echo(TEXT["calendar_day"].format(days=result.days, day=fmt(result.calendar_day)))
    if result.days_off:
        typer.echo(TEXT["day_off_hit"])
        for d, reason in result.days_off:
            typer.echo(TEXT["day_off"].format(day=format_thai_date(d, "short"), reason=reason))
    typer.echo(TEXT["due"].format(day=fmt(result.due)))
    typer.echo(TEXT["rule"][result.rule.value])
    if result.on_day_off:
        typer.echo(TEXT["on_day_off"].format(day=fmt(result.last_working_day)))
    if result.moved:
        typer.echo(TEXT["moved"].format(days=result.days))
    if result.days_off:
        civil = result.rule.value == "civil"
        day = result.calendar_day if civil else result.civil_code_day
        other = TEXT["other_rule"][result.rule.value]
        typer.echo(other.format(day=fmt(day), last=fmt(result.last_working_day)))


# -- the server and the chat ----------------------------------------------------------------


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Run the web app (/healthz, /readyz, /metrics; webhooks as channels are configured) and
    the scheduler.

    Logs go to stderr in one format (``PLANBOT_LOG_FORMAT=json`` for JSON). On SIGTERM or
    Ctrl-C it stops taking requests, lets turns in flight finish, then stops the channels.
    """
    import uvicorn

    from bot import logs
    from bot.settings import Settings
    from bot.web import create_app

    settings = Settings()
    logs.configure(settings)
    uvicorn.run(
        create_app(settings, scheduler=True),
        host=host,
        port=port,
        log_config=None,  # ours (bot.logs): one format for planbot, uvicorn and the libraries
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
    )


@app.command("demo")
def demo(
    database: Annotated[str, typer.Option(help="Demo database URL.")] = DEMO_DATABASE,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Start from a new demo database (deletes the old).")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option(help='Start the demo clock here, e.g. "2569-10-01 08:30" (default: now).'),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Open (creating if needed) the demo database, print what it holds, then chat as officer.

    The demo database is kept between runs, so a second script continues the first;
    ``--fresh`` starts over. On a terminal the chat is interactive; with piped input (a
    script) it prints the transcript. ``--json`` prints only the summary and starts no chat.
    The demo's clock stands still unless moved: ``@clock +3d`` or ``@clock 2569-10-25 08:30``
    in the chat moves it, running the reminders that fall due on the way.
    """
    from bot.demo import DemoClock, describe, ensure_demo, render_summary, start_clock
    from bot.runtime import Runtime
    from bot.settings import Settings
    from models import db, thaitext
    from models.clock import FixedClock, SystemClock

    settings = Settings()
    clock = FixedClock(SystemClock(settings.tz).now(), settings.tz)
    if at is not None:
        moment = thaitext.parse_moment(at, clock.today(), settings.tz, settings.reminder_time)
        if isinstance(moment, thaitext.ParseError):
            raise typer.BadParameter(moment.reason, param_hint="--at")
        clock.set(moment)
    if fresh:
        start_demo_afresh(database)
    path = db.sqlite_file(database)
    continuing = path is not None and path.exists()

    async def _main() -> None:
        runtime = Runtime.from_settings(settings, database_url=database, clock=clock)
        try:
            await runtime.prepare_database()
            await ensure_demo(runtime)
            summary = await describe(runtime)
            if as_json:
                print_json(summary)
                return
            typer.echo(render_summary(summary))
            if path is not None:
                typer.echo(TEXT["demo_continues" if continuing else "demo_new"])
            typer.echo("")
            await start_clock(runtime)
            await _console(runtime, "officer", DemoClock(runtime, clock))
        finally:
            await runtime.close()

    _run_chat(_main())


def start_demo_afresh(database: str) -> None:
    """Delete the demo's SQLite file, after checking it holds nothing but the demo."""
    from bot.demo import holds_only_the_demo
    from bot.runtime import Runtime
    from bot.settings import Settings
    from models import db

    path = db.sqlite_file(database)
    if path is None:
        typer.echo(TEXT["fresh_sqlite_only"].format(database=shown(database)), err=True)
        raise typer.Exit(2)
    if not path.exists():
        return

    async def only_demo() -> bool:
        runtime = Runtime.from_settings(Settings(), database_url=database)
        try:
            return await holds_only_the_demo(runtime)
        finally:
            await runtime.close()

    if not asyncio.run(only_demo()):
        typer.echo(TEXT["fresh_not_demo"].format(database=shown(database)), err=True)
        raise typer.Exit(2)
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@app.command("chat")
def chat(
    database: DatabaseOption = None,
    speaker: Annotated[
        str, typer.Option("--as", help="Console name to speak as first, e.g. officer.")
    ] = "officer",
) -> None:
    """Talk to planbot in the terminal as anyone (@name); piped input prints a transcript."""
    from bot.channels.console import MAX_NAME, clean_name
    from bot.runtime import Runtime
    from bot.settings import Settings

    if clean_name(speaker.removeprefix("@")) is None:
        raise typer.BadParameter(TEXT["console_name"].format(max=MAX_NAME))

    async def _main() -> None:
        runtime = Runtime.from_settings(Settings(), database_url=database)
        try:
            await runtime.prepare_database()
            await _console(runtime, speaker)
        finally:
            await runtime.close()

    _run_chat(_main())


async def _console(runtime: Runtime, speaker: str, clock_hook: Any = None) -> None:
    """The console chat on stdin: interactive on a terminal, a transcript from a pipe."""
    from bot.channels.console import ConsoleChat

    for stream in (sys.stdin, sys.stdout):  # a stray byte must not end the session
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    interactive = sys.stdin.isatty()
    console = ConsoleChat(runtime, speaker=speaker, clock_hook=clock_hook)
    await console.run(None if interactive else sys.stdin, interactive=interactive)


def _run_chat(work: Coroutine[Any, Any, None]) -> None:
    """Run a chat to its end; Ctrl-C leaves quietly, an old schema is a clear error."""
    from sqlalchemy.exc import DBAPIError

    from models import db

    try:
        asyncio.run(work)
    except KeyboardInterrupt:
        typer.echo("")
        raise typer.Exit(130) from None
    except db.SchemaOutOfDate as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except DBAPIError as exc:  # only at start-up: once chatting, the console reports and goes on
        typer.echo(f"error: cannot use the database: {exc.orig}", err=True)
        raise typer.Exit(2) from exc


app.command("export")(export)  # listed after the everyday commands
app.command("remind")(remind)
app.command("outbox")(outbox_cmd)
app.command("scheduler")(scheduler_cmd)
org_app.command("privacy")(org_privacy)
app.command("backup")(backup)
app.command("restore")(restore)
