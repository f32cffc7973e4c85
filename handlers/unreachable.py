"""Telling the plan officer that someone can no longer be reached (blocked the bot, left).

When a platform refuses a person for good, the outbox gives their messages up and their
account is made inactive; the plan officers of that person's organizations are told once,
so someone can phone them and ask them to add the bot again (one message to the bot revives
the account). Called by the delivery loop inside the transaction that marks the failure.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.messages import Text, to_payload
from models import outbox
from models.clock import Clock
from models.enums import Channel, Role
from models.org import ChannelAccount, Membership, Organization, Person
from models.reach import preferred_accounts, role_holders

TEXT = {
    "report": (
        "⚠️ {org}: ส่งข้อความถึง {name} ({roles}) ทาง {channel} ไม่ได้แล้ว — "
        "ผู้ใช้อาจบล็อกหรือลบบัญชีของบอท การแจ้งเตือนถึงท่านนี้จะหยุดไว้\n"
        "กรุณาติดต่อให้เพิ่มบอทเป็นเพื่อนหรือเปิดแชทอีกครั้ง แล้วส่งข้อความใดก็ได้ "
        "การแจ้งเตือนจะกลับมาเอง"
    ),
    "channels": {Channel.LINE: "LINE", Channel.TELEGRAM: "Telegram", Channel.CONSOLE: "คอนโซล"},
    "roles_sep": ", ",
}


async def report(session: AsyncSession, clock: Clock, account_ids: Sequence[int]) -> int:
    """Queue, for each unreachable account, one notice to each plan officer of its person's
    organizations (once a day at most, by the dedupe key); return how many were queued."""
    rows = await session.exec(
        select(ChannelAccount, Person, Membership, Organization)
        .join(Person, col(Person.id) == ChannelAccount.person_id)
        .join(Membership, col(Membership.person_id) == Person.id)
        .join(Organization, col(Organization.id) == Membership.org_id)
        .where(col(ChannelAccount.id).in_(list(account_ids)), Membership.active)
        .order_by(col(ChannelAccount.id), col(Membership.id))
    )
    found: dict[tuple[int, int], tuple[ChannelAccount, Person, Organization, list[str]]] = {}
    for account, person, membership, org in rows.all():
        assert account.id is not None and org.id is not None
        entry = found.setdefault((account.id, org.id), (account, person, org, []))
        entry[3].append(membership.role.label_th)
    officers = await role_holders(session, {org for _a, org in found}, [Role.PLAN_OFFICER])
    everyone = {p for held in officers.values() for p in held.get(Role.PLAN_OFFICER, [])}
    reach = await preferred_accounts(session, everyone)
    day = clock.today().isoformat()
    messages: list[outbox.NewMessage] = []
    for (account_id, org_id), (account, person, org, roles) in found.items():
        text = TEXT["report"].format(
            org=org.short_name,
            name=person.name,
            roles=TEXT["roles_sep"].join(roles),
            channel=TEXT["channels"][account.channel],
        )
        for officer in officers.get(org_id, {}).get(Role.PLAN_OFFICER, []):
            address = reach.get(officer)
            if address is None or address.account_id == account_id:
                continue
            messages.append(
                outbox.NewMessage(
                    address.account_id,
                    to_payload([Text(text)]),
                    f"unreachable:{account_id}:{officer}:{day}",
                    channel=address.channel,
                )
            )
    return await outbox.enqueue_many(session, clock, messages)
