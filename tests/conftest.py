"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, a clock, a runtime.

PostgreSQL tests skip when no server answers, except under ``CI=true``, where they fail:
CI must never go green by skipping the database that production runs on.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

import models
from bot.runtime import Runtime
from bot.settings import Settings
from models import db
from models.clock import BANGKOK, FixedClock

POSTGRES_ADMIN_URL = os.environ.get(
    "PLANBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
KEEP_TABLES = {"alembic_version", "plan_area"}  # seeded by migrations; survive the wipe


def _postgres_unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


async def _admin_execute(statement: str) -> None:
    engine = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test run, migrated to head, dropped after."""
    name = f"planbot_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # connection refused, auth failure …
        _postgres_unavailable(f"{type(exc).__name__}: {exc}")
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db.upgrade_url(url)
    yield url
    asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate one SQLite file per run; each test gets a copy (much faster than migrating)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.upgrade_url(f"sqlite+aiosqlite:///{path}")
    return path


async def _wipe_postgres(url: str) -> None:
    engine = create_async_engine(url)
    tables = [t.name for t in models.metadata.sorted_tables if t.name not in KEEP_TABLES]
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            )
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database (plan areas seeded), on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "planbot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        asyncio.run(_wipe_postgres(url))
        yield url


@pytest.fixture
def clock() -> FixedClock:
    """Wed 1 Oct 2025 (2568), 09:00 in Bangkok: the day FY 2569's budget is announced."""
    return FixedClock(datetime(2025, 10, 1, 9, 0, tzinfo=BANGKOK))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        PLANBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db",
        PLANBOT_DOCUMENTS_DIR=str(tmp_path / "documents"),
    )


@pytest.fixture
async def runtime(
    database_url: str, clock: FixedClock, settings: Settings
) -> AsyncIterator[Runtime]:
    rt = Runtime.from_settings(settings, database_url=database_url, clock=clock)
    yield rt
    await rt.close()


@pytest.fixture
async def demo(runtime: Runtime) -> Runtime:
    """The runtime with the demo อบต.: officer, agency, village, c1–c5, s1–s3, mayor."""
    from bot.demo import ensure_demo

    await ensure_demo(runtime)
    return runtime


@pytest.fixture(params=["recording", "console"])
async def chat(request: pytest.FixtureRequest, demo: Runtime) -> Any:
    """A chat driver over the demo org, once per channel implementation."""
    from tests.chat import ConsoleDriver, RecordingDriver

    if request.param == "recording":
        return RecordingDriver(demo)
    if request.param == "console":
        return ConsoleDriver(demo)
    raise AssertionError(request.param)


@pytest.fixture
async def telegram_api() -> AsyncIterator[Any]:
    """A stand-in Bot API on 127.0.0.1 (random port) checking every request against the spec.

    A test fails if the bot sent anything the real API would refuse as malformed — even if
    the bot coped with the error. Tests that send bad requests on purpose clear
    ``violations`` themselves.
    """
    from tests.standins.telegram_api import TelegramStandIn

    api = TelegramStandIn()
    async with api.running():
        yield api
    assert not api.violations, "requests the Bot API would refuse:\n" + "\n".join(api.violations)


@pytest.fixture(scope="session")
def line_api_server() -> Iterator[Any]:
    """The stand-in LINE API (two local ports), started once per run."""
    from tests.standins.line_api import LineApiStandIn

    stand_in = LineApiStandIn().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def line_api(line_api_server: Any) -> Iterator[Any]:
    """The stand-in, emptied; the test fails if LINE would have refused any request."""
    line_api_server.reset()
    yield line_api_server
    problems = list(line_api_server.problems)
    assert not problems, "requests LINE would refuse:\n" + "\n".join(problems)


@pytest.fixture
async def line(runtime: Runtime, line_api: Any, settings: Settings) -> AsyncIterator[Any]:
    """The app with the LINE service started against the stand-in (on each database)."""
    from tests.line_harness import LineHarness, line_settings

    harness = LineHarness(runtime, line_api, line_settings(line_api, settings))
    await harness.start()
    yield harness
    await harness.close()
