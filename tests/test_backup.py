"""``planbot backup`` / ``planbot restore``: a consistent copy of SQLite taken while it is
being written to, restored and found whole; PostgreSQL is pointed at pg_dump."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import Runtime
from bot.settings import Settings
from models import db
from models.org import Organization, Person
from tests.chat import RecordingDriver
from tests.flows import open_fy_round, submit

runner = CliRunner()


def test_a_backup_taken_while_writing_restores_and_finds_the_data(
    demo: Runtime, database_url: str, tmp_path: Path
) -> None:
    env = {"PLANBOT_DATABASE_URL": database_url}
    if not db.is_sqlite(database_url):
        result = runner.invoke(app, ["backup", "--out", str(tmp_path / "x.db")], env=env)
        assert result.exit_code == 2
        assert "pg_dump --format=custom" in result.output and "pg_restore" in result.output
        return

    async def a_submission() -> None:  # in this test's own loop: a runtime of its own
        rt = Runtime.from_settings(demo.settings, database_url=database_url, clock=demo.clock)
        try:
            await open_fy_round(rt)
            assert "ส่งแล้ว" in await submit(RecordingDriver(rt), "agency")
        finally:
            await rt.close()

    asyncio.run(a_submission())  # the demo and one project, through the engine
    source = db.sqlite_file(database_url)
    assert source is not None
    stop = threading.Event()
    written = [0]

    def writer() -> None:  # someone using the bot meanwhile: a write every moment
        connection = sqlite3.connect(source, timeout=30)
        while not stop.is_set():
            with connection:
                connection.execute(
                    "INSERT INTO person (name, created_at) VALUES ('x', '2025-10-01')"
                )
            written[0] += 1
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 20:  # writing for real before the backup starts
            stop.wait(0.001)
        out = tmp_path / "backups" / "planbot-2568-10-01.db"
        result = runner.invoke(app, ["backup", "--out", str(out)], env=env)
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert "สำรองข้อมูล" in result.output and f"schema {db.head_revision()}" in result.output

    target = tmp_path / "restored.db"
    target_url = f"sqlite+aiosqlite:///{target}"
    restored = runner.invoke(app, ["restore", str(out)], env={"PLANBOT_DATABASE_URL": target_url})
    assert restored.exit_code == 0, restored.output
    again = runner.invoke(app, ["restore", str(out)], env={"PLANBOT_DATABASE_URL": target_url})
    assert again.exit_code == 2 and "--force" in again.output  # would replace data

    async def found() -> tuple[list[str], int, int]:
        rt = Runtime.from_settings(Settings(_env_file=None), database_url=target_url)
        try:
            await rt.prepare_database()
            async with rt.sessions() as session:
                orgs = (await session.exec(select(Organization.name))).all()
                people = (await session.exec(select(Person))).all()
            from tests.flows import projects

            return list(orgs), len([p for p in people if p.name == "x"]), len(await projects(rt))
        finally:
            await rt.close()

    orgs, copied_writes, project_count = asyncio.run(found())
    assert orgs == ["หนองแวง"] and project_count == 1
    assert 20 <= copied_writes <= written[0]  # a snapshot from while the writer ran


def test_restore_refuses_what_is_not_a_planbot_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    url = f"sqlite+aiosqlite:///{tmp_path}/target.db"
    result = runner.invoke(app, ["restore", str(junk)], env={"PLANBOT_DATABASE_URL": url})
    assert result.exit_code == 2 and "not a planbot database" in result.output
    assert not (tmp_path / "target.db").exists()
