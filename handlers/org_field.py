"""The "which organization?" question, asked only when the speaker belongs to several."""

from __future__ import annotations

from typing import Any

from handlers.forms import Choice, Field, FormData
from models.days_off import DaysOff
from models.org import Organization
from models.thaitext import ParseError

TEXT = {
    "label": "องค์กร",
    "prompt": "ต้องการดำเนินการในนามองค์กรใด",
    "unknown": "ไม่พบองค์กรนี้ในรายการ — กรุณากดปุ่มชื่อองค์กร เช่น {example}",
}


def org_context(orgs: list[Organization]) -> dict[str, Any]:
    """What the form keeps about the candidate orgs (JSON-ready), preselecting a lone one."""
    return {"orgs": [{"id": o.id, "name": o.short_name, "province": o.province} for o in orgs]}


def preset(ctx: dict[str, Any]) -> dict[str, Any]:
    """Initial values: the org is answered already when the context offers only one."""
    return {"org": ctx["orgs"][0]["id"]} if len(ctx["orgs"]) == 1 else {}


def org_name(data: FormData) -> str:
    org_id = data.values.get("org")
    return next((o["name"] for o in data.ctx["orgs"] if o["id"] == org_id), "")


def org_days_off(data: FormData) -> DaysOff:
    """The chosen org's calendar (its province's days off), once the org is answered."""
    assert data.days_off is not None
    org_id = data.values.get("org")
    province = next((o.get("province") for o in data.ctx["orgs"] if o["id"] == org_id), None)
    return data.days_off.of(province)


def _choices(data: FormData) -> list[Choice]:
    return [Choice(o["name"], o["id"]) for o in data.ctx["orgs"]]


def _parse(text: str, data: FormData) -> Any:
    example = data.ctx["orgs"][0]["name"]
    wanted = text.replace(" ", "")
    for o in data.ctx["orgs"]:
        if wanted and wanted in o["name"].replace(" ", ""):
            return o["id"]
    return ParseError(TEXT["unknown"].format(example=example))


ORG_FIELD = Field(
    name="org",
    label=TEXT["label"],
    prompt=TEXT["prompt"],
    parse=_parse,
    choices=_choices,
    when=lambda data: len(data.ctx["orgs"]) > 1,
    show=lambda _value, data: org_name(data),
)
