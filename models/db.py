"""The async database: engine, sessions, and migrations.

SQLite (aiosqlite) is the embedded default; PostgreSQL (asyncpg) is what a province runs.
Migrations are Alembic's, shipped inside this package so ``planbot db upgrade`` works from
an installed wheel as well as from a checkout.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from models import metadata  # noqa: F401 — every table registered wherever the database is used

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def is_sqlite(url: str | sa.URL) -> bool:
    return make_url(str(url)).get_backend_name() == "sqlite"


def sqlite_file(url: str | sa.URL) -> Path | None:
    """The file a SQLite URL names (relative to the working directory), else ``None``."""
    parsed = make_url(str(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def shown(url: str | sa.URL) -> str:
    """A URL as it may be printed: the password hidden, a SQLite file's full path added."""
    text = make_url(str(url)).render_as_string(hide_password=True)
    path = sqlite_file(url)
    return f"{text} ({path.resolve()})" if path is not None else text


def make_engine(url: str, *, foreign_keys: bool = True, **kwargs: Any) -> AsyncEngine:
    """Create the engine; on SQLite, turn on foreign keys, WAL and a busy timeout.

    WAL plus ``busy_timeout`` lets the chat workers and the scheduler share one file without
    "database is locked" errors under ordinary load. ``foreign_keys=False`` is for
    migrations only (SQLite alters a table by copying it, which the keys would refuse).
    """
    if is_sqlite(url):
        kwargs.setdefault("connect_args", {"timeout": 30})
    # a statement's parameters are people's messages and names: never in an error or a log
    kwargs.setdefault("hide_parameters", True)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", partial(_sqlite_pragmas, foreign_keys))
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_begin_immediate(connection: sa.Connection) -> None:
    """Take SQLite's write lock at BEGIN, so two writers queue (busy_timeout) instead of
    one failing at once when it upgrades a read snapshot another writer has made stale."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_transient(exc: BaseException) -> bool:
    """A database error that a retry of the whole transaction may not meet again:
    SQLite busy/locked, PostgreSQL serialization failure or deadlock."""
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    text = str(exc.orig).lower()
    return code in {"40001", "40P01"} or "database is locked" in text or "deadlock" in text


async def hold_lock(session: AsyncSession, namespace: int, name: str) -> None:
    """Until this transaction ends, be the only one holding ``name`` (PostgreSQL).

    A transaction-scoped advisory lock on ``namespace`` and a 32-bit digest of ``name``: a
    second transaction asking for the same name waits here, then reads what the first one
    committed (each statement sees what was committed before it began). Two names sharing a
    key only wait for each other needlessly. SQLite needs nothing: every write transaction
    already holds the whole database (``BEGIN IMMEDIATE``).
    """
    if session.bind.dialect.name != "postgresql":
        return
    await session.exec(  # type: ignore[call-overload]
        sa.select(sa.func.pg_advisory_xact_lock(namespace, lock_key(name)))
    )


def lock_key(name: str) -> int:
    """A stable signed 32-bit key for ``name`` (the same in every process, unlike hash())."""
    digest = hashlib.blake2b(name.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def _sqlite_pragmas(foreign_keys: bool, dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # pysqlite's own BEGIN off: ours is IMMEDIATE
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def one_of(column: Any, values: Iterable[Any], dialect: str) -> Any:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:array)``, one parameter however
    many values, so the statement compiles once instead of once per list (a national
    reminder pass asks for 150,000 people at a time)."""
    listed = list(values)
    if dialect != "postgresql":
        return column.in_(listed)
    kind = column.type
    item = sa.String() if isinstance(kind, sa.Enum | sa.String) else kind
    return column == sa.any_(sa.literal(listed, type_=postgresql.ARRAY(item)))


def dialect_of(session: Any) -> str:
    """The dialect name of a session's database (``postgresql``, ``sqlite``)."""
    return str(session.get_bind().dialect.name)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (chat replies read them)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with sessions() as session, session.begin():
        yield session


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` over the engine's own connection."""
    await _alembic(engine, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the schema back to ``revision`` (``base`` empties it)."""
    await _alembic(engine, command.downgrade, revision)


class BrokenForeignKeys(RuntimeError):
    """A migration left rows pointing at rows that do not exist (SQLite checks afterwards)."""


async def _alembic(engine: AsyncEngine, operation: Any, revision: str) -> None:
    url = engine.url.render_as_string(hide_password=False)

    def _run(connection: sa.Connection) -> None:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        operation(config, revision)
        if is_sqlite(url):  # the keys were off while tables were copied: check them now
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise BrokenForeignKeys(f"{len(broken)} rows, first: {broken[0]}")

    if not is_sqlite(url):
        async with engine.begin() as connection:
            await connection.run_sync(_run)
        return
    # SQLite: its own connection with foreign keys off (a PRAGMA a transaction cannot change)
    migrating = make_engine(url, foreign_keys=False, poolclass=sa.pool.NullPool)
    try:
        async with migrating.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await migrating.dispose()


def upgrade_url(url: str, revision: str = "head") -> None:
    """Synchronous entry point for the CLI: ``planbot db upgrade``."""

    async def _main() -> None:
        engine = make_engine(url)
        try:
            await upgrade(engine, revision)
        finally:
            await engine.dispose()

    asyncio.run(_main())


class SchemaOutOfDate(RuntimeError):
    """The database is behind the code: the operator should run ``planbot db upgrade``."""


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def _read(connection: sa.Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(_read)


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def require_current(engine: AsyncEngine) -> None:
    current, head = await current_revision(engine), head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"database schema is at {current or 'nothing'}, code needs {head}: "
            "run `planbot db upgrade`"
        )
