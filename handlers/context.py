"""One turn of a conversation: who spoke, their saved state, and the tools a handler needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.messages import Incoming, Outgoing, Text, to_payload
from models import audit, outbox
from models.clock import Clock
from models.days_off import DaysOff
from models.enums import Role
from models.org import ChannelAccount, Membership, Organization, Person
from models.permissions import Action, may, needed_roles_th

TEXT = {
    "not_joined": ("ยังไม่ได้เข้าร่วมองค์กรใด — กรุณาส่งรหัสเชิญที่ได้รับจากเจ้าหน้าที่ เช่น เข้าร่วม AB2CD3EF"),
    "refused": "⛔ คำสั่งนี้สำหรับ{roles}เท่านั้น — หากควรมีสิทธิ์ กรุณาติดต่อเจ้าหน้าที่วิเคราะห์นโยบายและแผน",
}


class Refused(Exception):
    """An action the speaker may not take; carries the Thai reply."""

    def __init__(self, messages: list[Outgoing]) -> None:
        super().__init__("refused")
        self.messages = messages


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
            raise Refused([Text(TEXT["not_joined"])])
        orgs = await self.orgs_allowed(action)
        if orgs:
            return orgs
        roles = sorted({m.role.value for m, _ in await self.memberships()})
        await self.audit(f"denied:{action}", after={"roles": roles})
        raise Refused([Text(TEXT["refused"].format(roles=needed_roles_th(action)))])

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
