"""The ``planbot`` command: database, organizations, the legal calendar, the server, the chat."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.exc import DBAPIError

from bot.runtime import Runtime
from bot.settings import Settings
from models import db, thaitext
from models.audit_export import export_csv, find_organization
from models.clock import SystemClock
from models.deadlines import Deadline, deadline_after
from models.enums import OrgKind
from models.orgs import create_organization, list_organizations

T = TypeVar("T")

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

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (dates as ISO).")]


def run_with_runtime(work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Run one async piece of work against a fresh runtime, always closing it."""

    async def _main() -> T:
        runtime = Runtime.from_settings(Settings())
        try:
            await runtime.prepare_database()
            return await work(runtime)
        finally:
            await runtime.close()

    try:
        return asyncio.run(_main())
    except db.SchemaOutOfDate as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the Alembic migrations to PLANBOT_DATABASE_URL."""
    url = Settings().database_url
    db.upgrade_url(url, revision)
    typer.echo(f"database at {db.head_revision() if revision == 'head' else revision}")


def _parse_kind(text: str) -> OrgKind:
    kind = OrgKind.from_text(text)
    if kind is None:
        choices = ", ".join(k.short_th for k in OrgKind)
        raise typer.BadParameter(f"ไม่รู้จักประเภท '{text}' — ใช้ได้: {choices}")
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
    as_json: JsonOption = False,
) -> None:
    """Create an organization and print its admin invite code."""
    org_kind = _parse_kind(kind)

    async def work(rt: Runtime) -> dict[str, Any]:
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

    result = run_with_runtime(work)
    if as_json:
        print_json(result)
        return
    typer.echo(f"สร้าง {result['full_name']} แล้ว (id {result['id']})")
    typer.echo(
        f"รหัสเชิญผู้ดูแลระบบ: {result['admin_invite_code']} "
        f"(ใช้ได้ครั้งเดียว ถึง {result['invite_expires_on_th']})"
    )


@org_app.command("list")
def org_list(as_json: JsonOption = False) -> None:
    """List the organizations."""

    async def work(rt: Runtime) -> list[dict[str, Any]]:
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

    rows = run_with_runtime(work)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("ยังไม่มีองค์กร — สร้างด้วย planbot org create")
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
) -> None:
    """Every audit event of an organization's plan for a fiscal year, as CSV for Excel.

    UTF-8 with a byte-order mark (so Excel shows the Thai); the row count goes to stderr
    when the CSV goes to standard output.
    """
    if fy < 2400:
        raise typer.BadParameter("ปีงบประมาณเป็น พ.ศ. เช่น 2569", param_hint="--fy")

    async def work(rt: Runtime) -> tuple[str, int] | list[str]:
        async with rt.sessions() as session:
            found = await find_organization(session, org)
            if len(found) != 1:
                return [o.full_name for o in found]
            return await export_csv(session, found[0], fy, rt.clock.tz)

    result = run_with_runtime(work)
    if isinstance(result, list):
        listed = f" — ตรงกับหลายองค์กร: {', '.join(result)}" if result else ""
        typer.echo(f"error: ไม่พบองค์กร '{org}' เพียงองค์กรเดียว{listed}", err=True)
        raise typer.Exit(2)
    text, count = result
    if out is None:
        typer.echo(text, nl=False)
        typer.echo(f"{count} แถว", err=True)
        return
    out.write_bytes(text.encode("utf-8"))
    typer.echo(f"เขียนบันทึกการตรวจสอบ {count} แถว ลงใน {out}")


@app.command("holidays")
def holidays_cmd(
    fiscal_year: Annotated[int, typer.Argument(help="Fiscal year in พ.ศ., e.g. 2569.")],
    as_json: JsonOption = False,
) -> None:
    """The public holidays planbot counts as days off in a fiscal year (weekends aside)."""
    if fiscal_year < 2400:
        raise typer.BadParameter("ปีงบประมาณเป็น พ.ศ. เช่น 2569")
    days_off = Runtime.days_off_from(Settings())
    days = days_off.holidays_in_fiscal_year(fiscal_year)
    if as_json:
        print_json([{"date": d.isoformat(), "name": name} for d, name in days])
        return
    typer.echo(f"วันหยุดราชการ ปีงบประมาณ พ.ศ. {fiscal_year} (ไม่รวมเสาร์–อาทิตย์): {len(days)} วัน")
    for d, name in days:
        typer.echo(f"  {thaitext.format_thai_date(d, weekday=True)}  {name}")


@app.command("deadline")
def deadline_cmd(
    start: Annotated[str, typer.Argument(help="The event date, any form: 2568-10-01, 1 ต.ค. 68…")],
    days: Annotated[int, typer.Option(help="Days counted from the day after the event.")] = 30,
    as_json: JsonOption = False,
) -> None:
    """Calendar day and legal deadline: first day not counted, a day off moves it forward."""
    settings = Settings()
    parsed = thaitext.parse_date(start, today=SystemClock(settings.tz).today())
    if isinstance(parsed, thaitext.ParseError):
        typer.echo(parsed.reason, err=True)
        raise typer.Exit(2)
    if days < 1:
        raise typer.BadParameter("จำนวนวันต้องมากกว่า 0")
    result = deadline_after(parsed, days, Runtime.days_off_from(settings))
    if as_json:
        print_json(
            {
                "start": result.start.isoformat(),
                "days": result.days,
                "calendar_day": result.calendar_day.isoformat(),
                "legal_day": result.legal_day.isoformat(),
                "moved": result.moved,
                "skipped": [{"date": d.isoformat(), "reason": r} for d, r in result.skipped],
            }
        )
        return
    echo_deadline(result)


def echo_deadline(result: Deadline) -> None:
    fmt = thaitext.format_thai_date
    typer.echo(f"วันเริ่มเหตุ: {fmt(result.start, weekday=True)} (ไม่นับวันแรก)")
    typer.echo(f"ครบ {result.days} วัน: {fmt(result.calendar_day, weekday=True)}")
    legal = fmt(result.legal_day, weekday=True)
    if not result.moved:
        typer.echo(f"กำหนดตามกฎหมาย: {legal}")
        return
    typer.echo("ตรงกับวันหยุด:")
    for d, reason in result.skipped:
        typer.echo(f"  {fmt(d, 'short')}  {reason}")
    typer.echo(f"กำหนดตามกฎหมาย: {legal} (เลื่อนเป็นวันทำการถัดไป)")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Run the web app (/healthz; webhooks as channels are configured)."""
    import uvicorn

    from bot.web import create_app

    settings = Settings()
    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level.lower())


