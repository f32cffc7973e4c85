"""reminders: per-org settings, when a draft was proposed, the days reminders were queued

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_run",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ran_at", models.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_reminder_run")),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder_settings", sa.JSON(), nullable=False, server_default="{}")
        )
    with op.batch_alter_table("draft_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("proposed_at", models.types.AwareDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("draft_version", schema=None) as batch_op:
        batch_op.drop_column("proposed_at")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("reminder_settings")
    op.drop_table("reminder_run")
