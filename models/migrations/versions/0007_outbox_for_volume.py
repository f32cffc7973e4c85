"""outbox for volume: channel, lease, urgent, and the partial index over due rows

The dispatcher claimed one row per transaction with a query that sorted the whole pending
set (no index served it). Now it claims batches per channel through a partial index over
pending rows (channel, next_attempt_at, id), leases them (claimed_until, claim_token) and
sends outside the transaction. ``channel`` is copied from the row's account (it never
changes); ``urgent`` marks answers that quiet hours must not hold back; ``send_key`` fixes
which rows went out in one call (a LINE multicast), so a repeat is the same call.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = sa.Enum("line", "telegram", "console", name="channel", native_enum=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", CHANNEL, nullable=True))
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("claimed_until", models.types.AwareDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("claim_token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("send_key", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True)
        )
        batch_op.drop_index("ix_outbound_message_next_attempt_at")
    op.execute(
        "UPDATE outbound_message SET channel = (SELECT channel_account.channel FROM "
        "channel_account WHERE channel_account.id = outbound_message.account_id)"
    )
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.alter_column("channel", existing_type=CHANNEL, nullable=False)
        batch_op.create_index(
            "ix_outbound_message_due",
            ["channel", "next_attempt_at", "id"],
            unique=False,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
        batch_op.create_index(
            "ix_outbound_message_send_key",
            ["send_key"],
            unique=False,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_outbound_message_send_key",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index(
            "ix_outbound_message_due",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
        batch_op.create_index(
            "ix_outbound_message_next_attempt_at", ["next_attempt_at"], unique=False
        )
        batch_op.drop_column("send_key")
        batch_op.drop_column("claim_token")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("urgent")
        batch_op.drop_column("channel")
