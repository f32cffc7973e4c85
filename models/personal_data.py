"""What planbot holds about one person, handed over (export) or erased on request (PDPA).

Under Thailand's PDPA a person may ask for a copy of their data (ม.30) and for its erasure
(ม.33). Erasure cannot destroy what the law makes the organization keep: the projects they
submitted, the votes they cast and the audit trail are the record of how the plan was made
(ระเบียบกระทรวงมหาดไทย ว่าด้วยการจัดทำแผนพัฒนาขององค์กรปกครองส่วนท้องถิ่น). So erasure
*pseudonymises*: the person row keeps its id (everything attributed to it stays attributed)
but its name becomes a random pseudonym and its position goes; their memberships stay as
the roles they held, inactive, without the unit they typed; their chat accounts lose the
platform ids and display names that identify them and are cut loose; what was queued for
them or is half-typed in a form is deleted; and their full name, wherever it was written
into free text or JSON (audit rows' before/after, comments, notices queued for others),
becomes the pseudonym. Nothing else changes, so nothing else breaks.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.clock import Clock
from models.invites import CODE_ALPHABET
from models.org import ChannelAccount, Invite, Membership, Organization, Person
from models.plan import (
    DraftVersion,
    Edition,
    OperationalPlan,
    Project,
    ProjectChange,
    Vote,
)
from models.privacy import PrivacyAck
from models.records import (
    AuditEvent,
    ConversationState,
    InboxEvent,
    JoinAttempt,
    OutboundMessage,
)

PSEUDONYM = "ผู้ใช้ที่ลบข้อมูลแล้ว {tag}"
ERASED_ID = "erased:{account}:{tag}"  # ChannelAccount.external_id after erasure
MIN_NAME = 4  # shorter strings are not searched for: they would hit other words


# -- the copy (ข้อมูลของฉัน) ----------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def export(
    session: AsyncSession, clock: Clock, *, person_id: int | None, account_id: int
) -> dict[str, Any]:
    """Everything held about the person (or, before joining, about the one chat account)."""
    person = await session.get(Person, person_id) if person_id is not None else None
    accounts = await _accounts(session, person_id, account_id)
    account_ids = [a.id for a in accounts if a.id is not None]
    data: dict[str, Any] = {
        "generated_at": clock.now().isoformat(),
        "person": None,
        "chat_accounts": [
            {
                "channel": a.channel.value,
                "platform_id": a.external_id,
                "display_name": a.display_name,
                "active": a.active,
                "created_at": _iso(a.created_at),
                "last_seen_at": _iso(a.last_seen_at),
            }
            for a in accounts
        ],
        "open_form": await _open_forms(session, account_ids),
        "notices_waiting": await _count(
            session,
            select(sa.func.count()).where(
                col(OutboundMessage.account_id).in_(account_ids),
                OutboundMessage.status == "pending",
            ),
        ),
    }
    if person is None or person.id is None:
        return data
    data["person"] = {
        "id": person.id,
        "name": person.name,
        "position": person.position,
        "created_at": _iso(person.created_at),
        "erased_at": _iso(person.erased_at),
    }
    data["memberships"] = [
        {
            "organization": org.full_name,
            "role": m.role.value,
            "role_th": m.role.label_th,
            "unit": m.unit,
            "chair": m.is_chair,
            "active": m.active,
            "since": _iso(m.created_at),
        }
        for m, org in (
            await session.exec(
                select(Membership, Organization)
                .join(Organization, col(Organization.id) == Membership.org_id)
                .where(Membership.person_id == person.id)
                .order_by(col(Membership.id))
            )
        ).all()
    ]
    data["privacy_notices_acknowledged"] = [
        {"organization_id": a.org_id, "version": a.version, "at": _iso(a.at)}
        for a in (
            await session.exec(select(PrivacyAck).where(PrivacyAck.person_id == person.id))
        ).all()
    ]
    data["projects_submitted"] = [
        {
            "fiscal_year": fy,
            "number": f"{fy}-{p.seq:03d}",
            "title": p.title,
            "budget_baht": p.budget_satang / 100,
            "status": p.status.value,
            "submitted_at": _iso(p.created_at),
        }
        for p, fy in (
            await session.exec(
                select(Project, OperationalPlan.fiscal_year)
                .join(OperationalPlan, col(OperationalPlan.id) == Project.plan_id)
                .where(Project.submitted_by_id == person.id)
                .order_by(col(Project.id))
            )
        ).all()
    ]
    data["votes"] = [
        {
            "draft_version_id": v.draft_version_id,
            "decision": v.decision.value,
            "comment": v.comment,
            "cast_at": _iso(v.cast_at),
        }
        for v in (
            await session.exec(
                select(Vote).where(Vote.person_id == person.id).order_by(col(Vote.id))
            )
        ).all()
    ]
    data["invites_used"] = [
        {"code": i.code, "role": i.role.value, "at": _iso(i.used_at)}
        for i in (await session.exec(select(Invite).where(Invite.used_by_id == person.id))).all()
    ]
    data["invites_created"] = await _count(
        session, select(sa.func.count()).where(Invite.created_by_id == person.id)
    )
    data["audit_trail"] = [
        {
            "at": _iso(e.at),
            "action": e.action,
            "organization_id": e.org_id,
            "role": e.role,
            "object": f"{e.object_type}:{e.object_id}" if e.object_type else None,
            "before": e.before,
            "after": e.after,
            "channel": e.channel.value if e.channel else None,
        }
        for e in (
            await session.exec(
                select(AuditEvent)
                .where(AuditEvent.person_id == person.id)
                .order_by(col(AuditEvent.id))
            )
        ).all()
    ]
    return data


async def _accounts(
    session: AsyncSession, person_id: int | None, account_id: int
) -> list[ChannelAccount]:
    condition = (
        ChannelAccount.person_id == person_id
        if person_id is not None
        else ChannelAccount.id == account_id
    )
    statement = select(ChannelAccount).where(condition).order_by(col(ChannelAccount.id))
    return list((await session.exec(statement)).all())


async def _open_forms(session: AsyncSession, account_ids: list[int]) -> list[dict[str, Any]]:
    rows = await session.exec(
        select(ConversationState).where(
            col(ConversationState.account_id).in_(account_ids),
            col(ConversationState.flow).is_not(None),
        )
    )
    return [
        {"flow": s.flow, "step": s.step, "answers": s.data, "updated_at": _iso(s.updated_at)}
        for s in rows.all()
    ]


async def _count(session: AsyncSession, statement: Any) -> int:
    return int((await session.exec(statement)).one())


# -- erasure (ลบข้อมูลของฉัน, planbot person erase) ---------------------------------------------


@dataclass
class Erasure:
    """What an erasure did, in counts (for the reply, the audit row and the admin)."""

    pseudonym: str
    accounts: int = 0
    memberships: int = 0
    notices_deleted: int = 0
    rows_rewritten: dict[str, int] = field(default_factory=dict)


def new_pseudonym() -> tuple[str, str]:
    """(pseudonym, tag): random, so nothing about the person can be read back from it."""
    tag = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return PSEUDONYM.format(tag=tag), tag


async def erase(
    session: AsyncSession,
    clock: Clock,
    *,
    person_id: int | None,
    account_id: int | None = None,
) -> Erasure:
    """Pseudonymise a person (or, before joining, one chat account) in ``session``'s
    transaction; see the module's docstring for what changes and what stays."""
    pseudonym, tag = new_pseudonym()
    done = Erasure(pseudonym)
    person = await session.get(Person, person_id) if person_id is not None else None
    accounts = await _accounts(session, person_id, account_id or -1)
    account_ids = [a.id for a in accounts if a.id is not None]
    full_names = {person.name} if person is not None else set()
    exact = {a.display_name for a in accounts if a.display_name}
    exact |= {a.external_id for a in accounts}
    orgs: list[int] = []
    if person is not None and person.id is not None:
        if person.position:
            exact.add(person.position)
        memberships = (
            await session.exec(select(Membership).where(Membership.person_id == person.id))
        ).all()
        for membership in memberships:
            if membership.unit:
                exact.add(membership.unit)
            membership.unit, membership.active = None, False
        orgs = sorted({m.org_id for m in memberships})
        done.memberships = len(memberships)
        person.name, person.position, person.erased_at = pseudonym, None, clock.now()
    for account in accounts:
        account.external_id = ERASED_ID.format(account=account.id, tag=tag)
        account.display_name, account.active, account.person_id = None, False, None
    done.accounts = len(accounts)
    if account_ids:
        await _delete_for_accounts(session, account_ids, done)
    await session.flush()
    names = {n for n in full_names if len(n) >= MIN_NAME}
    exact = {n for n in exact if len(n) >= MIN_NAME}
    await _rewrite(session, person_id, orgs, names, exact, pseudonym, done)
    return done


