"""One turn of a conversation: who spoke, their saved state, and the tools a handler needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.messages import Incoming, Outgoing, Text, to_payload
from handlers.phrases import PHRASES
from models import audit, logcontext, outbox
from models.clock import Clock
from models.days_off import DaysOff
from models.enums import Role
from models.org import ChannelAccount, Membership, Organization, Person
from models.permissions import ALLOWED, Action, may, needed_roles_th


class Halt(Exception):
    """Stop the flow here and answer with these messages (an old button, a question that
    must come first). The router turns it into the reply; the turn still commits."""

    def __init__(self, messages: list[Outgoing]) -> None:
        super().__init__(type(self).__name__)
        self.messages = messages


class Refused(Halt):
    """Something the speaker may not do now (their role, the plan's stage, a changed object).

    Raised at a form's confirm, it ends the form with nothing saved; with ``retry`` the form
    stays at its summary instead, for a problem the person can fix there (two changes to one
    project, a role no longer theirs to give).
    """

    def __init__(self, messages: list[Outgoing], *, retry: bool = False) -> None:
        super().__init__(messages)
        self.retry = retry


def refusal(text: str, *, retry: bool = False) -> Refused:
    """A refusal with one line of Thai: ``raise refusal(TEXT["closed"])``."""
    return Refused([Text(text)], retry=retry)


@dataclass
class State:
    """The saved conversation state: a detached copy, written back with a version check."""

    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None

    def clear(self) -> None:
        self.flow, self.step, self.data, self.expires_at = None, None, {}, None


@dataclass
class Turn:
    session: AsyncSession
    clock: Clock
    days_off: DaysOff
    incoming: Incoming
    account: ChannelAccount
    person: Person | None
    state: State
    _memberships: list[tuple[Membership, Organization]] | None = None
    documents_dir: Path = Path("planbot-documents")  # where rendered documents are kept

    # -- who is speaking ---------------------------------------------------------------

    async def memberships(self) -> list[tuple[Membership, Organization]]:
        """The speaker's active memberships with their organizations (cached for the turn)."""
        if self._memberships is None:
            if self.person is None:
                self._memberships = []
            else:
                rows = await self.session.exec(
                    select(Membership, Organization)
                    .join(Organization, Organization.id == Membership.org_id)
                    .where(Membership.person_id == self.person.id, Membership.active)
                    .order_by(Organization.id, Membership.id)
                )
                self._memberships = list(rows.all())
            logcontext.set_orgs(sorted({m.org_id for m, _org in self._memberships}))
        return self._memberships

    async def roles_in(self, org_id: int) -> set[Role]:
        return {m.role for m, _org in await self.memberships() if m.org_id == org_id}

    async def orgs(self) -> list[Organization]:
        seen: dict[int, Organization] = {}
        for _m, org in await self.memberships():
            seen.setdefault(org.id, org)  # type: ignore[arg-type]
        return list(seen.values())

    async def orgs_allowed(self, action: Action) -> list[Organization]:
        return [org for org in await self.orgs() if may(action, await self.roles_in(org.id))]  # type: ignore[arg-type]

    async def require(self, action: Action) -> list[Organization]:
        """The orgs where the speaker may ``action``; otherwise refuse, in Thai, with an audit row.

        The refusal is raised as :class:`Refused` and turned into the reply by the router;
        the turn still commits, so the audit row stays.
        """
        if self.person is None:
            await self.audit(f"denied:{action}", after={"reason": "not_joined"})
            raise refusal(PHRASES["not_joined"])
        orgs = await self.orgs_allowed(action)
        if orgs:
            return orgs
        roles = sorted({m.role.value for m, _ in await self.memberships()})
        await self.audit(f"denied:{action}", after={"roles": roles})
        raise refusal(PHRASES["refused"].format(roles=needed_roles_th(action)))

    async def refuse_in(
        self, action: Action, org: Organization, *, obj: Any = None, reason: str | None = None
    ) -> NoReturn:
        """Refuse ``action`` in ``org`` (a button pressed by someone without the role there),
        with the audit row: every refusal of a role is written down, in one place."""
        assert org.id is not None
        roles = sorted(r.value for r in await self.roles_in(org.id))
        await self.audit(f"denied:{action}", org_id=org.id, obj=obj, after={"roles": roles})
        if reason is not None:
            raise refusal(reason)
        if not roles:  # an outsider learns nothing of the org, not even its name
            everyone = ALLOWED[action] == frozenset(Role)
            text = PHRASES["members_only"] if everyone else PHRASES["refused_item"]
            raise refusal(text.format(roles=needed_roles_th(action)))
        text = PHRASES["refused_in_org"].format(roles=needed_roles_th(action), org=org.short_name)
        raise refusal(text)

    async def acting_as(self, org_id: int, action: Action) -> Role | None:
        """The role the speaker takes ``action`` as, for the audit row: the first that may."""
        roles = await self.roles_in(org_id)
        return next((role for role in Role if role in roles and may(action, {role})), None)

    # -- side effects ------------------------------------------------------------------

    async def audit(
        self,
        action: str,
        *,
        org_id: int | None = None,
        obj: Any = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        role: Role | None = None,
    ) -> None:
        await audit.record(
            self.session,
            self.clock,
            action,
            person_id=self.person.id if self.person else None,
            role=role,
            org_id=org_id,
            obj=obj,
            before=before,
            after=after,
            channel=self.account.channel,
        )

    async def notify_accounts(
        self, account_ids: Iterable[int], messages: list[Outgoing], dedupe_key: str
    ) -> int:
        """Queue a notice for each account in the outbox; the key makes it at-most-once."""
        payload = to_payload(messages)
        count = 0
        for account_id in sorted(set(account_ids)):
            if account_id == self.account.id:
                continue  # the speaker sees the reply itself
            key = f"{dedupe_key}:{account_id}"
            count += await outbox.enqueue(self.session, self.clock, account_id, payload, key)
        return count

    async def notify_roles(
        self, org_id: int, roles: Sequence[Role], messages: list[Outgoing], dedupe_key: str
    ) -> int:
        """Queue a notice to every active account of everyone holding one of ``roles``."""
        rows = await self.session.exec(
            select(ChannelAccount.id)
            .join(Membership, Membership.person_id == ChannelAccount.person_id)
            .where(
                Membership.org_id == org_id,
                Membership.role.in_(list(roles)),  # type: ignore[attr-defined]
                Membership.active,
                ChannelAccount.active,
            )
        )
        return await self.notify_accounts(rows.all(), messages, dedupe_key)
