"""Backing up and restoring the embedded SQLite database, safely while the bot serves.

SQLite's online backup API (``sqlite3.Connection.backup``) copies the database page by
page from a connection of its own; copied in one step, as here, it reads one consistent
snapshot (WAL mode lets writers go on meanwhile), so a backup taken while ``planbot serve``
is answering people is a database as it was at one instant — unlike copying the file,
which can catch a half-written page and misses what is still in the ``-wal`` file. The
copy is then checked (``PRAGMA integrity_check``) and must be planbot's (it has a schema
revision). PostgreSQL is backed up with its own tools (``pg_dump``; see the README).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class BackupError(RuntimeError):
    """The file is not a usable planbot backup, or the copy failed its check."""


@dataclass(frozen=True)
class Copied:
    path: Path
    revision: str
    bytes: int
    organizations: int


@contextlib.contextmanager
def _open(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    connection = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def describe(path: Path) -> Copied:
    """Check a database file and say what it holds; :class:`BackupError` when unusable."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with _open(path, read_only=True) as connection:
            checked = connection.execute("PRAGMA integrity_check").fetchone()
            if not checked or checked[0] != "ok":
                raise BackupError(f"{path}: integrity check failed: {checked}")
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            orgs = connection.execute("SELECT count(*) FROM organization").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a planbot database ({exc})") from exc
    if not revision:
        raise BackupError(f"{path}: no schema revision (not migrated)")
    return Copied(path, str(revision[0]), path.stat().st_size, int(orgs[0]))


def copy(source: Path, target: Path) -> Copied:
    """Copy the database at ``source`` into ``target`` (replaced) in one consistent step."""
    describe(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with _open(source, read_only=True) as src, _open(partial) as dst:
        src.backup(dst)  # pages=-1: the whole database, one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    copied = describe(partial)
    partial.replace(target)
    return Copied(target, copied.revision, target.stat().st_size, copied.organizations)


def restore(backup: Path, target: Path) -> Copied:
    """Put a backup in place of the database at ``target``, through SQLite (so a ``-wal``
    file left beside the target is taken care of rather than mixed in)."""
    found = describe(backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _open(backup, read_only=True) as src, _open(target) as dst:
        src.backup(dst)
    return Copied(target, found.revision, target.stat().st_size, found.organizations)


def holds_data(path: Path) -> bool:
    """Whether a database file exists with organizations in it (restoring over it loses them)."""
    try:
        return describe(path).organizations > 0
    except BackupError:
        return path.exists() and path.stat().st_size > 0
