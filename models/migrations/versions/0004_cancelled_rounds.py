"""cancelled rounds

A round opened by mistake can be cancelled (ยกเลิกรอบ) with a reason; its edition number is
then free for the round opened instead, so the unique (plan, kind, number) key becomes a
unique index over the editions that are not cancelled.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 06:28:37.980341
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STANDING = sa.text("state <> 'cancelled'")


def upgrade() -> None:
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True)
        )
        batch_op.drop_constraint(batch_op.f("uq_edition_plan_id_kind_number"), type_="unique")
        batch_op.create_index(
            "uq_edition_standing_plan_id_kind_number",
            ["plan_id", "kind", "number"],
            unique=True,
            postgresql_where=STANDING,
            sqlite_where=STANDING,
        )


def downgrade() -> None:
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_edition_standing_plan_id_kind_number",
            postgresql_where=STANDING,
            sqlite_where=STANDING,
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_edition_plan_id_kind_number"), ["plan_id", "kind", "number"]
        )
        batch_op.drop_column("cancel_reason")
