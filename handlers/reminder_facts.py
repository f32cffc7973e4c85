"""Reading the facts the reminder rules need, for one organization or a whole country, and
queuing the day's reminders as outbox rows.

Everything is read in bulk — a handful of queries whatever the number of organizations — so
a national morning (7,850 organizations) is a few seconds of reading, and the rows are queued
with one ``INSERT … ON CONFLICT DO NOTHING`` per thousand (``models.outbox.enqueue_many``): a
second run on the same day, or by a second worker, adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.messages import to_payload
from handlers.reminders import Facts, Reason, Reminder, Review, reminders_on, render
from handlers.scope import plan_of
from models import outbox
from models.clock import Clock
from models.days_off import DaysOff
from models.db import dialect_of, one_of
from models.editions import EditionRow
from models.enums import DraftState, EditionState, ProjectStatus, Role, VoteDecision
from models.org import Organization
from models.plan import DraftVersion, Edition, OperationalPlan, Project, Vote
from models.reach import QUERY_CHUNK, Address, preferred_accounts, role_holders
from models.reminder_settings import ReminderSettings
from models.schedule import calendar_of, edition_dates

IN_PLAY = (
    EditionState.COLLECTING,
    EditionState.IN_REVIEW,
    EditionState.AWAITING_EXECUTIVE,
    EditionState.IN_FORCE,
)
ROLES = (
    Role.PLAN_OFFICER,
    Role.SUPPORT_COMMITTEE,
    Role.SUBMITTER,
    Role.DEVELOPMENT_COMMITTEE,
    Role.EXECUTIVE,
)
EXECUTIVE_VERSION = (Reason.PREPARATION_OVERDUE, Reason.POSTING_OVERDUE)


async def load_facts(
    session: AsyncSession, clock: Clock, days_off: DaysOff, org_ids: Iterable[int] | None = None
) -> list[Facts]:
    """Every edition still in play (being prepared, or in force and not yet taken down), with
    what its reminders depend on; of ``org_ids`` only, when given."""
    rows = await _editions(session, org_ids)
    if not rows:
        return []
    edition_ids = [e.id for e, _p, _o in rows if e.id is not None]
    orgs = {o.id for _e, _p, o in rows if o.id is not None}
    people = await role_holders(session, orgs, ROLES)
    counts = await _counts(session, edition_ids)
    submitted = await _submitters(session, edition_ids)
    reviews = await _reviews(
        session, clock, [e.id for e, _p, _o in rows if e.state is EditionState.IN_REVIEW]
    )
    approved = await _approved_on(
        session, clock, [e.id for e, _p, _o in rows if e.state is EditionState.AWAITING_EXECUTIVE]
    )
    facts = []
    for edition, plan, org in rows:
        assert edition.id is not None and org.id is not None
        calendar = calendar_of(org, days_off)
        held = people.get(org.id, {})
        accepted, waiting = counts.get(edition.id, (0, 0))
        facts.append(
            Facts(
                edition_id=edition.id,
                org_id=org.id,
                org_name=org.short_name,
                executive_title=org.kind.executive_title_th,
                plan=plan_of(EditionRow(edition, plan, org)),
                state=edition.state,
                dates=edition_dates(edition, calendar),
                days_off=calendar,
                settings=ReminderSettings.from_json(org.reminder_settings),
                opened_on=_local(edition.created_at, clock),
                announced_on=edition.announced_on,
                posted_on=edition.posted_on,
                removed_on=edition.removed_on,
                review=reviews.get(edition.id),
                approved_on=approved.get(edition.id),
                people={role: tuple(held.get(role, ())) for role in ROLES},
                submitted_by=submitted.get(edition.id, frozenset()),
                accepted=accepted,
                waiting=waiting,
            )
        )
    return facts


async def _editions(
    session: AsyncSession, org_ids: Iterable[int] | None
) -> list[tuple[Edition, OperationalPlan, Organization]]:
    statement = (
        select(Edition, OperationalPlan, Organization)
        .join(OperationalPlan, col(OperationalPlan.id) == Edition.plan_id)
        .join(Organization, col(Organization.id) == OperationalPlan.org_id)
        .where(col(Edition.state).in_(IN_PLAY), col(Edition.removed_on).is_(None))
        .order_by(col(Organization.id), col(Edition.id))
    )
    if org_ids is None:
        return list((await session.exec(statement)).all())
    wanted = sorted(set(org_ids))
    found: list[tuple[Edition, OperationalPlan, Organization]] = []
    for start in range(0, len(wanted), QUERY_CHUNK):
        chunk = wanted[start : start + QUERY_CHUNK]
        where = one_of(col(Organization.id), chunk, dialect_of(session))
        found += (await session.exec(statement.where(where))).all()
    return found


def _chunks(ids: Sequence[int | None]) -> Iterable[list[int]]:
    clean = sorted({i for i in ids if i is not None})
    for start in range(0, len(clean), QUERY_CHUNK):
        yield clean[start : start + QUERY_CHUNK]


async def _counts(
    session: AsyncSession, edition_ids: Sequence[int | None]
) -> dict[int, tuple[int, int]]:
    """Per edition: projects accepted, and submitted but not screened yet."""
    found: dict[int, tuple[int, int]] = {}
    for chunk in _chunks(edition_ids):
        rows = await session.exec(
            select(Project.edition_id, Project.status, func.count())
            .where(one_of(col(Project.edition_id), chunk, dialect_of(session)))
            .group_by(col(Project.edition_id), col(Project.status))
        )
        for edition_id, status, n in rows.all():
            accepted, waiting = found.get(edition_id, (0, 0))
            if status is ProjectStatus.ACCEPTED:
                accepted += int(n)
            elif status is ProjectStatus.SUBMITTED:
                waiting += int(n)
            found[edition_id] = (accepted, waiting)
    return found


async def _submitters(
    session: AsyncSession, edition_ids: Sequence[int | None]
) -> dict[int, frozenset[int]]:
    """Per edition, who has a project in it (withdrawn ones do not count)."""
    found: dict[int, set[int]] = {}
    for chunk in _chunks(edition_ids):
        rows = await session.exec(
            select(Project.edition_id, Project.submitted_by_id)
            .where(
                one_of(col(Project.edition_id), chunk, dialect_of(session)),
                Project.status != ProjectStatus.WITHDRAWN,
                col(Project.submitted_by_id).is_not(None),
            )
            .distinct()
        )
        for edition_id, person_id in rows.all():
            if person_id is not None:
                found.setdefault(edition_id, set()).add(person_id)
    return {k: frozenset(v) for k, v in found.items()}


async def _reviews(
    session: AsyncSession, clock: Clock, edition_ids: Sequence[int | None]
) -> dict[int, Review]:
    """The draft each edition has before the committee, and who has not voted on it."""
    found: dict[int, Review] = {}
    for chunk in _chunks(edition_ids):
        drafts = (
            await session.exec(
                select(DraftVersion, OperationalPlan.org_id)
                .join(Edition, col(Edition.id) == DraftVersion.edition_id)
                .join(OperationalPlan, col(OperationalPlan.id) == Edition.plan_id)
                .where(
                    one_of(col(DraftVersion.edition_id), chunk, dialect_of(session)),
                    DraftVersion.state == DraftState.IN_REVIEW,
                )
            )
        ).all()
        if not drafts:
            continue
        draft_ids = [d.id for d, _o in drafts if d.id is not None]
        voted: dict[int, set[int]] = {}
        for draft_id, person_id in (
            await session.exec(
                select(Vote.draft_version_id, Vote.person_id).where(
                    one_of(col(Vote.draft_version_id), draft_ids, dialect_of(session))
                )
            )
        ).all():
            voted.setdefault(draft_id, set()).add(person_id)
        members = await role_holders(
            session, {org for _d, org in drafts}, [Role.DEVELOPMENT_COMMITTEE]
        )
        for draft, org_id in drafts:
            assert draft.id is not None
            committee = members.get(org_id, {}).get(Role.DEVELOPMENT_COMMITTEE, [])
            done = voted.get(draft.id, set())
            found[draft.edition_id] = Review(
                draft=draft,
                proposed_on=_local(draft.proposed_at or draft.created_at, clock),
                not_voted=tuple(p for p in committee if p not in done),
            )
    return found


async def _approved_on(
    session: AsyncSession, clock: Clock, edition_ids: Sequence[int | None]
) -> dict[int, date]:
    """When the committee approved the draft each edition's executive now has before them."""
    found: dict[int, date] = {}
    for chunk in _chunks(edition_ids):
        rows = await session.exec(
            select(DraftVersion.edition_id, func.max(DraftVersion.closed_at))
            .where(
                one_of(col(DraftVersion.edition_id), chunk, dialect_of(session)),
                DraftVersion.state == DraftState.CLOSED,
                DraftVersion.result == VoteDecision.APPROVE,
            )
            .group_by(col(DraftVersion.edition_id))
        )
        for edition_id, closed_at in rows.all():
            if closed_at is not None:
                found[edition_id] = _local(closed_at, clock)
    return found


