"""An outsider learns nothing about an organization they do not belong to.

Every action button (``handlers.router.ACTIONS``) is pressed with forged data naming the
objects of the demo อบต. — its editions, projects, drafts, plan and the org itself — by a
stranger who never joined and by someone who holds every role in another organization.
No answer may name the demo org, its district or province, its projects or its people, and
nothing of it may change.
"""

from __future__ import annotations

from itertools import count

from sqlmodel import select

import handlers  # noqa: F401 — every flow registered
from bot.demo import DEMO_PEOPLE
from bot.runtime import Runtime
from handlers.buttons import action_button
from handlers.messages import Incoming
from handlers.router import ACTIONS
from models import db
from models.enums import Channel, OrgKind, ProjectStatus, Role
from models.org import ChannelAccount, Membership, Person
from models.orgs import create_organization
from models.plan import Project, Vote
from tests.chat import RecordingDriver
from tests.flows import add_projects, make_draft, open_fy_round, propose

# The arguments each action's real buttons carry (handlers/*.py); other actions get these.
DEFAULT_ARGS: tuple[str | None, ...] = (None, "1")
ARGS: dict[str, tuple[str | None, ...]] = {
    "bc": ("p1.1.1", "d1.1.1", "p2.1.1"),
    "bv": ("p1.1", "p0.1", "d1.1", "d0.1"),
    "docs": ("p", "e", "d", "p.whole", "e.whole", "d.whole", "d.pd02"),
    "history": ("1", "2"),
    "p_accept": ("submitted", "returned"),
    "p_accept_page": ("1,2,3", "Y1,2,3"),
    "p_duplicate": (None, "submitted"),
    "p_reclassify": (None, "submitted"),
    "p_return": (None, "submitted"),
    "pick_round": ("draft", "screen", "propose"),
    "screen": ("s1", "a1", "r1"),
    "vote": ("approve", "reject", "request_changes"),
    "withdraw": (None, "yes"),
    "cmd": (),  # runs a command as if typed: nothing of another org is named in it
}
IDS = (1, 2, 3)
SECRETS = ("หนองแวง", "ภูเวียง", "ขอนแก่น", "โครงการที่ 1", "โครงการที่ 3", *(p.name for p in DEMO_PEOPLE))
_events = count(1)


async def outsider_with_every_role(rt: Runtime) -> None:
    """``outsider``: every role in another organization, nothing in the demo one."""
    async with db.transaction(rt.sessions) as session:
        other, _invite = await create_organization(
            session,
            rt.clock,
            kind=OrgKind.SUBDISTRICT_MUNICIPALITY,
            name="ดอนตาล",
            district="ดอนตาล",
            province="มุกดาหาร",
            strategies=["ยุทธศาสตร์ที่หนึ่ง"],
        )
        person = Person(name="คนนอก", created_at=rt.clock.now())
        session.add(person)
        await session.flush()
        session.add(
            ChannelAccount(channel=Channel.CONSOLE, external_id="outsider", person_id=person.id)
        )
        for role in Role:
            session.add(Membership(person_id=person.id, org_id=other.id, role=role))  # type: ignore[arg-type]


async def what_is_stored(rt: Runtime) -> tuple[list[tuple[int, ProjectStatus]], int]:
    async with rt.sessions() as session:
        projects = (await session.exec(select(Project.id, Project.status))).all()
        votes = len((await session.exec(select(Vote))).all())
    return sorted((p, s) for p, s in projects), votes  # type: ignore[misc]


async def test_forged_buttons_tell_an_outsider_nothing_and_change_nothing(demo: Runtime) -> None:
    chat = RecordingDriver(demo)
    edition_id = await open_fy_round(demo)
    await add_projects(demo, edition_id, [100_000, 200_000], status=ProjectStatus.ACCEPTED)
    await add_projects(demo, edition_id, [300_000])
    assert "ร่างที่ 1" in await make_draft(chat)
    assert "เสนอ" in await propose(chat)
    await outsider_with_every_role(demo)
    before = await what_is_stored(demo)
    leaks = [leak for who in ("stranger", "outsider") for leak in await press_all(chat, who)]
    assert not leaks, "\n".join(leaks[:20])
    assert await what_is_stored(demo) == before
    # the control: the same presses by the org's own officer do reach its objects
    assert len(await press_all(chat, "officer")) > 20


async def press_all(chat: RecordingDriver, who: str) -> list[str]:
    """Every action with every forged id and argument; what its answers gave away."""
    leaks: list[str] = []
    for name in sorted(ACTIONS):
        for arg in ARGS.get(name, DEFAULT_ARGS):
            for object_id in IDS:
                data = action_button(name, object_id, arg)
                incoming = Incoming(
                    Channel.CONSOLE, who, button_data=data, event_id=f"o{next(_events)}"
                )
                answer = await chat.send(incoming)
                leaks += [f"{who} {data}: {s!r} in {answer!r}" for s in SECRETS if s in answer]
    return leaks
