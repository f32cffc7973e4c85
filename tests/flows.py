"""Chat steps shared by the flow tests (and the whole-year acceptance test): open a round,
submit projects, screen them, make and propose a draft, vote — as the demo people, through
whichever driver the ``chat`` fixture gives — and read back what was stored and queued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import select

from bot.runtime import Runtime
from handlers.messages import Outgoing, buttons_of, from_payload, plain_text
from models import db
from models.enums import Channel, EditionState, ProjectStatus, Role, TriggerKind
from models.org import ChannelAccount, Membership, Organization, Person
from models.plan import DraftVersion, Edition, OperationalPlan, PlanArea, Project, Strategy
from models.records import AuditEvent, OutboundMessage
from models.rounds import open_round
from models.schedule import EditionDates, calendar_of, edition_dates
from tests.chat import ConsoleDriver, RecordingDriver

FY = 2569
RECORDING_ONLY = (
    "the console is one terminal: it presses only the buttons of the last message shown"
)


@dataclass(frozen=True)
class Press:
    """An answer given by pressing the button with this label (else the answer is typed)."""

    label: str


Answer = str | Press


async def step(chat: Any, who: str, answer: Answer) -> str:
    if isinstance(answer, Press):
        return await chat.press(who, answer.label)
    return await chat.say(who, answer)


# -- the round ------------------------------------------------------------------------------


async def open_fy_round(
    rt: Runtime,
    *,
    trigger_date: date = date(2025, 10, 1),
    kind: TriggerKind = TriggerKind.ANNUAL_BUDGET,
    org_name: str = "หนองแวง",
) -> int:
    """Open a FY 2569 round for an org directly (the /budget flow has its own tests)."""
    async with db.transaction(rt.sessions) as session:
        org = (await session.exec(select(Organization).where(Organization.name == org_name))).one()
        opened = await open_round(
            session,
            rt.clock,
            rt.days_off,
            org=org,
            fiscal_year=FY,
            trigger_kind=kind,
            trigger_date=trigger_date,
        )
        assert opened.edition.id is not None
        return opened.edition.id


async def set_edition_state(rt: Runtime, edition_id: int, state: EditionState) -> None:
    async with db.transaction(rt.sessions) as session:
        edition = await session.get(Edition, edition_id)
        assert edition is not None
        edition.state = state


async def dates_of(rt: Runtime, edition_id: int) -> EditionDates:
    """The edition's deadlines as counted now, on its org's calendar (nothing is stored)."""
    async with rt.sessions() as session:
        edition = await session.get(Edition, edition_id)
        assert edition is not None
        plan = await session.get(OperationalPlan, edition.plan_id)
        assert plan is not None
        org = await session.get(Organization, plan.org_id)
        assert org is not None
        return edition_dates(edition, calendar_of(org, rt.days_off))


async def posting_due_of(rt: Runtime, edition_id: int) -> date | None:
    posting = (await dates_of(rt, edition_id)).posting
    return posting.due if posting else None


async def edition_state(rt: Runtime, edition_id: int) -> EditionState:
    async with rt.sessions() as session:
        edition = await session.get(Edition, edition_id)
        assert edition is not None
        return edition.state


# -- submitting -----------------------------------------------------------------------------

ROAD = {
    "title": "ก่อสร้างถนนคอนกรีตเสริมเหล็ก หมู่ 5 บ้านหนองแวง",
    "strategy": Press("1 การพัฒนาด้านโครงสร้างพื้นฐาน"),
    "area": Press("9 แผนงานอุตสาหกรรมและการโยธา"),
    "details": "ก่อสร้างถนน คสล. กว้าง 5 เมตร ยาว 200 เมตร หนา 0.15 เมตร",
    "budget": "150000",
    "location": "หมู่ที่ 5 บ้านหนองแวง",
    "source": Press("อบต.หนองแวง"),
    "unit": Press("กองช่าง"),
    "months": Press("ทั้งปี"),
    "equipment": Press("ไม่ใช่"),
}
OWN_ONLY = ("unit", "equipment")  # not asked for another agency's project
ORDER = tuple(ROAD)


async def submit(chat: Any, who: str = "agency", **answers: Answer) -> str:
    """Walk the whole form with ROAD's answers (overridden by ``answers``) and confirm it."""
    chosen = {**ROAD, **answers}
    out = await chat.say(who, "เสนอโครงการ")
    assert "ขั้นที่ 1/" in out, out
    other = chosen["source"] == Press("หน่วยงานอื่น")
    for name in ORDER:
        if other and name in OWN_ONLY:
            continue
        out = await step(chat, who, chosen[name])
        if name == "source" and other:
            out = await step(chat, who, chosen["agency"])
        if name == "equipment" and chosen["equipment"] == Press("ใช่"):
            out = await step(chat, who, chosen.get("equipment_type", Press("ครุภัณฑ์สำนักงาน")))
    assert "ตรวจสอบก่อนส่ง" in out, out
    return await chat.press(who, "ยืนยันส่ง")


