"""``planbot person`` (list, export, erase), ``planbot org privacy`` and ``planbot retention``.

The administrator's side of personal data: find a person, hand them their data, erase it
on a request made outside the chat (a letter, a phone call), word the organization's
privacy notice, and run the retention pass by hand (the scheduler runs it daily, at
``scheduler.jobs.RETENTION_TIME``). Heavy
modules are imported inside each command, like every command of the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli_common import DatabaseOption, JsonOption, print_json, run_with_runtime, shown

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from models.retention import Policy

TEXT = {
    "no_person": "error: ไม่พบบุคคล id {id} ในฐานข้อมูล {database}",
    "erased_already": "บุคคล id {id} ถูกลบข้อมูลไปแล้ว ({name})",
    "confirm": "ลบข้อมูลส่วนบุคคลของ {name} (id {id})? งานที่ทำไว้จะคงอยู่ในนามแฝง",
    "erased": (
        "ลบข้อมูลของบุคคล id {id} แล้ว — นามแฝง: {pseudonym} ({accounts} บัญชีแชท, {notices} ข้อความที่รอส่ง)"
    ),
    "written": "เขียนข้อมูลของบุคคล id {id} ลงใน {out}",
    "people": "{id:>5}  {name}  —  {roles}",
    "notice_set": "ตั้งประกาศความเป็นส่วนตัวของ {org} แล้ว (ฉบับที่ {version})",
    "retention": "{kind:<16} {count:>7}  (เก็บ {days} วัน)",
    "retention_dry": "(นับเท่านั้น — ยังไม่ได้ลบ: รันโดยไม่ใส่ --dry-run เพื่อลบ)",
    "forever": "ตลอดไป",
}

person_app = typer.Typer(
    help="People's personal data (PDPA): find, export, erase.", no_args_is_help=True
)
retention_app = typer.Typer(
    help="Keep each kind of data only as long as set.", no_args_is_help=True
)


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; delete nothing.")
    ] = False,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete what each kind of data keeps longer than its retention (see the README)."""
    from models import retention

    async def work(rt: Runtime) -> tuple[dict[str, int], Policy]:
        policy = rt.retention_policy()
        counts = await retention.run(
            rt.engine, rt.clock, policy, rt.settings.documents_dir, dry_run=dry_run
        )
        return counts, policy

    counts, policy = run_with_runtime(work, database=database)
    if as_json:
        print_json({"dry_run": dry_run, "deleted" if not dry_run else "would_delete": counts})
        return
    for kind, count in counts.items():
        days = getattr(policy, kind)
        typer.echo(TEXT["retention"].format(kind=kind, count=count, days=days))
    if dry_run:
        typer.echo(TEXT["retention_dry"])


