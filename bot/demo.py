"""The demo อบต.: a real-looking organization with someone in every role, for trying planbot.

Each demo person has a console account named after them (``officer``, ``c1`` …) so the
console chat can speak as anyone with ``@name``. The demo's clock stands still unless moved
(``--at`` to start it anywhere, ``@clock +3d`` in the chat), so scripts are reproducible
and the reminders of a whole fiscal year can be watched arriving in a few lines.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy.exc import DBAPIError
from sqlmodel import func, select

from bot.runtime import Runtime
from models import db
from models.clock import FixedClock
from models.enums import Channel, OrgKind, Role
from models.org import ChannelAccount, Membership, Organization, Person
from models.orgs import create_organization, strategies_of
from models.plan import DevelopmentPlanProject, PlanArea
from models.thaitext import ParseError, format_thai_date, parse_moment
from scheduler.reminders import Pass
from scheduler.timetravel import travel

if TYPE_CHECKING:
    from bot.channels.console import ConsoleChat

DEMO_ORG = {"kind": OrgKind.SAO, "name": "หนองแวง", "district": "ภูเวียง", "province": "ขอนแก่น"}

DEMO_STRATEGIES = (
    "การพัฒนาด้านโครงสร้างพื้นฐาน",
    "การพัฒนาคุณภาพชีวิตและสังคม",
    "การพัฒนาเศรษฐกิจชุมชนและการเกษตร",
    "การบริหารจัดการทรัพยากรธรรมชาติและสิ่งแวดล้อม",
    "การพัฒนาการศึกษา ศาสนา และวัฒนธรรม",
    "การพัฒนาการบริหารจัดการองค์กรตามหลักธรรมาภิบาล",
)


class DemoPerson(NamedTuple):
    handle: str
    name: str
    position: str
    roles: tuple[Role, ...]
    unit: str
    chair: bool = False


DEMO_PEOPLE = (
    DemoPerson(
        "officer",
        "นางสาวพิมพ์ชนก ใจดี",
        "นักวิเคราะห์นโยบายและแผน",
        (Role.PLAN_OFFICER, Role.ADMIN),
        "สำนักปลัด",
    ),
    DemoPerson("agency", "นายสมชาย ช่างดี", "ผู้อำนวยการกองช่าง", (Role.SUBMITTER,), "กองช่าง"),
    DemoPerson("village", "นายบุญมี ศรีสุข", "ผู้ใหญ่บ้าน หมู่ที่ 5", (Role.SUBMITTER,), "หมู่ที่ 5 บ้านหนองแวง"),
    DemoPerson(
        "c1",
        "นายสมศักดิ์ บุญเรือง",
        "รองนายก อบต.หนองแวง (ประธานกรรมการ)",
        (Role.DEVELOPMENT_COMMITTEE,),
        "ผู้บริหารท้องถิ่น",
        chair=True,
    ),
    DemoPerson("c2", "นางมาลี ทองดี", "สมาชิกสภา อบต.", (Role.DEVELOPMENT_COMMITTEE,), "สภา อบต."),
    DemoPerson("c3", "นายวิชัย แก้วกล้า", "กำนันตำบลหนองแวง", (Role.DEVELOPMENT_COMMITTEE,), "ตำบล"),
    DemoPerson("c4", "นางสุดา พรมมา", "ผู้แทนประชาคมท้องถิ่น", (Role.DEVELOPMENT_COMMITTEE,), "ประชาคม"),
    DemoPerson("c5", "นายอำนาจ สุขใจ", "ผู้ทรงคุณวุฒิ", (Role.DEVELOPMENT_COMMITTEE,), "ผู้ทรงคุณวุฒิ"),
    DemoPerson(
        "s1",
        "นายธนพล รักษ์ดี",
        "ปลัด อบต. (ประธาน)",
        (Role.SUPPORT_COMMITTEE,),
        "สำนักปลัด",
        chair=True,
    ),
    DemoPerson("s2", "นางจันทร์เพ็ญ คำดี", "ผู้อำนวยการกองคลัง", (Role.SUPPORT_COMMITTEE,), "กองคลัง"),
    DemoPerson(
        "s3", "นายสุริยา วงศ์ใหญ่", "ผู้อำนวยการกองการศึกษา", (Role.SUPPORT_COMMITTEE,), "กองการศึกษา"
    ),
    DemoPerson("mayor", "นายประสิทธิ์ มั่นคง", "นายก อบต.หนองแวง", (Role.EXECUTIVE,), "ผู้บริหารท้องถิ่น"),
)

# A few rows of the development plan's แบบ ผ.02: (strategy no., title, plan area no., baht/year)
DEMO_DEV_PLAN = (
    (1, "ก่อสร้างถนนคอนกรีตเสริมเหล็ก หมู่ที่ 5 บ้านหนองแวง", 9, 1_500_000),
    (1, "ขยายเขตไฟฟ้าแรงต่ำ หมู่ที่ 3", 9, 450_000),
    (2, "ส่งเสริมสุขภาพผู้สูงอายุ", 4, 80_000),
    (3, "ส่งเสริมอาชีพทอผ้าไหม กลุ่มสตรี", 7, 120_000),
    (4, "ปลูกป่าชุมชนเฉลิมพระเกียรติ", 10, 50_000),
    (5, "จัดงานประเพณีบุญบั้งไฟ", 8, 200_000),
)


async def ensure_demo(runtime: Runtime) -> Organization:
    """Create the demo org once; later calls find it and change nothing."""
    async with db.transaction(runtime.sessions) as session:
        existing = (
            await session.exec(
                select(Organization).where(
                    Organization.name == DEMO_ORG["name"], Organization.kind == DEMO_ORG["kind"]
                )
            )
        ).first()
        if existing is not None:
            return existing
        org, _invite = await create_organization(
            session, runtime.clock, strategies=DEMO_STRATEGIES, **DEMO_ORG
        )
        assert org.id is not None
        await session.flush()
        await _add_people(session, org.id, runtime)
        await _add_dev_plan(session, org.id)
        return org


async def holds_only_the_demo(runtime: Runtime) -> bool:
    """Whether the database holds the demo organization and nothing else (safe to start over).

    Read without migrating: a database that is not planbot's at all is not the demo either.
    """
    try:
        async with runtime.sessions() as session:
            orgs = (await session.exec(select(Organization.name, Organization.kind))).all()
    except DBAPIError:  # no organization table: some other database
        return False
    return all((name, kind) == (DEMO_ORG["name"], DEMO_ORG["kind"]) for name, kind in orgs)


async def _add_people(session: Any, org_id: int, runtime: Runtime) -> None:
    for p in DEMO_PEOPLE:
        person = Person(name=p.name, position=p.position, created_at=runtime.clock.now())
        session.add(person)
        await session.flush()
        session.add(
            ChannelAccount(
                channel=Channel.CONSOLE,
                external_id=p.handle,
                person_id=person.id,
                display_name=p.handle,
                created_at=runtime.clock.now(),
            )
        )
        for role in p.roles:
            session.add(
                Membership(
                    person_id=person.id, org_id=org_id, role=role, unit=p.unit, is_chair=p.chair
                )
            )


async def _add_dev_plan(session: Any, org_id: int) -> None:
    strategies = {s.number: s for s in await strategies_of(session, org_id)}
    for seq, (strategy_no, title, _area, baht) in enumerate(DEMO_DEV_PLAN, start=1):
        session.add(
            DevelopmentPlanProject(
                org_id=org_id,
                strategy_id=strategies[strategy_no].id,
                sequence=seq,
                title=title,
                budgets_by_year={str(year): baht * 100 for year in range(2566, 2571)},
                responsible_unit="กองช่าง" if strategy_no == 1 else "สำนักปลัด",
            )
        )


async def describe(runtime: Runtime) -> dict[str, Any]:
    """What the demo database holds, as plain data (for printing or ``--json``)."""
    async with runtime.sessions() as session:
        org = (
            await session.exec(select(Organization).where(Organization.name == DEMO_ORG["name"]))
        ).one()
        assert org.id is not None
        strategies = await strategies_of(session, org.id)
        rows = await session.exec(
            select(ChannelAccount.external_id, Person.name, Membership.role, Membership.is_chair)
            .join(Person, Person.id == ChannelAccount.person_id)
            .join(Membership, Membership.person_id == Person.id)
            .where(ChannelAccount.channel == Channel.CONSOLE, Membership.org_id == org.id)
            .order_by(ChannelAccount.id, Membership.id)
        )
        people: dict[str, dict[str, Any]] = {}
        for handle, name, role, chair in rows.all():
            entry = people.setdefault(handle, {"handle": handle, "name": name, "roles": []})
            entry["roles"].append(role.value + (" (chair)" if chair else ""))
        area_count = (await session.exec(select(func.count()).select_from(PlanArea))).one()
        dev_plan = (
            await session.exec(
                select(func.count())
                .select_from(DevelopmentPlanProject)
                .where(DevelopmentPlanProject.org_id == org.id)
            )
        ).one()
    return {
        "database": str(runtime.engine.url),
        "organization": {"id": org.id, "full_name": org.full_name, "place": org.place_th},
        "strategies": [{"number": s.number, "name": s.name} for s in strategies],
        "plan_areas": area_count,
        "development_plan_projects": dev_plan,
        "people": list(people.values()),
    }


def render_summary(summary: dict[str, Any]) -> str:
    role_th = {r.value: r.label_th for r in Role}
    org = summary["organization"]
    lines = [
        f"📋 ฐานข้อมูลสาธิต: {summary['database']}",
        f"{org['full_name']} {org['place']}",
        "ยุทธศาสตร์:",
        *(f"  {s['number']}. {s['name']}" for s in summary["strategies"]),
        f"แผนงานมาตรฐาน {summary['plan_areas']} แผนงาน · "
        f"โครงการในแผนพัฒนาท้องถิ่น {summary['development_plan_projects']} โครงการ",
        "ผู้ใช้สาธิต (@ชื่อ ในแชทคอนโซล):",
    ]
    for person in summary["people"]:
        roles = ", ".join(
            role_th[r.split(" ")[0]] + (" (ประธาน)" if "chair" in r else "")
            for r in person["roles"]
        )
        lines.append(f"  @{person['handle']:<8} {person['name']} — {roles}")
    return "\n".join(lines)


# -- the demo's clock ---------------------------------------------------------------------------

CLOCK_TEXT = {
    "now": "🕐 เวลาของระบบสาธิต: {moment}",
    "pass": "🕗 {moment} — การแจ้งเตือนประจำวัน: {n} รายการ",
    "back": "เวลาย้อนกลับไม่ได้ — ระบุเวลาหลังจาก {moment} เช่น @clock +1d",
    "bad": (
        "อ่านเวลาไม่ได้ — ตัวอย่าง: @clock +3d (3 วัน) · @clock +2h · @clock +1w · "
        "@clock 2569-10-25 08:30 · @clock (ดูเวลาปัจจุบัน)"
    ),
    "moment": "{date} {time} น.",
}
_STEP = re.compile(r"\+\s*(\d+)\s*([mhdw])", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class DemoClock:
    """``@clock`` in the demo console: move the clock forward and run, on the way, every
    reminder pass whose time comes (each reminder then shows up as a ``📨 ถึง @name`` line)."""

    def __init__(self, runtime: Runtime, clock: FixedClock) -> None:
        self.runtime = runtime
        self.clock = clock

    def moment_text(self) -> str:
        now = self.clock.now().astimezone(self.clock.tz)
        return CLOCK_TEXT["moment"].format(
            date=format_thai_date(now.date(), weekday=True), time=now.strftime("%H:%M")
        )

    def target(self, text: str) -> datetime | None:
        """``+3d``/``+2h``/``+30m``/``+1w`` (added up), or a date and time in any usual form."""
        steps = _STEP.findall(text)
        if steps and _STEP.sub("", text).strip() == "":
            delta = sum(
                (timedelta(**{_UNITS[unit.lower()]: int(n)}) for n, unit in steps), timedelta()
            )
            return self.clock.now() + delta
        moment = parse_moment(
            text, self.clock.today(), self.clock.tz, self.runtime.settings.reminder_time
        )
        return None if isinstance(moment, ParseError) else moment

    async def __call__(self, console: ConsoleChat, text: str) -> None:
        if not text:
            console.write(CLOCK_TEXT["now"].format(moment=self.moment_text()))
            return
        to = self.target(text)
        if to is None:
            console.write(CLOCK_TEXT["bad"])
            return
        if to < self.clock.now():
            console.write(CLOCK_TEXT["back"].format(moment=self.moment_text()))
            return

        async def announce(done: Pass) -> None:
            if done.queued:  # a quiet day is not worth a line
                console.write(CLOCK_TEXT["pass"].format(moment=self.moment_text(), n=done.queued))
                await console.deliver_notices()

        await travel(self.runtime.clockwork(), self.clock, to, announce)
        console.write(CLOCK_TEXT["now"].format(moment=self.moment_text()))
        await console.deliver_notices()


async def start_clock(runtime: Runtime) -> None:
    """At the demo's start: the reminder passes the demo clock is past, as a server would."""
    from scheduler.reminders import catch_up

    await catch_up(
        runtime.sessions, runtime.clock, runtime.days_off, runtime.settings.reminder_time
    )