def _local(moment: datetime, clock: Clock) -> date:
    return moment.astimezone(clock.tz).date()


# -- the day's messages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One reminder to one person, ready to queue."""

    reminder: Reminder
    facts: Facts
    address: Address
    messages_payload: dict[str, Any]

    @property
    def dedupe_key(self) -> str:
        return self.reminder.dedupe_key(self.address.person_id)


async def plan_day(
    session: AsyncSession,
    clock: Clock,
    days_off: DaysOff,
    day: date,
    *,
    org_ids: Iterable[int] | None = None,
    facts: list[Facts] | None = None,
) -> list[Planned]:
    """Every reminder due on ``day``, one per person and reason, worded as read today (a
    day in the past is worded as late), each to the person's preferred chat account."""
    facts = facts if facts is not None else await load_facts(session, clock, days_off, org_ids)
    today = clock.today()
    due = [(f, r) for f in facts for r in reminders_on(f, day)]
    reach = await preferred_accounts(session, {p for _f, r in due for p in r.people})
    planned: list[Planned] = []
    for fact, reminder in due:
        versions: dict[bool, dict[str, Any]] = {}
        executives = set(fact.people.get(Role.EXECUTIVE, ()))
        for person in reminder.people:
            address = reach.get(person)
            if address is None:
                continue  # nobody to reach: no active chat account
            executive = reminder.reason in EXECUTIVE_VERSION and person in executives
            if executive not in versions:  # one payload per version: identical ones multicast
                versions[executive] = to_payload(render(reminder, fact, today, executive=executive))
            planned.append(Planned(reminder, fact, address, versions[executive]))
    return planned


async def queue_day(
    session: AsyncSession,
    clock: Clock,
    days_off: DaysOff,
    day: date,
    *,
    org_ids: Iterable[int] | None = None,
) -> int:
    """Queue ``day``'s reminders; return how many rows were new (0 when already queued)."""
    planned = await plan_day(session, clock, days_off, day, org_ids=org_ids)
    rows = [
        outbox.NewMessage(
            p.address.account_id, p.messages_payload, p.dedupe_key, channel=p.address.channel
        )
        for p in planned
    ]
    return await outbox.enqueue_many(session, clock, rows)
