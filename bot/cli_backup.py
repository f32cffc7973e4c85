"""``planbot backup`` and ``planbot restore``: the embedded SQLite database to a file and back.

Safe while ``planbot serve`` runs (``models.backup`` uses SQLite's online backup API).
Restoring replaces the database: stop the server first, and restore over a database that
holds data only with ``--force``. A PostgreSQL database is backed up with ``pg_dump``; for
one, these commands say how (README: "Backups").
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli_common import DatabaseOption, JsonOption, database_url, print_json, shown

TEXT = {
    "postgres_backup": (
        "error: {database} is PostgreSQL — back it up with pg_dump, e.g.\n"
        "  pg_dump --format=custom --file planbot-$(date +%F).dump '{plain}'\n"
        "and restore with pg_restore --clean --if-exists --dbname '{plain}' FILE"
        " (README: Backups)"
    ),
    "backed_up": (
        "สำรองข้อมูล {database} ไว้ที่ {out} แล้ว ({size:,} ไบต์, schema {revision}, {orgs} องค์กร)"
    ),
    "restored": (
        "กู้คืน {backup} ลงใน {database} แล้ว (schema {revision}, {orgs} องค์กร)"
        " — planbot จะปรับ schema ให้เป็นปัจจุบันเมื่อเริ่มทำงาน"
    ),
    "holds_data": (
        "error: {database} มีข้อมูลอยู่แล้ว — การกู้คืนจะแทนที่ทั้งหมด: หยุด planbot serve แล้วสั่งใหม่พร้อม --force"
    ),
    "bad": "error: {reason}",
}


def _sqlite_or_exit(url: str, *, backing_up: bool) -> Path:
    from sqlalchemy.engine import make_url

    from models import db

    path = db.sqlite_file(url)
    if path is None:
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=True)
        typer.echo(TEXT["postgres_backup"].format(database=shown(url), plain=plain), err=True)
        raise typer.Exit(2)
    if backing_up and not path.exists():
        from bot.cli_common import require_database

        require_database(url)
    return path


def backup(
    out: Annotated[
        Path, typer.Option(help="The backup file to write, e.g. planbot-2569-10-01.db.")
    ],
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Copy the SQLite database to a file, consistent even while planbot serves."""
    from models.backup import BackupError, copy

    url = database_url(database)
    source = _sqlite_or_exit(url, backing_up=True)
    try:
        done = copy(source, out)
    except BackupError as exc:
        typer.echo(TEXT["bad"].format(reason=exc), err=True)
        raise typer.Exit(2) from exc
    if as_json:
        print_json({"out": str(done.path), "bytes": done.bytes, "revision": done.revision})
        return
    typer.echo(
        TEXT["backed_up"].format(
            database=shown(url),
            out=done.path,
            size=done.bytes,
            revision=done.revision,
            orgs=done.organizations,
        )
    )


def restore(
    backup_file: Annotated[Path, typer.Argument(help="A file planbot backup wrote.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that holds data.")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Replace the SQLite database with a backup (stop planbot serve first)."""
    from models.backup import BackupError, holds_data
    from models.backup import restore as put_back

    url = database_url(database)
    target = _sqlite_or_exit(url, backing_up=False)
    if holds_data(target) and not force:
        typer.echo(TEXT["holds_data"].format(database=shown(url)), err=True)
        raise typer.Exit(2)
    try:
        done = put_back(backup_file, target)
    except BackupError as exc:
        typer.echo(TEXT["bad"].format(reason=exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(
        TEXT["restored"].format(
            backup=backup_file, database=shown(url), revision=done.revision, orgs=done.organizations
        )
    )
