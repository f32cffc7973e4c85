"""The rows of the forms, read from the database: projects with their strategy, plan area and
(optional) middle level, as ``models.drafts.project_row`` shapes them.

A draft freezes these rows; the consolidated plan reads them afresh. Both ask here, so a
draft and the plan in force always carry the same columns.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.drafts import project_ref, project_row
from models.plan import Approach, PlanArea, Project, Strategy


async def project_rows(
    session: AsyncSession, fiscal_year: int, *where: Any
) -> list[dict[str, Any]]:
    """The projects meeting ``where`` as rows of ผด.02 (unordered: ``drafts.ordered`` sorts)."""
    statement = (
        select(Project, Strategy, PlanArea, Approach)
        .join(Strategy, col(Strategy.id) == Project.strategy_id)
        .join(PlanArea, col(PlanArea.id) == Project.plan_area_id)
        .outerjoin(Approach, col(Approach.id) == Project.approach_id)
        .where(*where)
    )
    return [
        project_row(
            project,
            number=project_ref(fiscal_year, project.seq),
            strategy=strategy,
            area=area,
            approach=approach,
        )
        for project, strategy, area, approach in (await session.exec(statement)).all()
    ]
