"""A draft (ร่างแผนการดำเนินงาน ร่างที่ N) as data: the frozen rows and the summary of แบบ ผด.01.

A draft freezes the accepted projects so that the committee votes on exactly what it saw,
and the documents (ผด.01, ผด.02, ผด.02/1) can be printed from it later even if a project
changes afterwards. Pure functions over plain values, so the arithmetic of the summary —
percentages shown to two decimals that must add up to exactly 100.00 — is tested alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from models.fiscal import mask_to_months
from models.plan import Approach, PlanArea, Project, Strategy

SNAPSHOT_VERSION = 2  # 2: the middle level (approach) and ผด.02's optional columns
WHOLE = 10_000  # 100.00 % in hundredths of a percent


def project_ref(fiscal_year: int, seq: int) -> str:
    """เลขที่ as officials quote it: the fiscal year and the running number, "2569-012"."""
    return f"{fiscal_year}-{seq:03d}"


def project_row(
    project: Project,
    *,
    number: str,
    strategy: Strategy,
    area: PlanArea,
    approach: Approach | None = None,
) -> dict[str, Any]:
    """One project as the forms need it (the columns of ผด.02 / ผด.02/1), JSON-ready."""
    return {
        "id": project.id,
        "seq": project.seq,
        "number": number,
        "title": project.title,
        "details": project.details,
        "budget_satang": project.budget_satang,
        "location": project.location,
        "unit": project.responsible_unit,
        "months": list(mask_to_months(project.months_mask)),
        "strategy_no": strategy.number,
        "strategy_name": strategy.name,
        "area_no": area.number,
        "area_name": area.name,
        "source": project.source.value,
        "agency": project.agency_name,
        "equipment": project.is_equipment,
        "equipment_type": project.equipment_type,
        "approach_no": approach.number if approach else None,
        "approach_name": approach.name if approach else None,
        "procurement": project.procurement_method,
        "completed_on": project.completed_on.isoformat() if project.completed_on else None,
    }


def ordered(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The order of ผด.02: by strategy, then plan area, then running number."""
    return sorted(rows, key=lambda r: (r["strategy_no"], r["area_no"], r["seq"]))


def largest_remainder(values: Sequence[int], whole: int = WHOLE) -> list[int]:
    """Shares of ``whole`` proportional to ``values`` that add up to exactly ``whole``.

    Each share is rounded down, and the units left over go to the largest remainders
    (ties to the earlier row), so no row is off by more than one unit (0.01 %).
    """
    total = sum(values)
    if total <= 0:
        return [0 for _ in values]
    shares = [v * whole // total for v in values]
    remainders = [v * whole % total for v in values]
    left = whole - sum(shares)
    order = sorted(range(len(values)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def percent_text(hundredths: int) -> str:
    """ "12.34" from 1234: percentages as ผด.01 shows them."""
    return f"{Decimal(hundredths) / 100:.2f}"


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """แบบ ผด.01 as data: per strategy its plan areas, with counts, budgets and percentages.

    Percentages are rounded once, over the plan-area rows (largest remainder), and each
    strategy's subtotal is the sum of its rows: so both the rows and the subtotals add up
    to exactly 100.00, and a subtotal always equals what its rows add up to on paper.
    """
    names: dict[int, str] = {}
    areas: dict[tuple[int, int], dict[str, Any]] = {}
    for row in ordered(rows):
        names[row["strategy_no"]] = row["strategy_name"]
        area = areas.setdefault(
            (row["strategy_no"], row["area_no"]),
            {"number": row["area_no"], "name": row["area_name"], "count": 0, "satang": 0},
        )
        area["count"] += 1
        area["satang"] += row["budget_satang"]
        units = area.setdefault("units", [])
        if row["unit"] not in units:
            units.append(row["unit"])
    counts = largest_remainder([a["count"] for a in areas.values()])
    budgets = largest_remainder([a["satang"] for a in areas.values()])
    for area, count_pct, budget_pct in zip(areas.values(), counts, budgets, strict=True):
        area.update(count_pct=count_pct, budget_pct=budget_pct)
    strategies = []
    for number, name in names.items():  # in order: the rows were sorted
        own = [area for (strategy_no, _no), area in areas.items() if strategy_no == number]
        strategies.append({"number": number, "name": name, **_totals(own), "areas": own})
    return {
        "strategies": strategies,
        "count": len(rows),
        "satang": sum(r["budget_satang"] for r in rows),
    }


TOTALLED = ("count", "satang", "count_pct", "budget_pct")


def _totals(areas: Sequence[dict[str, Any]]) -> dict[str, int]:
    return {key: sum(a[key] for a in areas) for key in TOTALLED}


def build_snapshot(rows: Iterable[dict[str, Any]], *, fiscal_year: int) -> dict[str, Any]:
    """What a DraftVersion stores: the ordered rows and their summary."""
    projects = ordered(rows)
    return {
        "version": SNAPSHOT_VERSION,
        "fiscal_year": fiscal_year,
        "projects": projects,
        "summary": summarize(projects),
    }


def same_projects(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two snapshots hold the same projects with the same columns."""
    return bool(a.get("projects") == b.get("projects"))
