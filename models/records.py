"""The system's own ledgers: audit trail, conversation state, seen webhook events, the outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import created_at, enum_field, instant, json_field
from models.enums import Channel, OutboxStatus


class AuditEvent(SQLModel, table=True):
    """Who did what to which object, as which role, from which channel — including refusals."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_at()
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    role: str | None = Field(default=None, max_length=32)
    org_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    action: str = Field(max_length=64, index=True)
    object_type: str | None = Field(default=None, max_length=64)
    object_id: int | None = None
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    channel: Channel | None = enum_field(Channel, None)


class ConversationState(SQLModel, table=True):
    """Where one chat account is in a form. Saved every turn; ``version`` guards lost updates."""

    __tablename__ = "conversation_state"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="channel_account.id", unique=True)
    flow: str | None = Field(default=None, max_length=64)
    step: str | None = Field(default=None, max_length=64)
    data: dict[str, Any] = json_field()
    version: int = 0
    updated_at: datetime = created_at()
    expires_at: datetime | None = instant()


class ProcessedEvent(SQLModel, table=True):
    """A platform event (LINE webhookEventId, Telegram update_id) recorded before it is acted on."""

    __tablename__ = "processed_event"

    __table_args__ = (sa.UniqueConstraint("channel", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: Channel = enum_field(Channel)
    event_id: str = Field(max_length=100)
    received_at: datetime = created_at()


PENDING_ONLY = sa.text("status = 'pending'")


class OutboundMessage(SQLModel, table=True):
    """A message planbot starts (reminder, notice); the dedupe key makes sending it idempotent.

    ``channel`` repeats the account's (it never changes) so the due-rows index can serve one
    channel's claim; ``claimed_until`` and ``claim_token`` are a sender's lease, ``send_key``
    the call the row went out in (see ``models.outbox``); ``urgent`` marks an answer to the
    person's own message, which quiet hours do not hold back.
    """

    __tablename__ = "outbound_message"
    __table_args__ = (
        sa.Index(
            "ix_outbound_message_due",
            "channel",
            "next_attempt_at",
            "id",
            postgresql_where=PENDING_ONLY,
            sqlite_where=PENDING_ONLY,
        ),
        sa.Index(
            "ix_outbound_message_send_key",
            "send_key",
            postgresql_where=PENDING_ONLY,
            sqlite_where=PENDING_ONLY,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    account_id: int = Field(foreign_key="channel_account.id", index=True)
    channel: Channel = enum_field(Channel)
    payload: dict[str, Any] = json_field()
    status: OutboxStatus = enum_field(OutboxStatus, OutboxStatus.PENDING, index=True)
    urgent: bool = False
    attempts: int = 0
    next_attempt_at: datetime | None = instant()
    claimed_until: datetime | None = instant()
    claim_token: str | None = Field(default=None, max_length=32)
    send_key: str | None = Field(default=None, max_length=36)
    sent_at: datetime | None = instant()
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = created_at()


class ReminderRun(SQLModel, table=True):
    """A day's reminders were queued (``scheduler``): what a catch-up after downtime reads to
    know which working days were missed."""

    __tablename__ = "reminder_run"

    day: date = Field(primary_key=True)
    ran_at: datetime = created_at()
    late: bool = False  # queued by a catch-up, after the day
    queued: int = 0


class InboxEvent(SQLModel, table=True):
    """A verified webhook event stored before the platform gets its 200 (LINE wants it fast).

    Processed in the background; rows left pending by a crash are picked up at start-up.
    """

    __tablename__ = "inbox_event"
    __table_args__ = (sa.UniqueConstraint("channel", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: Channel = enum_field(Channel)
    event_id: str = Field(max_length=100)
    payload: dict[str, Any] = json_field()
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    received_at: datetime = created_at()
    processed_at: datetime | None = instant()
    last_error: str | None = Field(default=None, max_length=2000)


class PushUsage(SQLModel, table=True):
    """Messages pushed per channel per month (LINE counts pushes against a monthly quota)."""

    __tablename__ = "push_usage"
    __table_args__ = (sa.UniqueConstraint("channel", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: Channel = enum_field(Channel)
    month: str = Field(max_length=7)  # YYYY-MM in the organization's timezone
    count: int = 0


class JoinAttempt(SQLModel, table=True):
    """Wrong invite codes one chat account sent lately: one row per account, not per try.

    Counts the failures of the current window (``models.join_limits``) by problem, and how
    long the account must wait once it has used up the window's tries. A stranger typing
    codes at the bot grows one counter, not the audit trail.
    """

    __tablename__ = "join_attempt"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="channel_account.id", unique=True)
    window_start: datetime = created_at()
    failures: int = 0  # in the window
    problems: dict[str, int] = json_field()  # in the window: unknown / used / expired → count
    total: int = 0  # ever, for the operator's eye
    locked_until: datetime | None = instant()
    last_at: datetime = created_at()
