"""What every ``planbot`` sub-command shares: ``--json``, ``--database``, running on a database.

Kept free of heavy imports (typer only), like the command modules that use it: the
database modules are imported when a command runs against a database.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from models.clock import Clock

T = TypeVar("T")

DEMO_DATABASE = "sqlite+aiosqlite:///./planbot-demo.db"

TEXT = {
    "database": "ฐานข้อมูล: {database}",
    "no_database": (
        "error: ไม่มีฐานข้อมูลที่ {database} — ระบุฐานข้อมูลด้วย --database URL "
        "หรือ PLANBOT_DATABASE_URL (คำสั่งที่อ่านข้อมูลจะไม่สร้างฐานข้อมูลใหม่)"
    ),
    "demo_hint": "ข้อมูลของ planbot demo อยู่ใน planbot-demo.db: เพิ่ม --database {demo}",
    "cannot_use": "error: ใช้ฐานข้อมูล {database} ไม่ได้: {reason}",
}

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (dates as ISO).")]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database", help="Database URL (default: PLANBOT_DATABASE_URL).", show_default=False
    ),
]


class DatabaseUnavailable(Exception):
    """The database could not be opened (server down, no such database, not a database)."""

    def __init__(self, url: str, reason: object) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def database_url(database: str | None) -> str:
    """The URL a command uses: ``--database``, else the settings (``PLANBOT_DATABASE_URL``)."""
    from bot.settings import Settings

    return database or Settings().database_url


def shown(url: str) -> str:
    """The URL as printed: no password; a SQLite file with its full path."""
    from models import db

    return db.shown(url)


def run_with_runtime(
    work: Callable[[Runtime], Awaitable[T]],
    *,
    database: str | None = None,
    read_only: bool = False,
    clock: Clock | None = None,
) -> T:
    """Run one async piece of work against a fresh runtime, always closing it.

    ``read_only``: the command only reads, so a SQLite file that does not exist is an error
    naming it, not a new, empty database. A database that cannot be opened, or whose schema
    is behind the code, is a clean exit 2 with the reason. ``clock``: the moment the work
    sees (``--at``); the system clock when not given.
    """
    from sqlalchemy.exc import DBAPIError

    from bot.runtime import Runtime
    from bot.settings import Settings
    from models import db

    settings = Settings()
    url = database or settings.database_url
    if read_only:
        require_database(url)

    async def _main() -> T:
        runtime = Runtime.from_settings(settings, database_url=url, clock=clock)
        try:
            try:
                await runtime.prepare_database()
            except (DBAPIError, OSError) as exc:
                raise DatabaseUnavailable(url, getattr(exc, "orig", None) or exc) from exc
            return await work(runtime)
        finally:
            await runtime.close()

    try:
        return asyncio.run(_main())
    except db.SchemaOutOfDate as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except DatabaseUnavailable as exc:
        typer.echo(TEXT["cannot_use"].format(database=shown(url), reason=exc.reason), err=True)
        raise typer.Exit(2) from exc


def require_database(url: str) -> None:
    """Exit 2, saying where it looked, when ``url`` is a SQLite file that is not there."""
    from models import db

    path = db.sqlite_file(url)
    if path is None or path.exists():
        return
    typer.echo(TEXT["no_database"].format(database=shown(url)), err=True)
    demo_hint(url)
    raise typer.Exit(2)


def demo_hint(url: str) -> None:
    """Point a newcomer at the demo's database when it is here and they looked elsewhere."""
    from models import db

    demo = db.sqlite_file(DEMO_DATABASE)
    if demo is not None and demo.exists() and db.sqlite_file(url) != demo:
        typer.echo(TEXT["demo_hint"].format(demo=DEMO_DATABASE), err=True)
