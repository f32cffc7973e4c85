"""The retention pass: each kind of data deleted once older than its days, the plan never;
``planbot retention run [--dry-run]`` and ``planbot person`` from the command line."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime import Runtime
from handlers.messages import Text, to_payload
from models import db, outbox, retention
from models.enums import Channel, OutboxStatus
from models.org import ChannelAccount, Person
from models.plan import Project
from models.records import (
    AuditEvent,
    ConversationState,
    InboxEvent,
    JoinAttempt,
    OutboundMessage,
    ProcessedEvent,
)
from tests.chat import RecordingDriver
from tests.flows import add_projects, open_fy_round

runner = CliRunner()


async def counts(rt: Runtime) -> dict[str, int]:
    found = {}
    async with rt.sessions() as session:
        for model in (
            AuditEvent,
            ConversationState,
            InboxEvent,
            JoinAttempt,
            OutboundMessage,
            ProcessedEvent,
            ChannelAccount,
            Project,
        ):
            found[model.__tablename__] = (  # type: ignore[attr-defined]
                await session.exec(select(func.count()).select_from(model))
            ).one()
    return found


async def old_and_new_data(rt: Runtime) -> None:
    """Everything the pass knows of, once a year ago and once today."""
    chat = RecordingDriver(rt)
    edition = await open_fy_round(rt)
    await add_projects(rt, edition, [100_000])
    for moment in ("old", "new"):
        await chat.say(f"stranger-{moment}", "สวัสดี")  # a chat account nobody is behind
        await chat.say(f"stranger-{moment}", "เข้าร่วม ZZZZ2222")  # a refused code, counted
        await chat.say("village", "/invite")  # refused: a denied:… audit row
        await chat.say("agency", "เสนอโครงการ")  # a form left open: a conversation state
        async with db.transaction(rt.sessions) as session:
            agency = (
                await session.exec(
                    select(ChannelAccount).where(ChannelAccount.external_id == "agency")
                )
            ).one()
            assert agency.id is not None
            await outbox.enqueue(session, rt.clock, agency.id, to_payload([Text("x")]), moment)
            await session.exec(
                sa.update(OutboundMessage)  # type: ignore[call-overload]
                .where(OutboundMessage.dedupe_key == moment)
                .values(status=OutboxStatus.SENT)
            )
            session.add(
                InboxEvent(
                    channel=Channel.LINE,
                    event_id=f"ev-{moment}",
                    status="done",
                    received_at=rt.clock.now(),
                )
            )
        if moment == "old":
            rt.clock.advance(timedelta(days=400))  # type: ignore[attr-defined]


async def test_each_kind_goes_after_its_days_and_the_plan_stays(demo: Runtime) -> None:
    await old_and_new_data(demo)
    folder = Path(demo.settings.documents_dir) / "personal"
    folder.mkdir(parents=True)
    stale = folder / "p1-old.json"
    stale.write_text("{}")
    os.utime(stale, (0, 0))
    (folder / "p1-new.json").write_text("{}")
    before = await counts(demo)
    policy = retention.Policy()
    counted = await retention.run(
        demo.engine, demo.clock, policy, Path(demo.settings.documents_dir), dry_run=True
    )
    assert await counts(demo) == before and stale.exists()  # a dry run deletes nothing
    done = await retention.run(demo.engine, demo.clock, policy, Path(demo.settings.documents_dir))
    assert done == counted
    after = await counts(demo)
    assert done["strangers"] == 1 and done["exports"] == 1 and not stale.exists()
    assert done["notices"] == 1 and done["join_attempts"] == 1 and done["refusals"] >= 2
    assert done["handled_events"] >= 2  # the old inbox row and the old turns' event ids
    assert done["conversations"] == 0  # the agency's state was written again today
    assert done["audit"] == 0  # ten years
    assert after["project"] == before["project"] == 1
    assert after["outbound_message"] == before["outbound_message"] - 1
    async with demo.sessions() as session:
        names = set((await session.exec(select(ChannelAccount.external_id))).all())
        left = (await session.exec(select(AuditEvent.action))).all()
    assert "stranger-old" not in names and "stranger-new" in names
    assert "org.create" in left  # the plan's own trail stays


def test_cli_retention_run_and_person_erase(demo: Runtime, tmp_path: Path) -> None:
    env = {
        "PLANBOT_DATABASE_URL": str(demo.engine.url.render_as_string(hide_password=False)),
        "PLANBOT_DOCUMENTS_DIR": str(tmp_path / "documents"),
        "PLANBOT_RETAIN_STRANGERS_DAYS": "0",  # kept for ever
    }
    dry = runner.invoke(app, ["retention", "run", "--dry-run", "--json"], env=env)
    assert dry.exit_code == 0, dry.output
    result = json.loads(dry.output)
    assert result["dry_run"] is True and "strangers" not in result["would_delete"]
    people = runner.invoke(app, ["person", "list", "--org", "หนองแวง", "--json"], env=env)
    assert people.exit_code == 0, people.output
    agency = next(p for p in json.loads(people.output) if p["name"] == "นายสมชาย ช่างดี")
    out = tmp_path / "agency.json"
    exported = runner.invoke(
        app, ["person", "export", "--id", str(agency["id"]), "--out", str(out)], env=env
    )
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text(encoding="utf-8"))["person"]["name"] == "นายสมชาย ช่างดี"
    refused = runner.invoke(
        app, ["person", "erase", "--id", str(agency["id"])], env=env, input="n\n"
    )
    assert refused.exit_code != 0
    erased = runner.invoke(
        app, ["person", "erase", "--id", str(agency["id"]), "--yes", "--json"], env=env
    )
    assert erased.exit_code == 0, erased.output
    pseudonym = json.loads(erased.output)["pseudonym"]

    async def stored() -> tuple[Person | None, list[AuditEvent]]:
        rt = Runtime.from_settings(demo.settings, database_url=env["PLANBOT_DATABASE_URL"])
        try:
            async with rt.sessions() as session:
                person = await session.get(Person, agency["id"])
                rows = await session.exec(
                    select(AuditEvent).where(AuditEvent.action == "person.erase")
                )
                return person, list(rows.all())
        finally:
            await rt.close()

    person, [row] = asyncio.run(stored())
    assert person is not None and person.name == pseudonym
    assert row.after == {"by": "cli"} and row.object_id == agency["id"]
    missing = runner.invoke(app, ["person", "erase", "--id", "999", "--yes"], env=env)
    assert missing.exit_code == 2 and "ไม่พบบุคคล id 999" in missing.output


def test_cli_org_privacy_words_the_notice(demo: Runtime, tmp_path: Path) -> None:
    env = {"PLANBOT_DATABASE_URL": str(demo.engine.url.render_as_string(hide_password=False))}
    shown = runner.invoke(app, ["org", "privacy", "--org", "หนองแวง"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "🔒 ประกาศความเป็นส่วนตัว — อบต.หนองแวง" in shown.output  # the default
    wording = tmp_path / "notice.txt"
    wording.write_text("อบต.หนองแวงเก็บข้อมูลเพื่อจัดทำแผนเท่านั้น", encoding="utf-8")
    args = ["org", "privacy", "--org", "1", "--notice-file", str(wording)]
    args += ["--contact", "043-000000"]
    changed = runner.invoke(app, args, env=env)
    assert changed.exit_code == 0, changed.output
    assert "(ฉบับที่ 1)" in changed.output and "043-000000" in changed.output
    assert "เก็บข้อมูลเพื่อจัดทำแผนเท่านั้น" in changed.output


async def test_the_scheduler_runs_the_pass_daily_at_half_past_three_by_the_leader(
    demo: Runtime,
) -> None:
    from apscheduler.triggers.cron import CronTrigger

    from scheduler.jobs import Scheduler

    await old_and_new_data(demo)
    clock = Scheduler(demo.clockwork(leader_retry=3600, dispatch_interval=3600))
    await clock.start()
    try:
        trigger = clock.aps.get_job("retention").trigger
        assert isinstance(trigger, CronTrigger)
        fields = {f.name: str(f) for f in trigger.fields}
        assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("*", "3", "30")
        assert clock.leading
        done = await clock.retention_tick()
    finally:
        await clock.stop()
    assert done["strangers"] == 1 and done["notices"] == 1
    follower = Scheduler(demo.clockwork(leader_retry=3600, dispatch_interval=3600))
    assert await follower.retention_tick() == {}  # not leading: nothing