async def _delete_for_accounts(
    session: AsyncSession, account_ids: list[int], done: Erasure
) -> None:
    """What was queued for the accounts, their half-filled forms and their code tries."""
    result = await session.exec(
        sa.delete(OutboundMessage).where(col(OutboundMessage.account_id).in_(account_ids))  # type: ignore[call-overload]
    )
    done.notices_deleted = result.rowcount or 0
    await session.exec(
        sa.update(ConversationState)  # type: ignore[call-overload]
        .where(col(ConversationState.account_id).in_(account_ids))
        .values(flow=None, step=None, data={}, expires_at=None)
    )
    await session.exec(
        sa.delete(JoinAttempt).where(col(JoinAttempt.account_id).in_(account_ids))  # type: ignore[call-overload]
    )


async def _rewrite(
    session: AsyncSession,
    person_id: int | None,
    orgs: list[int],
    names: set[str],
    exact: set[str],
    pseudonym: str,
    done: Erasure,
) -> None:
    """Replace the person's name (anywhere in a text) and their other identifiers (where a
    whole value is one) in the free text and JSON of their organizations' records."""

    def clean(value: Any, own: bool = True) -> Any:
        return _scrub(value, names, exact if own else set(), pseudonym)

    async def each(kind: str, statement: Any, columns: tuple[str, ...], own: Any = None) -> None:
        changed = 0
        for row in (await session.exec(statement)).all():
            mine = own(row) if own else True
            touched = False
            for name in columns:
                value = getattr(row, name)
                new = clean(value, mine)
                if new != value:
                    setattr(row, name, new)
                    touched = True
            changed += touched
        if changed:
            done.rows_rewritten[kind] = changed

    audit_scope = [AuditEvent.person_id == person_id] if person_id is not None else []
    if orgs:
        audit_scope.append(col(AuditEvent.org_id).in_(orgs))
    if audit_scope:
        await each(
            "audit_event",
            select(AuditEvent).where(sa.or_(*audit_scope)),
            ("before", "after"),
            own=lambda e: e.person_id == person_id,
        )
    await each("outbound_message", select(OutboundMessage), ("payload",), own=lambda _r: False)
    await each(
        "inbox_event",
        select(InboxEvent).where(InboxEvent.status != "done"),
        ("payload",),
    )
    if not orgs:
        return
    plans = select(OperationalPlan.id).where(col(OperationalPlan.org_id).in_(orgs))
    editions = select(Edition.id).where(col(Edition.plan_id).in_(plans))
    drafts = select(DraftVersion.id).where(col(DraftVersion.edition_id).in_(editions))
    texts = ("title", "details", "location", "responsible_unit", "agency_name", "status_reason")
    await each("project", select(Project).where(col(Project.plan_id).in_(plans)), texts)
    await each(
        "project_change",
        select(ProjectChange).where(col(ProjectChange.edition_id).in_(editions)),
        ("reason", "before", "after"),
    )
    await each("vote", select(Vote).where(col(Vote.draft_version_id).in_(drafts)), ("comment",))
    await each(
        "draft_version",
        select(DraftVersion).where(col(DraftVersion.edition_id).in_(editions)),
        ("snapshot",),
    )
    await each(
        "edition",
        select(Edition).where(col(Edition.plan_id).in_(plans)),
        ("extension_reason", "cancel_reason", "posted_places"),
    )


def _scrub(value: Any, names: set[str], exact: set[str], pseudonym: str) -> Any:
    """``value`` with each name replaced inside strings and each exact identifier replaced
    where it is a whole string, through dicts and lists; the same object when unchanged."""
    if isinstance(value, str):
        if value in exact:
            return pseudonym
        new = value
        for name in names:
            new = new.replace(name, pseudonym)
        return new
    if isinstance(value, dict):
        items = {k: _scrub(v, names, exact, pseudonym) for k, v in value.items()}
        return items if items != value else value
    if isinstance(value, list):
        listed = [_scrub(v, names, exact, pseudonym) for v in value]
        return listed if listed != value else value
    return value