@app.command("demo")
def demo(
    database: Annotated[
        str, typer.Option(help="Demo database URL.")
    ] = "sqlite+aiosqlite:///./planbot-demo.db",
    as_json: JsonOption = False,
) -> None:
    """Open (creating if needed) the demo database, print what it holds, then chat as officer.

    On a terminal the chat is interactive; with piped input (a script) it prints the
    transcript. ``--json`` prints only the summary and starts no chat.
    """
    from bot.demo import describe, ensure_demo, render_summary

    async def _main() -> None:
        runtime = Runtime.from_settings(Settings(), database_url=database)
        try:
            await runtime.prepare_database()
            await ensure_demo(runtime)
            summary = await describe(runtime)
            if as_json:
                print_json(summary)
                return
            typer.echo(render_summary(summary))
            typer.echo("")
            await _console(runtime, "officer")
        finally:
            await runtime.close()

    _run_chat(_main())


@app.command("chat")
def chat(
    database: Annotated[
        str | None, typer.Option(help="Database URL (default: PLANBOT_DATABASE_URL).")
    ] = None,
    speaker: Annotated[
        str, typer.Option("--as", help="Console name to speak as first, e.g. officer.")
    ] = "officer",
) -> None:
    """Talk to planbot in the terminal as anyone (@name); piped input prints a transcript."""
    from bot.channels.console import MAX_NAME, clean_name

    if clean_name(speaker.removeprefix("@")) is None:
        raise typer.BadParameter(f"a console name: no spaces or @, at most {MAX_NAME} characters")

    async def _main() -> None:
        runtime = Runtime.from_settings(Settings(), database_url=database)
        try:
            await runtime.prepare_database()
            await _console(runtime, speaker)
        finally:
            await runtime.close()

    _run_chat(_main())


async def _console(runtime: Runtime, speaker: str) -> None:
    """The console chat on stdin: interactive on a terminal, a transcript from a pipe."""
    from bot.channels.console import ConsoleChat

    for stream in (sys.stdin, sys.stdout):  # a stray byte must not end the session
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    interactive = sys.stdin.isatty()
    console = ConsoleChat(runtime, speaker=speaker)
    await console.run(None if interactive else sys.stdin, interactive=interactive)


def _run_chat(work: Coroutine[Any, Any, None]) -> None:
    """Run a chat to its end; Ctrl-C leaves quietly, an old schema is a clear error."""
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


import bot.channels.line.cli  # noqa: E402 — registers ``planbot line``
import bot.channels.telegram.cli  # noqa: E402, F401 — registers ``planbot telegram``
