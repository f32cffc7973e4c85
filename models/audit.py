"""The audit trail: one helper so every change and every refusal is written the same way."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from models.clock import Clock
from models.enums import Channel, Role
from models.records import AuditEvent


async def record(
    session: AsyncSession,
    clock: Clock,
    action: str,
    *,
    person_id: int | None = None,
    role: Role | str | None = None,
    org_id: int | None = None,
    obj: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    channel: Channel | None = None,
) -> AuditEvent:
    """Add an AuditEvent to the session's transaction (it commits or rolls back with the change)."""
    event = AuditEvent(
        at=clock.now(),
        person_id=person_id,
        role=str(role) if role else None,
        org_id=org_id,
        action=action,
        object_type=type(obj).__tablename__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        before=before,
        after=after,
        channel=channel,
    )
    session.add(event)
    return event