async def add_projects(
    rt: Runtime,
    edition_id: int,
    budgets_baht: list[int],
    *,
    status: ProjectStatus = ProjectStatus.SUBMITTED,
    strategy_no: int = 1,
    area_no: int = 9,
    who: str = "agency",
) -> None:
    """Projects straight into the table, for tests about what comes after submitting."""
    async with db.transaction(rt.sessions) as session:
        edition = await session.get(Edition, edition_id)
        assert edition is not None
        plan = await session.get(OperationalPlan, edition.plan_id)
        assert plan is not None
        account = (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == who))
        ).one()
        strategy = (
            await session.exec(
                select(Strategy).where(
                    Strategy.org_id == plan.org_id, Strategy.number == strategy_no
                )
            )
        ).one()
        area = (await session.exec(select(PlanArea).where(PlanArea.number == area_no))).one()
        taken = (await session.exec(select(Project.seq).where(Project.plan_id == plan.id))).all()
        for seq, baht in enumerate(budgets_baht, start=max(taken, default=0) + 1):
            session.add(
                Project(
                    plan_id=edition.plan_id,
                    edition_id=edition_id,
                    seq=seq,
                    title=f"โครงการที่ {seq}",
                    details="-",
                    budget_satang=baht * 100,
                    location="-",
                    responsible_unit="กองช่าง",
                    months_mask=1,
                    strategy_id=strategy.id,  # type: ignore[arg-type]
                    plan_area_id=area.id,  # type: ignore[arg-type]
                    status=status,
                    submitted_by_id=account.person_id,
                )
            )


# -- screening, drafting, proposing ---------------------------------------------------------


async def accept_all(chat: Any, who: str = "s1") -> str:
    """/screen, then รับเข้าแผน on every card, page after page, as the committee would."""
    out = await chat.say(who, "ตรวจโครงการ")
    while True:
        label = next((b for b in chat.buttons(who) if b.startswith("รับเข้าแผน #")), None)
        if label is None:
            return out
        out = await chat.press(who, label)
        assert "✅ รับโครงการเลขที่" in out, out
        if "ตรวจโครงการต่อ" in chat.buttons(who):
            out = await chat.press(who, "ตรวจโครงการต่อ")


async def make_draft(chat: Any, who: str = "officer") -> str:
    return await chat.say(who, "จัดทำร่าง")


async def propose(chat: Any, who: str = "officer") -> str:
    """The button under the draft when it is on screen, else the typed command."""
    if "เสนอคณะกรรมการพัฒนาฯ" in chat.buttons(who):
        return await chat.press(who, "เสนอคณะกรรมการพัฒนาฯ")
    return await chat.say(who, "เสนอร่าง")


# -- the committee --------------------------------------------------------------------------


async def show_notice(chat: Any, rt: Runtime, who: str, key_prefix: str) -> str:
    """Put the newest notice queued for ``who`` on their screen, as their phone shows it, so
    its buttons can be pressed (the console printed it already; the recorder keeps replies)."""
    found = await queued(rt, key_prefix, who)
    assert found, f"no notice {key_prefix!r} for {who}"
    messages = found[-1]
    if isinstance(chat, RecordingDriver):
        chat.last[who] = messages
    elif isinstance(chat, ConsoleDriver):
        chat.console.shown[who] = buttons_of(messages)
    return plain_text(messages)


