"""The rows of the forms, read from the database: projects with their strategy, plan area and
(optional) middle level, as ``models.drafts.project_row`` shapes them.

A draft freezes these rows; the consolidated plan makes them from the projects as they stand
(``models.editions.consolidated``, amendments applied to detached copies). Both come here,
so a draft and the plan in force always carry the same columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.drafts import project_ref, project_row
from models.plan import Approach, PlanArea, Project, Strategy


async def project_rows(
    session: AsyncSession, fiscal_year: int, *where: Any
) -> list[dict[str, Any]]:
    """The projects meeting ``where`` as rows of ผด.02 (unordered: ``drafts.ordered`` sorts)."""
    projects = (await session.exec(select(Project).where(*where))).all()
    return await rows_of(session, fiscal_year, projects)


async def rows_of(
    session: AsyncSession, fiscal_year: int, projects: Sequence[Project]
) -> list[dict[str, Any]]:
    """Rows for ``projects`` (rows of the table or detached copies), in their order."""
    strategies = await _by_id(session, Strategy, {p.strategy_id for p in projects})
    areas = await _by_id(session, PlanArea, {p.plan_area_id for p in projects})
    approaches = await _by_id(
        session, Approach, {p.approach_id for p in projects if p.approach_id is not None}
    )
    return [
        project_row(
            project,
            number=project_ref(fiscal_year, project.seq),
            strategy=strategies[project.strategy_id],
            area=areas[project.plan_area_id],
            approach=approaches.get(project.approach_id) if project.approach_id else None,
        )
        for project in projects
    ]


async def _by_id(session: AsyncSession, table: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    found = await session.exec(select(table).where(col(table.id).in_(sorted(ids))))
    return {row.id: row for row in found.all()}
