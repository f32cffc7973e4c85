"""amendments keep what was announced

Until this revision an amendment (แก้ไข ครั้งที่ N) wrote its new values into the project rows,
so the original edition no longer showed what had been announced and posted. Project rows now
keep their edition's values and the amendments in force are applied on read; this restores
each amended column to the value it had before its first change (kept on ProjectChange).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AMENDABLE = ("title", "budget_satang", "months_mask", "location")
project = sa.table("project", sa.column("id"), *(sa.column(c) for c in AMENDABLE))
change = sa.table(
    "project_change",
    sa.column("id"),
    sa.column("edition_id"),
    sa.column("project_id"),
    sa.column("kind"),
    sa.column("before"),
    sa.column("after"),
)
edition = sa.table("edition", sa.column("id"), sa.column("state"))


def _json(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return json.loads(value) if isinstance(value, str) else dict(value)


def _changes(connection: sa.Connection, *, in_force_only: bool) -> list[Any]:
    statement = sa.select(change.c.project_id, change.c.before, change.c.after).where(
        change.c.kind == "change", change.c.project_id.is_not(None)
    )
    if in_force_only:
        statement = statement.join(edition, edition.c.id == change.c.edition_id).where(
            edition.c.state == "in_force"
        )
    return list(connection.execute(statement.order_by(change.c.id)))


def upgrade() -> None:
    """Each amended column back to its value before the first change."""
    connection = op.get_bind()
    restored: dict[int, dict[str, Any]] = {}
    for project_id, before, _after in _changes(connection, in_force_only=False):
        values = restored.setdefault(project_id, {})
        for column, value in _json(before).items():
            if column in AMENDABLE:
                values.setdefault(column, value)  # the first change holds the announced value
    for project_id, values in restored.items():
        if values:
            connection.execute(project.update().where(project.c.id == project_id).values(**values))


def downgrade() -> None:
    """The old way: the changes in force written into the rows again."""
    connection = op.get_bind()
    for project_id, _before, after in _changes(connection, in_force_only=True):
        values = {k: v for k, v in _json(after).items() if k in AMENDABLE}
        if values:
            connection.execute(project.update().where(project.c.id == project_id).values(**values))
