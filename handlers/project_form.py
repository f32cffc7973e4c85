"""The questions that place a project in the plan, and what they need to know.

Which org (its strategies from the development plan, the speaker's unit there, its rounds
open for submissions) and which plan area (แผนงาน): read once when a project form starts and
kept in the form's context, so the questions stay pure and a restart resumes without the
database. Shared by submitting, editing (/mine) and the committee's reclassification.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlmodel import select

from handlers.context import Turn
from handlers.forms import Choice, Field, FormData
from handlers.projects import SUBMIT_ROLES
from handlers.projects_text import option_label, shorten
from models.enums import EditionKind
from models.org import Organization
from models.orgs import strategies_of
from models.plan import Edition, OperationalPlan, PlanArea
from models.rounds import edition_label_th
from models.schedule import collection_cutoff
from models.thaitext import ParseError, normalize_digits

TEXT = {
    "strategy_label": "ยุทธศาสตร์",
    "strategy_prompt": "โครงการนี้อยู่ในยุทธศาสตร์ใด — กดปุ่ม หรือพิมพ์เลขหรือชื่อยุทธศาสตร์",
    "strategy_unknown": "ไม่พบยุทธศาสตร์ “{text}” — กรุณาเลือกเลขหรือชื่อจากรายการนี้:\n{listing}",
    "area_label": "แผนงาน",
    "area_prompt": "โครงการนี้อยู่ในแผนงานใด — กดปุ่ม หรือพิมพ์เลขหรือชื่อแผนงาน เช่น 9 หรือ การโยธา",
    "area_unknown": "ไม่พบแผนงาน “{text}” — กรุณาเลือกเลขหรือชื่อจากรายการนี้:\n{listing}",
    "unknown_value": "—",
}


async def form_context(
    turn: Turn,
    open_orgs: Sequence[tuple[Organization, Sequence[tuple[Edition, OperationalPlan]]]],
    *,
    project_id: int | None = None,
) -> dict[str, Any]:
    """What the questions need, JSON-ready: per org its strategies, rounds and the speaker's unit.

    An org without strategies cannot take a project (every project sits under one), so it
    is left out; the caller says so when none is left.
    """
    orgs: list[dict[str, Any]] = []
    for org, rounds in open_orgs:
        assert org.id is not None
        strategies = await strategies_of(turn.session, org.id)
        if not strategies:
            continue
        orgs.append(
            {
                "id": org.id,
                "name": org.short_name,
                "bare": org.name,
                "unit": await _unit_of(turn, org.id),
                "strategies": [
                    {"id": s.id, "number": s.number, "name": s.name} for s in strategies
                ],
                "rounds": [_round_ctx(turn, org, edition, plan) for edition, plan in rounds],
            }
        )
    areas = (await turn.session.exec(select(PlanArea).order_by(PlanArea.number))).all()
    return {
        "orgs": orgs,
        "areas": [{"id": a.id, "number": a.number, "name": a.name} for a in areas],
        "project_id": project_id,
    }


def _round_ctx(
    turn: Turn, org: Organization, edition: Edition, plan: OperationalPlan
) -> dict[str, Any]:
    deadline = collection_cutoff(edition, org, turn.days_off)
    assert deadline is not None
    return {
        "edition": edition.id,
        "plan": plan.id,
        "fy": plan.fiscal_year,
        "label": edition_label_th(edition),
        "original": edition.kind is EditionKind.ORIGINAL,
        "deadline": deadline.isoformat(),  # submissions close (a working day)
    }


async def _unit_of(turn: Turn, org_id: int) -> str | None:
    """The unit the speaker acts for in the org (กองช่าง, หมู่ที่ 5…), a submitter's first."""
    units = {m.role: m.unit for m, _o in await turn.memberships() if m.org_id == org_id and m.unit}
    return next((units[r] for r in SUBMIT_ROLES if r in units), next(iter(units.values()), None))


# -- reading the context ------------------------------------------------------------------


def org_entry(data: FormData) -> dict[str, Any] | None:
    org_id = data.values.get("org")
    return next((o for o in data.ctx["orgs"] if o["id"] == org_id), None)


def squash(text: str) -> str:
    """Compare names as people type them: Thai or Arabic digits, any spacing, any case."""
    return re.sub(r"\s+", "", normalize_digits(text)).casefold()


_LEADING_NUMBER = re.compile(r"(?:ยุทธศาสตร์|แผนงาน)?(?:ที่)?([0-9]{1,3})(?:[^0-9.].*)?")


def _pick(text: str, options: list[dict[str, Any]], prefix: str) -> dict[str, Any] | None:
    """An option by its number ("1", "ยุทธศาสตร์ที่ 1", "1 การพัฒนา…") or by (part of) its name."""
    typed = squash(text)
    number = _LEADING_NUMBER.fullmatch(typed)
    if number is not None:
        return next((o for o in options if o["number"] == int(number.group(1))), None)
    wanted = typed.removeprefix(prefix)
    if len(wanted) < 2:
        return None
    names = {o["id"]: squash(o["name"]).removeprefix(prefix) for o in options}
    exact = [o for o in options if names[o["id"]] == wanted]
    partial = [o for o in options if wanted in names[o["id"]]]
    found = exact or partial
    return found[0] if len(found) == 1 else None


def _listing(options: list[dict[str, Any]]) -> str:
    return "\n".join(option_label(o["number"], o["name"]) for o in options)


def show_option(options: list[dict[str, Any]], value: Any) -> str:
    found = next((o for o in options if o["id"] == value), None)
    return TEXT["unknown_value"] if found is None else option_label(found["number"], found["name"])


def _strategies(data: FormData) -> list[dict[str, Any]]:
    org = org_entry(data)
    return org["strategies"] if org else []


def _strategy_choices(data: FormData) -> list[Choice]:
    return [Choice(option_label(s["number"], s["name"]), s["id"]) for s in _strategies(data)]


def _parse_strategy(text: str, data: FormData) -> Any:
    found = _pick(text, _strategies(data), "ยุทธศาสตร์")
    if found is None:
        return ParseError(
            TEXT["strategy_unknown"].format(
                text=shorten(text.strip(), 40), listing=_listing(_strategies(data))
            )
        )
    return found["id"]


def _area_choices(data: FormData) -> list[Choice]:
    return [Choice(option_label(a["number"], a["name"]), a["id"]) for a in data.ctx["areas"]]


def _parse_area(text: str, data: FormData) -> Any:
    found = _pick(text, data.ctx["areas"], "แผนงาน")
    if found is None:
        return ParseError(
            TEXT["area_unknown"].format(
                text=shorten(text.strip(), 40), listing=_listing(data.ctx["areas"])
            )
        )
    return found["id"]


def strategy_field() -> Field:
    """ยุทธศาสตร์: the org's strategies as buttons, or a number or (part of) a name typed."""
    return Field(
        "strategy",
        TEXT["strategy_label"],
        TEXT["strategy_prompt"],
        parse=_parse_strategy,
        choices=_strategy_choices,
        show=lambda value, data: show_option(_strategies(data), value),
        depends_on=("org",),
    )


def area_field() -> Field:
    """แผนงาน: the twelve plan areas, as buttons or typed."""
    return Field(
        "area",
        TEXT["area_label"],
        TEXT["area_prompt"],
        parse=_parse_area,
        choices=_area_choices,
        show=lambda value, data: show_option(data.ctx["areas"], value),
    )