async def vote(chat: Any, rt: Runtime, who: str, decision: str, comment: str | None = None) -> str:
    """Press เห็นชอบ / ไม่เห็นชอบ / ขอแก้ไข on the vote request; a comment if asked."""
    await show_notice(chat, rt, who, "draft-proposed:")
    out = await chat.press(who, decision)
    if "ข้อเสนอแนะ" not in out:
        return out
    out = await step(chat, who, comment if comment is not None else Press("ข้าม"))
    assert "ตรวจสอบความเห็นก่อนบันทึก" in out, out
    return await chat.press(who, "บันทึกความเห็น")


async def add_members(
    rt: Runtime, handles: list[str], role: Role = Role.DEVELOPMENT_COMMITTEE
) -> None:
    """More people in the demo org, each with a console account named ``handle``."""
    async with db.transaction(rt.sessions) as session:
        org = (await session.exec(select(Organization).where(Organization.name == "หนองแวง"))).one()
        for handle in handles:
            person = Person(name=f"กรรมการ {handle}", created_at=rt.clock.now())
            session.add(person)
            await session.flush()
            session.add(
                ChannelAccount(
                    channel=Channel.CONSOLE,
                    external_id=handle,
                    person_id=person.id,
                    created_at=rt.clock.now(),
                )
            )
            session.add(Membership(person_id=person.id, org_id=org.id, role=role))  # type: ignore[arg-type]


# -- the executive and posting ----------------------------------------------------------


async def approve_today(chat: Any, who: str = "mayor") -> str:
    """/approve → อนุมัติและประกาศใช้ → วันนี้ → confirm."""
    await chat.say(who, "/approve")
    await chat.press(who, "อนุมัติและประกาศใช้")
    today = next(b for b in chat.buttons(who) if b.startswith("วันนี้"))
    await chat.press(who, today)
    return await chat.press(who, "อนุมัติและประกาศใช้")


async def post_at_the_board(chat: Any, day: str) -> str:
    """/posted (one edition waiting) → ``day`` → the office board → done → no photo → save."""
    await chat.say("officer", "/posted")
    return await post_from_date(chat, day)


async def post_from_date(chat: Any, day: str) -> str:
    """The posting form from its date question on: ``day``'s button, the board, no photo."""
    await chat.press("officer", day)
    await chat.press("officer", "บอร์ดประชาสัมพันธ์ที่ทำการ")
    await chat.press("officer", "เสร็จแล้ว")
    await chat.press("officer", "ข้าม")
    return await chat.press("officer", "บันทึกการปิดประกาศ")


# -- reading back -----------------------------------------------------------------------------


async def projects(rt: Runtime) -> list[Project]:
    async with rt.sessions() as session:
        return list((await session.exec(select(Project).order_by(Project.seq))).all())


async def drafts(rt: Runtime) -> list[DraftVersion]:
    async with rt.sessions() as session:
        rows = await session.exec(select(DraftVersion).order_by(DraftVersion.id))  # type: ignore[arg-type]
        return list(rows.all())


async def audit_actions(rt: Runtime, prefix: str) -> list[AuditEvent]:
    async with rt.sessions() as session:
        rows = await session.exec(
            select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)  # type: ignore[attr-defined]
        )
        return list(rows.all())


async def queued(rt: Runtime, key_prefix: str, who: str | None = None) -> list[list[Outgoing]]:
    """The messages of every queued notice whose key starts so (to ``who`` only, if given)."""
    return [m for name, m in await _notices(rt, key_prefix) if who is None or name == who]


async def notices(rt: Runtime, key_prefix: str) -> list[tuple[str, str]]:
    """(recipient console name, text) of every queued notice whose key starts so."""
    return [(name, plain_text(m)) for name, m in await _notices(rt, key_prefix)]


async def _notices(rt: Runtime, key_prefix: str) -> list[tuple[str, list[Outgoing]]]:
    async with rt.sessions() as session:
        rows = await session.exec(
            select(OutboundMessage, ChannelAccount)
            .join(ChannelAccount, ChannelAccount.id == OutboundMessage.account_id)
            .where(OutboundMessage.dedupe_key.startswith(key_prefix))  # type: ignore[attr-defined]
            .order_by(OutboundMessage.id)  # type: ignore[arg-type]
        )
        return [(a.external_id, from_payload(m.payload)) for m, a in rows.all()]
