"""New submissions reach the support committee gathered, not one card each.

A committee member of a busy อบต. would otherwise get forty cards in a week — on LINE each
one a push against the month's quota, and the chat buried. So each member gets one notice
per period (the org's ``submission_digest`` setting, 60 minutes by default): the first
submission of a period queues it, due at the period's end; each later one adds its line to
it while it still waits. 0 minutes is the old way (a full card at once); 1440 is once a day.

The notice is an outbox row like any other (its dedupe key names the org, the period and
the member), so a retried turn adds nothing twice and a crash loses nothing. A row a sender
has already taken is left alone: the next submission starts a new notice.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import select

from handlers import commands
from handlers.context import Turn
from handlers.messages import Choices, to_payload
from models import outbox
from models.enums import Role
from models.org import ChannelAccount, Membership
from models.outbox import NewMessage

TEXT = {
    "title": "📋 {org}: โครงการเข้ามาใหม่ {n} รายการ — รอคณะกรรมการสนับสนุนฯ ตรวจ",
    "footer": "กด ตรวจโครงการ เพื่อรับเข้าแผนหรือส่งกลับแก้ไข",
}
DAILY = 1440  # minutes: once a day
DAILY_AT = time(8, 0)  # when the once-a-day notice goes: before the working day
KEY = "submission-digest"
MAX_LINES = 30  # a notice stays readable on a phone; the list has the rest


def period_end(now: datetime, minutes: int) -> datetime:
    """When the period ``now`` falls in ends (in ``now``'s time zone): the next multiple of
    ``minutes`` since midnight, or the next morning for once a day."""
    if minutes >= DAILY:
        morning = datetime.combine(now.date(), DAILY_AT, tzinfo=now.tzinfo)
        return morning if now < morning else morning + timedelta(days=1)
    midnight = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    passed = int((now - midnight).total_seconds() // 60)
    return midnight + timedelta(minutes=(passed // minutes + 1) * minutes)


def _payload(org: str, lines: list[str]) -> dict[str, Any]:
    shown = lines[:MAX_LINES] + ([f"… +{len(lines) - MAX_LINES}"] if len(lines) > MAX_LINES else [])
    text = "\n".join([TEXT["title"].format(org=org, n=len(lines)), *shown, TEXT["footer"]])
    payload = to_payload([Choices(text, (commands.button(commands.SCREEN),))])
    payload["digest"] = {"org": org, "lines": lines}  # what the next submission adds to
    return payload


def _with(line: str) -> Any:
    def extend(payload: dict[str, Any]) -> dict[str, Any]:
        digest = payload.get("digest") or {"org": "", "lines": []}
        return _payload(digest["org"], [*digest["lines"], line])

    return extend


async def committee_accounts(turn: Turn, org_id: int) -> list[int]:
    """The support committee's chat accounts, the speaker's own left out."""
    rows = await turn.session.exec(
        select(ChannelAccount.id)
        .join(Membership, Membership.person_id == ChannelAccount.person_id)
        .where(
            Membership.org_id == org_id,
            Membership.role == Role.SUPPORT_COMMITTEE,
            Membership.active,
            ChannelAccount.active,
        )
    )
    return sorted({a for a in rows.all() if a is not None and a != turn.account.id})


async def add_submission(turn: Turn, org_id: int, org: str, line: str, minutes: int) -> int:
    """Add one submission's line to each member's notice of this period (queued at the
    period's end); returns how many notices were started."""
    now = turn.clock.now()
    due = period_end(now, minutes)
    started = 0
    for account_id in await committee_accounts(turn, org_id):
        key = f"{KEY}:{org_id}:{due:%Y%m%d%H%M}:{account_id}"
        for attempt in range(3):  # a notice already taken by a sender: the next one
            wanted = key if attempt == 0 else f"{key}:{attempt}"
            if await outbox.extend_pending(turn.session, wanted, _with(line)):
                break
            message = NewMessage(account_id, _payload(org, [line]), wanted, not_before=due)
            if await outbox.enqueue_many(turn.session, turn.clock, [message]):
                started += 1
                break
    return started
