"""เอกสาร: the plan's documents in chat — the draft a member votes on, and any edition on request.

The committee's vote request and ผลการพิจารณา carry the draft itself: ดูร่าง (the phone page)
and the PDF, with the cover as a preview image where the platform shows one (LINE; it gets
signed links, since it cannot carry files; Telegram sends the files). ``เอกสาร`` (/export)
lets officers, committee members and the executive pick what they want in three presses:
which (the plan in force, one edition, or the newest draft), which form, which format.

Each file is rendered once (``documents.store``) and kept under the documents directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from documents.load import Source, load_document
from documents.model import Form, PlanDocument
from documents.store import Format, Rendered, render_to
from handlers import commands
from handlers.buttons import ActionPress, action_button
from handlers.context import Turn, refusal
from handlers.messages import Button, Choices, Document, Outgoing, Text
from handlers.router import action, command
from models.editions import edition_title_th
from models.enums import EditionState
from models.org import Organization
from models.permissions import Action, needed_roles_th
from models.plan import DraftVersion, Edition, OperationalPlan

TEXT = {
    "which": "📄 เอกสารแผนการดำเนินงาน — เลือกฉบับ",
    "which_form": "📄 {title} — เลือกแบบ",
    "which_format": "📄 {title} · {form} — เลือกรูปแบบไฟล์",
    "none": ("📄 {org}: ยังไม่มีร่างหรือแผนการดำเนินงานที่จะแสดง — เอกสารจะมีเมื่อจัดทำร่างแล้ว (คำสั่ง จัดทำร่าง)"),
    "plan": "แผนที่ประกาศใช้ ปี {fy} (ฉบับรวม)",
    "edition": "ปี {fy} {edition}",
    "draft": "ร่างที่ {n} ปี {fy}{suffix}",
    "formats": {Format.PDF: "PDF", Format.XLSX: "Excel (XLSX)", Format.HTML: "หน้าเว็บ (โทรศัพท์)"},
    "view_draft": "ดูร่าง — อ่านบนโทรศัพท์ (ร่างที่ {n})",
    "pdf_draft": "ร่างที่ {n} ฉบับพิมพ์ (PDF) — ผด.01 ผด.02 ผด.02/1 พร้อมส่วนที่ 1",
    "sent": "{title} · {form}",
    "gone": "รายการนี้หมดอายุแล้ว — พิมพ์ เอกสาร เพื่อเลือกใหม่",
    "refused": "⛔ เอกสารนี้สำหรับ{roles}ขององค์กรเจ้าของแผนเท่านั้น",
}
PICK = "docs"
FORMS = (Form.WHOLE, Form.PD01, Form.PD02, Form.PD021, Form.PART1, Form.ANNOUNCEMENT)
FORMATS = (Format.PDF, Format.XLSX, Format.HTML)
KINDS = {"p": "plan", "e": "edition", "d": "draft"}


# -- the draft a committee member votes on -----------------------------------------------------


async def draft_documents(turn: Turn, draft_id: int) -> list[Outgoing]:
    """ดูร่าง (the phone page) and the PDF of ร่างที่ N, rendered the first time they are asked."""
    draft = await turn.session.get(DraftVersion, draft_id)
    edition = await turn.session.get(Edition, draft.edition_id) if draft else None
    if draft is None or edition is None:
        return []
    doc = await load_document(turn.session, Source(edition.plan_id, draft_id=draft_id))
    root = turn.documents_dir.resolve()
    page = await render_to(root, doc, Form.WHOLE, Format.HTML)
    pdf = await render_to(root, doc, Form.WHOLE, Format.PDF)
    cover = await render_to(root, doc, Form.WHOLE, Format.PNG)
    return [
        _document(page, TEXT["view_draft"].format(n=draft.number)),
        _document(pdf, TEXT["pdf_draft"].format(n=draft.number), preview=cover),
    ]


def _document(done: Rendered, caption: str, preview: Rendered | None = None) -> Document:
    return Document(str(done.path), done.filename, caption, str(preview.path) if preview else None)


# -- เอกสาร -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    kind: str  # p (plan in force), e (an edition in force), d (a draft)
    object_id: int
    label: str


@command(commands.EXPORT)
async def documents_command(turn: Turn, _args: str) -> list[Outgoing]:
    orgs = await turn.require(Action.VIEW_DOCUMENTS)
    replies: list[Outgoing] = []
    for org in orgs:
        choices = await _choices(turn, org)
        if not choices:
            replies.append(Text(TEXT["none"].format(org=org.short_name)))
            continue
        buttons = tuple(Button(c.label, action_button(PICK, c.object_id, c.kind)) for c in choices)
        title = TEXT["which"] + (f" — {org.short_name}" if len(orgs) > 1 else "")
        replies.append(Choices(title, buttons))
    return replies


async def _choices(turn: Turn, org: Organization) -> list[Choice]:
    """The newest year first: the plan in force, each edition in force, each edition's
    newest draft."""
    plans = (
        await turn.session.exec(
            select(OperationalPlan)
            .where(OperationalPlan.org_id == org.id)
            .order_by(col(OperationalPlan.fiscal_year).desc())
        )
    ).all()
    found: list[Choice] = []
    for plan in plans[:2]:
        assert plan.id is not None
        editions = (
            await turn.session.exec(
                select(Edition).where(Edition.plan_id == plan.id).order_by(col(Edition.id))
            )
        ).all()
        in_force = [e for e in editions if e.state is EditionState.IN_FORCE]
        if in_force:
            found.append(Choice("p", plan.id, TEXT["plan"].format(fy=plan.fiscal_year)))
        if len(in_force) > 1:
            for edition in in_force:
                label = edition_title_th(edition, plan.fiscal_year)
                assert edition.id is not None
                found.append(
                    Choice(
                        "e", edition.id, TEXT["edition"].format(fy=plan.fiscal_year, edition=label)
                    )
                )
        for edition in editions:
            newest = (
                await turn.session.exec(
                    select(DraftVersion)
                    .where(DraftVersion.edition_id == edition.id)
                    .order_by(col(DraftVersion.number).desc())
                )
            ).first()
            if (
                newest is not None
                and newest.id is not None
                and edition.state is not EditionState.IN_FORCE
            ):
                suffix = (
                    "" if edition.number == 0 else f" {edition_title_th(edition, plan.fiscal_year)}"
                )
                found.append(
                    Choice(
                        "d",
                        newest.id,
                        TEXT["draft"].format(n=newest.number, fy=plan.fiscal_year, suffix=suffix),
                    )
                )
    return found


@action(PICK)
async def documents_pick(turn: Turn, press: ActionPress) -> list[Outgoing]:
    """Three presses: ``k`` (which), ``k.form`` (which form), ``k.form.fmt`` (send it)."""
    parts = (press.arg or "").split(".")
    source = await _source(turn, parts[0], press.object_id)
    if source is None:
        return [Text(TEXT["gone"])]
    await _allowed(turn, source)
    doc = await load_document(turn.session, source)
    title = doc.heading.title + (f" {doc.heading.stamp}" if doc.heading.stamp else "")
    forms = _forms(doc)
    if len(parts) == 1:
        return [Choices(TEXT["which_form"].format(title=title), _buttons(press, forms, parts))]
    try:
        form = Form(parts[1])
    except ValueError:
        return [Text(TEXT["gone"])]
    if len(parts) == 2:
        formats = (
            FORMATS
            if form in (Form.WHOLE, Form.PD01, Form.PD02, Form.PD021)
            else (
                Format.PDF,
                Format.HTML,
            )
        )
        text = TEXT["which_format"].format(title=title, form=form.label_th)
        return [Choices(text, _buttons(press, formats, parts))]
    try:
        fmt = Format(parts[2])
    except ValueError:
        return [Text(TEXT["gone"])]
    root = turn.documents_dir.resolve()
    done = await render_to(root, doc, form, fmt)
    preview = await render_to(root, doc, Form.WHOLE, Format.PNG) if fmt is Format.PDF else None
    return [_document(done, TEXT["sent"].format(title=title, form=form.label_th), preview)]


def _forms(doc: PlanDocument) -> tuple[Form, ...]:
    """Every form; the announcement only where there is one (not on a draft)."""
    return tuple(f for f in FORMS if f is not Form.ANNOUNCEMENT or doc.announcements)


def _buttons(
    press: ActionPress, values: Sequence[Form | Format], parts: list[str]
) -> tuple[Button, ...]:
    out = []
    for value in values:
        label = value.label_th if isinstance(value, Form) else TEXT["formats"][value]
        arg = ".".join([*parts, value.value])
        out.append(Button(label, action_button(PICK, press.object_id, arg)))
    return tuple(out)


async def _source(turn: Turn, kind: str, object_id: int) -> Source | None:
    if kind == "p":
        plan = await turn.session.get(OperationalPlan, object_id)
        return Source(object_id) if plan else None
    if kind == "e":
        edition = await turn.session.get(Edition, object_id)
        if edition is None or edition.state is not EditionState.IN_FORCE:
            return None
        return Source(edition.plan_id, edition_id=object_id)
    if kind == "d":
        draft = await turn.session.get(DraftVersion, object_id)
        edition = await turn.session.get(Edition, draft.edition_id) if draft else None
        return Source(edition.plan_id, draft_id=object_id) if edition else None
    return None


async def _allowed(turn: Turn, source: Source) -> None:
    """Only the plan's own officers, committees and executive; others are refused, audited."""
    plan = await turn.session.get(OperationalPlan, source.plan_id)
    orgs = await turn.require(Action.VIEW_DOCUMENTS)
    if plan is not None and plan.org_id in {o.id for o in orgs}:
        return
    await turn.audit(f"denied:{Action.VIEW_DOCUMENTS}", org_id=plan.org_id if plan else None)
    raise refusal(TEXT["refused"].format(roles=needed_roles_th(Action.VIEW_DOCUMENTS)))