@person_app.command("list")
def person_list(
    org: Annotated[str | None, typer.Option(help="Only this organization (id or name).")] = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """People with their roles (reads only): the id ``person export``/``erase`` take."""
    from bot.cli_common import database_url

    url = database_url(database)

    async def work(rt: Runtime) -> list[dict[str, Any]]:
        from sqlmodel import col, select

        from models.audit_export import find_organization
        from models.org import Membership, Organization, Person

        async with rt.sessions() as session:
            statement = (
                select(Person, Membership, Organization)
                .join(Membership, col(Membership.person_id) == Person.id)
                .join(Organization, col(Organization.id) == Membership.org_id)
                .order_by(col(Person.id), col(Membership.id))
            )
            if org is not None:
                found = await find_organization(session, org)
                statement = statement.where(col(Organization.id).in_([o.id for o in found]))
            people: dict[int, dict[str, Any]] = {}
            for person, membership, organization in (await session.exec(statement)).all():
                entry = people.setdefault(
                    person.id,  # type: ignore[arg-type]
                    {
                        "id": person.id,
                        "name": person.name,
                        "erased": person.erased_at is not None,
                        "roles": [],
                    },
                )
                entry["roles"].append(f"{membership.role.label_th} {organization.short_name}")
        return list(people.values())

    rows = run_with_runtime(work, database=url, read_only=True)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(
            TEXT["people"].format(id=row["id"], name=row["name"], roles=", ".join(row["roles"]))
        )


@person_app.command("export")
def person_export(
    person_id: Annotated[int, typer.Option("--id", help="The person's id (person list).")],
    out: Annotated[Path, typer.Option(help="JSON file to write.")],
    database: DatabaseOption = None,
) -> None:
    """Everything held about one person, as the JSON ข้อมูลของฉัน sends them."""
    from bot.cli_common import database_url

    url = database_url(database)

    async def work(rt: Runtime) -> dict[str, Any] | None:
        from models.personal_data import export

        async with rt.sessions() as session:
            data = await export(session, rt.clock, person_id=person_id, account_id=-1)
        return data if data["person"] is not None else None

    data = run_with_runtime(work, database=url, read_only=True)
    if data is None:
        typer.echo(TEXT["no_person"].format(id=person_id, database=shown(url)), err=True)
        raise typer.Exit(2)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    typer.echo(TEXT["written"].format(id=person_id, out=out))


@person_app.command("erase")
def person_erase(
    person_id: Annotated[int, typer.Option("--id", help="The person's id (person list).")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Erase a person's data on their request: a pseudonym keeps their work, nothing names
    them (as ลบข้อมูลของฉัน does in chat). Audited as done by the administrator."""
    from bot.cli_common import database_url

    url = database_url(database)

    async def look(rt: Runtime) -> tuple[str, bool] | None:
        from models.org import Person

        async with rt.sessions() as session:
            person = await session.get(Person, person_id)
        return (person.name, person.erased_at is not None) if person else None

    found = run_with_runtime(look, database=url, read_only=True)
    if found is None:
        typer.echo(TEXT["no_person"].format(id=person_id, database=shown(url)), err=True)
        raise typer.Exit(2)
    name, erased = found
    if erased:
        typer.echo(TEXT["erased_already"].format(id=person_id, name=name))
        return
    if not yes:
        typer.confirm(TEXT["confirm"].format(name=name, id=person_id), abort=True)

    async def work(rt: Runtime) -> dict[str, Any]:
        from models import audit, db
        from models.org import Person
        from models.personal_data import erase

        async with db.transaction(rt.sessions) as session:
            person = await session.get(Person, person_id)
            await audit.record(session, rt.clock, "person.erase", obj=person, after={"by": "cli"})
            done = await erase(session, rt.clock, person_id=person_id)
        return {
            "id": person_id,
            "pseudonym": done.pseudonym,
            "accounts": done.accounts,
            "notices": done.notices_deleted,
            "rewritten": done.rows_rewritten,
        }

    result = run_with_runtime(work, database=url)
    if as_json:
        print_json(result)
        return
    typer.echo(TEXT["erased"].format(**result))


def org_privacy(
    org: Annotated[str, typer.Option(help="Organization id or name.")],
    notice_file: Annotated[
        Path | None, typer.Option(help="The notice's wording (UTF-8 text); empty: the default.")
    ] = None,
    contact: Annotated[
        str | None, typer.Option(help="Whom to ask: an office, a phone number, an e-mail.")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Word an organization's privacy notice (ประกาศความเป็นส่วนตัว) and name its contact.

    People joining from then on read the new version; it is shown with ``planbot org
    privacy --org X`` alone.
    """
    text = notice_file.read_text(encoding="utf-8") if notice_file is not None else None

    async def work(rt: Runtime) -> tuple[str, int, str]:
        from handlers import privacy as privacy_text
        from models import db
        from models.audit_export import find_organization
        from models.privacy import notice_of, set_notice

        async with db.transaction(rt.sessions) as session:
            [found] = await find_organization(session, org)
            assert found.id is not None
            if text is None and contact is None:
                notice = await notice_of(session, found.id)
            else:
                notice = await set_notice(session, rt.clock, found.id, text=text, contact=contact)
            return found.short_name, notice.version, privacy_text.render(found, notice)

    name, version, rendered = run_with_runtime(work, database=database)
    if text is not None or contact is not None:
        typer.echo(TEXT["notice_set"].format(org=name, version=version))
    typer.echo(rendered)
