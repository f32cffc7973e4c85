"""deadlines derived from the events, not stored

The edition kept three counted dates (the preparation deadline, the posting deadline and
the first day the notice may come down) next to the events they were counted from. They
went stale when the counting rule changed (PLANBOT_DEADLINE_RULE) or the cabinet added a
holiday after a round opened, so they are dropped: ``models.schedule`` counts them from
``trigger_date``, ``announced_on`` and ``posted_on`` when needed.

Downgrading puts the columns back filled with the plain calendar count (event + N days),
which is what the old code stored unless a day off moved it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREPARATION_DAYS, POSTING_DAYS, POSTING_MINIMUM_DAYS = 30, 15, 30


def upgrade() -> None:
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.drop_column("deadline")
        batch_op.drop_column("posting_deadline")
        batch_op.drop_column("earliest_removal")


def downgrade() -> None:
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("posting_deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("earliest_removal", sa.Date(), nullable=True))
    edition = sa.table(
        "edition",
        sa.column("id", sa.Integer),
        sa.column("trigger_date", sa.Date),
        sa.column("announced_on", sa.Date),
        sa.column("posted_on", sa.Date),
        sa.column("deadline", sa.Date),
        sa.column("posting_deadline", sa.Date),
        sa.column("earliest_removal", sa.Date),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(edition.c.id, edition.c.trigger_date, edition.c.announced_on, edition.c.posted_on)
    ).all()
    for row in rows:
        connection.execute(
            edition.update()
            .where(edition.c.id == row.id)
            .values(
                deadline=_after(row.trigger_date, PREPARATION_DAYS),
                posting_deadline=_after(row.announced_on, POSTING_DAYS),
                earliest_removal=_after(row.posted_on, POSTING_MINIMUM_DAYS + 1),
            )
        )
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.alter_column("deadline", existing_type=sa.Date(), nullable=False)


def _after(day: date | None, days: int) -> date | None:
    return day + timedelta(days=days) if day is not None else None
