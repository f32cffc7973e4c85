"""Migrations build an empty database on both backends and agree with the models."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import models
from bot.runtime import Runtime
from models import db
from models.catalog import PLAN_AREAS


async def test_models_and_migrations_agree(runtime: Runtime) -> None:
    def diff(connection: sa.Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, models.metadata)

    async with runtime.engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


async def test_schema_is_at_head(runtime: Runtime) -> None:
    assert await db.current_revision(runtime.engine) == db.head_revision()
    await db.require_current(runtime.engine)  # does not raise


async def test_plan_areas_are_seeded_as_in_the_catalog(runtime: Runtime) -> None:
    async with runtime.engine.connect() as connection:
        rows = (
            await connection.execute(
                sa.text("SELECT number, code, name FROM plan_area ORDER BY number")
            )
        ).all()
    assert [tuple(r) for r in rows] == [tuple(spec) for spec in PLAN_AREAS]


async def test_upgrade_is_idempotent_and_downgrade_reverses_it(runtime: Runtime) -> None:
    async def tables() -> set[str]:
        async with runtime.engine.connect() as connection:
            return set(await connection.run_sync(lambda c: sa.inspect(c).get_table_names()))

    await db.upgrade(runtime.engine)  # already at head: nothing to do, no error
    assert {"organization", "project", "outbound_message"} <= await tables()
    await db.downgrade(runtime.engine, "base")
    assert await tables() <= {"alembic_version"}
    await db.upgrade(runtime.engine)
    assert await db.current_revision(runtime.engine) == db.head_revision()


async def test_empty_database_requires_upgrade(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    try:
        assert await db.current_revision(engine) is None
        try:
            await db.require_current(engine)
        except db.SchemaOutOfDate as exc:
            assert "planbot db upgrade" in str(exc)
        else:
            raise AssertionError("an empty database must be reported as out of date")
    finally:
        await engine.dispose()
