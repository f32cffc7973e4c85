"""Upgrades from every earlier schema version, with data in it (not only from empty).

For each revision before head, on both backends: the schema is built at that revision, every
one of its tables gets rows — every column filled, foreign keys pointing at real rows, enum
columns holding values the code knows — then the database is upgraded to head. Every row
must still be there, readable through today's models, and the data migrations must have done
their part (0003 puts back an amended project's announced title; 0009 empties the content of
handled LINE events). The rows are made from the schema itself, so a new migration is
covered the day it is written; add a check below when it transforms data.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

import models
from bot.runtime import Runtime
from models import db

ROWS = 2
FIRST_ID = 1001  # clear of the seeded plan areas
NOW = datetime(2025, 10, 1, 2, 0, tzinfo=UTC)
# What a data migration reads, made meaningful (table → column → value for row i)
SPECIAL: dict[str, dict[str, Any]] = {
    "project_change": {
        "kind": lambda i: "change",
        "before": lambda i: {"title": f"ชื่อที่ประกาศ {i}"},
        "after": lambda i: {"title": f"ชื่อที่แก้ {i}"},
    },
    "inbox_event": {
        "status": lambda i: "done",
        "payload": lambda i: {"type": "message", "message": {"text": f"ข้อความ {i}"}},
    },
}


def revisions() -> list[str]:
    """Every revision from the first to the one before head, oldest first."""
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    chain = [r.revision for r in script.walk_revisions()][::-1]
    return chain[:-1]


def enum_values() -> dict[tuple[str, str], list[str]]:
    """(table, column) → the values today's models accept, for enum columns."""
    found = {}
    for table in models.metadata.sorted_tables:
        for column in table.columns:
            kind = getattr(column.type, "enum_class", None)
            if isinstance(kind, type) and issubclass(kind, enum.Enum):
                found[(table.name, column.name)] = [m.value for m in kind]
    return found


def value_for(table: sa.Table, column: sa.Column[Any], i: int, enums: dict[Any, list[str]]) -> Any:
    special = SPECIAL.get(table.name, {}).get(column.name)
    if special is not None:
        return special(i)
    if column.foreign_keys:
        return FIRST_ID + i
    if (table.name, column.name) in enums:
        return enums[(table.name, column.name)][0]
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return bool(i % 2)
    if isinstance(kind, sa.Integer):  # BigInteger too
        return 101 + i  # clear of seeded numbers (plan areas 1–12)
    if isinstance(kind, sa.DateTime):
        return NOW
    if isinstance(kind, sa.Date):
        return date(2025, 10, 1 + i)
    if isinstance(kind, sa.JSON):
        return {"row": i}
    if isinstance(kind, sa.String):
        text = f"{column.name} {i} ทดสอบ"
        return text[: kind.length] if kind.length else text
    raise AssertionError(f"no value for {table.name}.{column.name} ({kind!r})")


async def fill(engine: Any) -> dict[str, int]:
    """Rows in every table of the schema as it is now; rows per table."""

    def reflect(connection: sa.Connection) -> sa.MetaData:
        metadata = sa.MetaData()
        metadata.reflect(connection)
        return metadata

    async with engine.connect() as connection:
        schema = await connection.run_sync(reflect)
    enums = enum_values()
    filled: dict[str, int] = {}
    async with engine.begin() as connection:
        for table in schema.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = []
            for i in range(ROWS):
                row = {"id": FIRST_ID + i} if "id" in table.columns else {}
                for column in table.columns:
                    if column.name != "id":
                        row[column.name] = value_for(table, column, i, enums)
                rows.append(row)
            await connection.execute(table.insert(), rows)
            filled[table.name] = ROWS
    return filled


@pytest.mark.parametrize("revision", revisions())
async def test_upgrading_a_filled_database_keeps_every_row(runtime: Runtime, revision: str) -> None:
    engine = runtime.engine
    await db.downgrade(engine, "base")
    try:
        await db.upgrade(engine, revision)
        filled = await fill(engine)
        await db.upgrade(engine)
        assert await db.current_revision(engine) == db.head_revision()
        await check(engine, revision, filled)
    finally:  # the database is shared by the next tests: empty, at head
        await db.downgrade(engine, "base")
        await db.upgrade(engine)


async def check(engine: Any, revision: str, filled: dict[str, int]) -> None:
    """Every filled row readable through today's models; the data migrations' work done."""
    async with AsyncSession(engine) as session:
        for table in models.metadata.sorted_tables:
            if table.name not in filled:
                continue
            model = _model_of(table)
            ours = table.c.id >= FIRST_ID if "id" in table.c else sa.true()
            rows = (await session.exec(select(model).where(ours))).all()
            assert len(rows) == filled[table.name], table.name  # read through today's models
        if "project_change" in filled and revision < "0003":
            titles = (await session.exec(sa.text("SELECT title FROM project ORDER BY id"))).all()  # type: ignore[call-overload]
            assert [t for (t,) in titles][-ROWS:] == [f"ชื่อที่ประกาศ {i}" for i in range(ROWS)]
        if "inbox_event" in filled and revision < "0009":
            payloads = (await session.exec(sa.text("SELECT payload FROM inbox_event"))).all()  # type: ignore[call-overload]
            assert {str(p) for (p,) in payloads} == {"{}"}


def _model_of(table: sa.Table) -> Any:
    from sqlmodel import SQLModel

    for mapper in SQLModel._sa_registry.mappers:  # type: ignore[attr-defined]
        if mapper.local_table is table:
            return mapper.class_
    raise AssertionError(f"no model for {table.name}")
