"""Drafts (จัดทำร่าง) and the development committee's review (เสนอร่าง, votes, /tally).

First the pure rules — the ผด.01 summary arithmetic and the committee's decision rule,
checked exhaustively and with hypothesis — then the flows in chat as the demo people, on
every channel and both databases, including twenty members voting in the same instant.
"""

from __future__ import annotations

import asyncio
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from bot.runtime import Runtime
from handlers import buttons
from handlers.messages import Card, Choices
from handlers.review import vote_buttons
from models import db
from models.drafts import largest_remainder, percent_text, summarize
from models.enums import DraftState, EditionState, ProjectStatus, VoteDecision
from models.org import Membership
from models.plan import Vote
from models.review import (
    Rule,
    Tally,
    completions,
    decision,
    has_quorum,
    outcome,
    quorum_size,
    tally_of,
)
from tests.chat import RecordingDriver
from tests.flows import (
    RECORDING_ONLY,
    accept_all,
    add_members,
    add_projects,
    audit_actions,
    drafts,
    edition_state,
    make_draft,
    notices,
    open_fy_round,
    projects,
    propose,
    queued,
    set_edition_state,
    show_notice,
    vote,
)

A, R, C = VoteDecision.APPROVE, VoteDecision.REJECT, VoteDecision.REQUEST_CHANGES


# -- the ผด.01 summary -------------------------------------------------------------------------


@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=30))
def test_largest_remainder_adds_up_and_stays_within_a_hundredth(values: list[int]) -> None:
    shares = largest_remainder(values)
    total = sum(values)
    if total == 0:
        assert shares == [0] * len(values)
        return
    assert sum(shares) == 10_000
    for value, share in zip(values, shares, strict=True):
        assert abs(share - Fraction(value * 10_000, total)) < 1


def test_largest_remainder_known_cases() -> None:
    assert largest_remainder([1, 1, 1]) == [3334, 3333, 3333]
    assert largest_remainder([2, 1]) == [6667, 3333]
    assert largest_remainder([1, 0]) == [10_000, 0]
    assert percent_text(3334) == "33.34" and percent_text(10_000) == "100.00"


def _row(seq: int, strategy: int, area: int, satang: int, unit: str = "กองช่าง") -> dict[str, Any]:
    return {
        "id": seq,
        "seq": seq,
        "strategy_no": strategy,
        "strategy_name": f"ยุทธศาสตร์ {strategy}",
        "area_no": area,
        "area_name": f"แผนงาน {area}",
        "budget_satang": satang,
        "unit": unit,
    }


def test_summary_groups_by_strategy_then_plan_area() -> None:
    rows = [
        _row(3, 2, 4, 100),
        _row(1, 1, 9, 100),
        _row(2, 1, 6, 100, "สำนักปลัด"),
        _row(4, 1, 9, 100, "สำนักปลัด"),
    ]
    summary = summarize(rows)
    assert (summary["count"], summary["satang"]) == (4, 400)
    first, second = summary["strategies"]
    assert [a["number"] for a in first["areas"]] == [6, 9]
    assert first["areas"][1]["units"] == ["กองช่าง", "สำนักปลัด"]
    assert (first["count"], first["satang"], first["budget_pct"]) == (3, 300, 7500)
    assert (second["count"], second["budget_pct"], second["count_pct"]) == (1, 2500, 2500)


@given(
    st.lists(
        st.tuples(
            st.integers(1, 4), st.integers(1, 12), st.integers(1, 10**11)
        ),  # strategy, area, satang
        min_size=1,
        max_size=40,
    )
)
def test_summary_percentages_add_up_to_exactly_100(items: list[tuple[int, int, int]]) -> None:
    rows = [_row(i, s, a, satang) for i, (s, a, satang) in enumerate(items, start=1)]
    summary = summarize(rows)
    strategies = summary["strategies"]
    areas = [a for s in strategies for a in s["areas"]]
    for key in ("count_pct", "budget_pct"):
        assert sum(s[key] for s in strategies) == 10_000
        assert sum(a[key] for a in areas) == 10_000
        for s in strategies:
            assert s[key] == sum(a[key] for a in s["areas"])
    assert sum(a["count"] for a in areas) == len(rows)
    assert sum(s["satang"] for s in strategies) == summary["satang"]
    assert [s["number"] for s in strategies] == sorted({s for s, _a, _b in items})


# -- the committee's rule ----------------------------------------------------------------------

DEFAULT = Rule()
RULES = [
    Rule(percent, majority, casting)
    for percent in (0, 50, 66, 100)
    for majority in (False, True)
    for casting in (False, True)
]


def test_quorum_is_more_than_the_percentage() -> None:
    assert [quorum_size(n, 50) for n in (1, 2, 4, 5, 7, 20)] == [1, 2, 3, 3, 4, 11]
    assert quorum_size(7, 66) == 5 and quorum_size(9, 100) == 9 and quorum_size(5, 0) == 1
    for members in range(1, 30):
        for percent in range(0, 100):
            need = quorum_size(members, percent)
            assert need * 100 > percent * members and (need - 1) * 100 <= percent * members


def test_decisions_by_example() -> None:
    assert decision(Tally(5, approve=3), DEFAULT) is A
    assert decision(Tally(5, approve=2, reject=1), DEFAULT) is A  # majority of votes cast
    assert decision(Tally(5, approve=2, reject=1), Rule(majority_of_members=True)) is None
    tie = Tally(6, approve=3, reject=2, request_changes=1, chair_vote=R)
    assert decision(tie, DEFAULT) is R  # the chair's vote decides the even split
    assert decision(tie, Rule(chair_casting_vote=False)) is None
    assert decision(Tally(6, approve=2, reject=2, chair_pending=True), DEFAULT) is None
    assert decision(Tally(6, approve=2, reject=2, request_changes=2), DEFAULT) is None


def test_closing_by_example() -> None:
    assert outcome(Tally(5, approve=2), DEFAULT).closed is False  # no quorum yet
    assert outcome(Tally(5, approve=3), DEFAULT).result is A  # 3 of 5 whatever the rest do
    # 2 approve, 1 asks changes: two reject votes could still make it 2 against 3
    assert outcome(Tally(5, approve=2, request_changes=1), DEFAULT).closed is False
    assert outcome(Tally(5, approve=3, request_changes=1), DEFAULT).result is A
    assert outcome(Tally(5, request_changes=3), DEFAULT).result is C
    everyone = outcome(Tally(6, approve=2, reject=2, request_changes=2), DEFAULT)
    assert everyone.closed and everyone.result is None  # all voted, no majority


def _small_tallies() -> list[Tally]:
    """Every state a committee of up to seven can be in: counts, and the chair's part."""
    cases = []
    for members in range(1, 8):
        for a, r in itertools.product(range(members + 1), repeat=2):
            for c in range(members - a - r + 1):
                base = Tally(members, a, r, c)
                cases.append(base)
                if base.remaining:
                    cases.append(Tally(members, a, r, c, chair_pending=True))
                cases += [Tally(members, a, r, c, chair_vote=d) for d in (A, R, C) if base.count(d)]
    return cases


def _every_way_the_rest_vote(tally: Tally) -> list[Tally]:
    """Independently of ``completions``: each remaining member picks one of three."""
    found = []
    for picks in itertools.product((A, R, C), repeat=tally.remaining):
        done = tally
        for i, pick in enumerate(picks):
            done = done.plus(pick)
            if tally.chair_pending and i == 0:
                done = Tally(
                    done.members, done.approve, done.reject, done.request_changes, chair_vote=pick
                )
        found.append(done)
    return found


def test_the_rule_exhaustively_for_committees_up_to_seven() -> None:
    for tally in _small_tallies():
        ways = _every_way_the_rest_vote(tally)
        assert sorted(map(repr, completions(tally))) == sorted(set(map(repr, ways)))
        for rule in RULES:
            result = outcome(tally, rule)
            finals = {decision(done, rule) for done in ways}
            now = decision(tally, rule)
            if tally.remaining == 0:
                assert result.closed and result.result == now
            elif result.closed:  # early: quorum, and nothing the others could do changes it
                assert has_quorum(tally, rule) and finals == {result.result} == {now}
            else:  # still open: no quorum, no decision yet, or some way it could change
                assert not has_quorum(tally, rule) or now is None or finals != {now}


@settings(max_examples=150, deadline=None)
@given(
    members=st.integers(1, 25),
    chair=st.booleans(),
    rule=st.sampled_from(RULES),
    ballots=st.lists(
        st.tuples(st.integers(0, 24), st.sampled_from([A, R, C])), min_size=1, max_size=60
    ),
    rest=st.lists(st.sampled_from([A, R, C]), min_size=25, max_size=25),
)
def test_a_review_closes_once_and_the_rest_could_not_have_changed_it(
    members: int,
    chair: bool,
    rule: Rule,
    ballots: list[tuple[int, VoteDecision]],
    rest: list[VoteDecision],
) -> None:
    """Members vote (and change their votes) in any order; once closed, nothing counts, and
    the result is what it would have been had everyone else voted, whatever they chose."""
    chair_id = 0 if chair else None
    votes: dict[int, VoteDecision] = {}
    closed = None
    for person, choice in ballots:
        votes[person % members] = choice
        tally = tally_of(votes, range(members), chair_id)
        ended = outcome(tally, rule)
        if ended.closed:
            closed = (ended.result, dict(votes))
            break
    if closed is None:
        return
    result, at_close = closed
    finished = dict(at_close)
    for person, choice in zip(range(members), rest, strict=False):
        finished.setdefault(person, choice)
    assert decision(tally_of(finished, range(members), chair_id), rule) == result


def test_votes_of_people_who_left_do_not_count() -> None:
    tally = tally_of({1: A, 2: A, 9: R}, members=[1, 2, 3], chair=9)
    assert (tally.members, tally.approve, tally.reject, tally.chair_pending) == (3, 2, 0, False)


# -- drafting in chat ---------------------------------------------------------------------------


async def test_draft_v1_then_a_change_makes_v2_and_v1_is_superseded(
    chat: Any, demo: Runtime
) -> None:
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [100_000], status=ProjectStatus.ACCEPTED, strategy_no=1)
    await add_projects(demo, edition, [100_000], status=ProjectStatus.ACCEPTED, strategy_no=2)
    await add_projects(demo, edition, [100_000], status=ProjectStatus.ACCEPTED, strategy_no=3)
    await add_projects(demo, edition, [50_000])  # still waiting: not in the draft

    out = await make_draft(chat, "officer")
    assert "✅ จัดทำร่างที่ 1 แล้ว จากโครงการที่รับเข้าแผน 3 โครงการ" in out
    assert "⚠️ ยังมีโครงการรอตรวจ 1 โครงการ — ไม่รวมในร่างนี้" in out
    assert "📋 ร่างแผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ร่างที่ 1) — อบต.หนองแวง" in out
    assert "รวมทั้งสิ้น: 3 โครงการ · งบประมาณรวม 300,000 บาท" in out
    assert "1 การพัฒนาด้านโครงสร้างพื้นฐาน: 1 โครงการ · 100,000 บาท (33.34%)" in out
    assert "3 การพัฒนาเศรษฐกิจชุมชนและการเกษตร: 1 โครงการ · 100,000 บาท (33.33%)" in out
    assert chat.buttons("officer") == ["เสนอคณะกรรมการพัฒนาฯ", "ดูโครงการในร่าง"]
    out = await make_draft(chat, "s1")  # nothing changed: no identical ร่างที่ 2
    assert "ร่างที่ 1 ตรงกับโครงการที่รับเข้าแผนขณะนี้แล้ว — ไม่ได้จัดทำร่างใหม่" in out

    await chat.say("s1", "รับเข้าแผน #4")
    out = await make_draft(chat, "s1")
    assert "✅ จัดทำร่างที่ 2 แล้ว จากโครงการที่รับเข้าแผน 4 โครงการ (แทนร่างที่ 1)" in out
    assert "รวมทั้งสิ้น: 4 โครงการ · งบประมาณรวม 350,000 บาท" in out

    v1, v2 = await drafts(demo)
    assert (v1.number, v1.state, v2.number, v2.state) == (
        1,
        DraftState.SUPERSEDED,
        2,
        DraftState.PREPARED,
    )
    assert (v2.project_count, v2.total_satang) == (4, 35_000_000)
    rows = v2.snapshot["projects"]
    assert [r["number"] for r in rows] == ["2569-001", "2569-004", "2569-002", "2569-003"]
    assert rows[0]["strategy_name"] == "การพัฒนาด้านโครงสร้างพื้นฐาน"
    assert rows[0]["area_name"] == "แผนงานอุตสาหกรรมและการโยธา"
    assert {"months", "unit", "location", "details", "equipment", "source"} <= set(rows[0])
    pct = [s["budget_pct"] for s in v2.snapshot["summary"]["strategies"]]
    assert sum(pct) == 10_000
    made = await audit_actions(demo, "draft.create")
    assert [m.after["number"] for m in made] == [1, 2]  # type: ignore[index]
    assert made[1].after["superseded"] == [1]  # type: ignore[index]

    # v2 goes to the committee; v1's propose button is stale
    out = await propose(chat, "s1")
    assert "✅ เสนอร่างที่ 2 ต่อคณะกรรมการพัฒนาฯ แล้ว — ส่งคำขอความเห็นถึงกรรมการ 5 คน" in out
    assert await edition_state(demo, edition) is EditionState.IN_REVIEW
    await vote(chat, demo, "c1", "เห็นชอบ")
    async with demo.sessions() as session:
        (stored,) = (await session.exec(select(Vote))).all()
    assert stored.draft_version_id == v2.id
    out = await make_draft(chat, "officer")
    assert "คณะกรรมการพัฒนาฯ กำลังพิจารณาร่าง" in out
    assert len(await drafts(demo)) == 2


async def test_draft_refusals(chat: Any, demo: Runtime) -> None:
    out = await make_draft(chat, "officer")
    assert "ยังไม่มีรอบการจัดทำแผน" in out
    out = await chat.say("mayor", "/tally")
    assert out == "📊 อบต.หนองแวง: ยังไม่มีร่างที่เสนอคณะกรรมการพัฒนาฯ"
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [100_000])
    out = await make_draft(chat, "officer")
    assert "⛔ ยังไม่มีโครงการที่รับเข้าแผน" in out and chat.buttons("officer") == ["ตรวจโครงการ"]
    out = await make_draft(chat, "agency")
    assert out.startswith("⛔ คำสั่งนี้สำหรับเจ้าหน้าที่วิเคราะห์นโยบายและแผน หรือ คณะกรรมการสนับสนุนฯเท่านั้น")
    out = await chat.say("officer", "เสนอร่าง")
    assert "ยังไม่มีร่างที่พร้อมเสนอ" in out and chat.buttons("officer") == ["จัดทำร่าง"]
    await set_edition_state(demo, edition, EditionState.IN_FORCE)
    out = await make_draft(chat, "officer")
    assert "ทำรายการนี้ไม่ได้ เพราะแผนอยู่ในขั้น “ประกาศใช้แล้ว”" in out
    assert await drafts(demo) == []


async def test_proposing_a_stale_or_superseded_draft_is_refused(chat: Any, demo: Runtime) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip(RECORDING_ONLY)
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [100_000], status=ProjectStatus.ACCEPTED)
    await add_projects(demo, edition, [50_000])
    await make_draft(chat, "officer")
    first = chat.last["officer"]
    await chat.say("s1", "รับเข้าแผน #2")  # the draft no longer matches the accepted projects
    out = await chat.press("officer", "เสนอคณะกรรมการพัฒนาฯ")
    assert "โครงการที่รับเข้าแผนเปลี่ยนไปหลังจัดทำร่างที่ 1 — กรุณาจัดทำร่างใหม่ก่อนเสนอ" in out
    out = await chat.press("officer", "จัดทำร่างใหม่")
    assert "✅ จัดทำร่างที่ 2 แล้ว" in out
    chat.last["officer"] = first
    out = await chat.press("officer", "เสนอคณะกรรมการพัฒนาฯ")
    assert out == "รายการนี้หมดอายุแล้ว — ร่างที่ 1 ถูกแทนที่ด้วยร่างที่ 2 แล้ว"
    assert await edition_state(demo, edition) is EditionState.COLLECTING
    assert await audit_actions(demo, "draft.propose") == []


# -- the committee in chat ----------------------------------------------------------------------


async def _proposed(chat: Any, demo: Runtime, budgets: list[int] | None = None) -> int:
    """A round with accepted projects, drafted and proposed by the plan officer."""
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, budgets or [150_000, 250_000])
    await accept_all(chat, "s1")
    await make_draft(chat, "officer")
    out = await propose(chat, "officer")
    assert "✅ เสนอร่างที่" in out, out
    return edition


async def test_five_members_vote_one_changes_and_the_draft_is_approved(
    chat: Any, demo: Runtime
) -> None:
    edition = await _proposed(chat, demo)
    request = await show_notice(chat, demo, "c1", "draft-proposed:")
    assert "📋 ร่างแผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ร่างที่ 1) — อบต.หนองแวง" in request
    assert "รวมทั้งสิ้น: 2 โครงการ · งบประมาณรวม 400,000 บาท" in request
    assert chat.buttons("c1") == ["เห็นชอบ", "ไม่เห็นชอบ", "ขอแก้ไข", "ดูโครงการในร่าง"]
    assert sorted(name for name, _t in await notices(demo, "draft-proposed:")) == [
        "c1",
        "c2",
        "c3",
        "c4",
        "c5",
    ]

    out = await vote(chat, demo, "c1", "เห็นชอบ")
    assert out.startswith(
        "บันทึกความเห็น “เห็นชอบ” แล้ว (เปลี่ยนได้จนปิดการพิจารณา) · ขณะนี้"
        " เห็นชอบ 1 · ไม่เห็นชอบ 0 · ขอแก้ไข 0 จาก 5 คน"
    )
    assert chat.buttons("c1") == ["เห็นชอบ", "ไม่เห็นชอบ", "ขอแก้ไข"]  # to change it
    out = await vote(chat, demo, "c2", "ไม่เห็นชอบ")  # the comment skipped
    assert "ขณะนี้ เห็นชอบ 1 · ไม่เห็นชอบ 1 · ขอแก้ไข 0 จาก 5 คน" in out
    out = await chat.press("c2", "เห็นชอบ")  # changes the vote from the reply's buttons
    assert "บันทึกความเห็น “เห็นชอบ” แล้ว (เปลี่ยนได้จนปิดการพิจารณา)" in out
    assert "ขณะนี้ เห็นชอบ 2 · ไม่เห็นชอบ 0 · ขอแก้ไข 0 จาก 5 คน" in out
    out = await vote(chat, demo, "c3", "ขอแก้ไข", "ขอให้เพิ่มโครงการซ่อมถนน หมู่ที่ 3")
    assert "ขณะนี้ เห็นชอบ 2 · ไม่เห็นชอบ 0 · ขอแก้ไข 1 จาก 5 คน" in out

    out = await chat.say("officer", "ผลการพิจารณา")
    assert "📊 ผลการพิจารณาร่างที่ 1" in out
    assert "องค์ประชุม: ครบแล้ว (ลงความเห็น 3 จาก 5 คน · ต้องมีอย่างน้อย 3 คน)" in out
    assert "ยังไม่ได้ลงความเห็น (2): นางสุดา พรมมา, นายอำนาจ สุขใจ" in out
    assert "• นายวิชัย แก้วกล้า (ขอแก้ไข): ขอให้เพิ่มโครงการซ่อมถนน หมู่ที่ 3" in out
    out = await chat.say("agency", "ผลการพิจารณา")
    assert out.startswith("⛔ คำสั่งนี้สำหรับ")

    out = await vote(chat, demo, "c4", "เห็นชอบ")  # 3 of 5 approve: nothing can change it
    assert "📋 ปิดการพิจารณาร่างที่ 1 แล้ว — ผล: เห็นชอบ" in out
    assert "เห็นชอบ 3 · ไม่เห็นชอบ 0 · ขอแก้ไข 1 จาก 5 คน" in out
    assert "เสนอนายก อบต. พิจารณาอนุมัติและประกาศใช้ต่อไป" in out
    out = await vote(chat, demo, "c5", "ไม่เห็นชอบ")  # too late
    assert "ร่างที่ 1 ปิดการพิจารณาแล้ว (ผล: เห็นชอบ)" in out and "ความเห็นนี้ไม่ถูกบันทึก" in out

    assert await edition_state(demo, edition) is EditionState.AWAITING_EXECUTIVE
    (draft,) = await drafts(demo)
    assert (draft.state, draft.result) == (DraftState.CLOSED, VoteDecision.APPROVE)
    assert draft.closed_at == demo.clock.now()
    (to_mayor,) = await queued(demo, "review-closed:", "mayor")
    (card,) = to_mayor
    assert isinstance(card, Card) and "กรุณาพิจารณาอนุมัติและประกาศใช้" in (card.footer or "")
    assert [b.label for b in card.buttons] == ["อนุมัติและประกาศใช้", "ส่งกลับแก้ไข", "ดูโครงการในร่าง"]
    assert [b.data for b in card.buttons][:2] == [
        buttons.action_button("approve", edition),
        buttons.action_button("return", edition),
    ]
    closed = await notices(demo, "review-closed:")
    assert sorted(n for n, _t in closed if _t.startswith("📋 ปิดการพิจารณา")) == sorted(
        ["c1", "c2", "c3", "c5", "officer", "s1", "s2", "s3"]  # c4 read it in the reply
    )
    votes = await audit_actions(demo, "draft.vote")
    assert len(votes) == 5  # four members, and c2's change
    assert votes[2].before == {"decision": "reject", "comment": None}
    (closing,) = await audit_actions(demo, "review.close")
    assert closing.after == {
        "draft": "closed",
        "edition": "awaiting_executive",
        "result": "approve",
        "approve": 3,
        "reject": 0,
        "request_changes": 1,
        "members": 5,
    }
    assert len(await audit_actions(demo, "draft.propose")) == 1


async def test_a_tie_is_broken_by_the_chairs_casting_vote(chat: Any, demo: Runtime) -> None:
    await add_members(demo, ["c6"])
    edition = await _proposed(chat, demo)
    for who, choice in (("c2", "ไม่เห็นชอบ"), ("c4", "ขอแก้ไข"), ("c6", "ไม่เห็นชอบ")):
        await vote(chat, demo, who, choice, "ไม่เหมาะสม" if choice == "ขอแก้ไข" else None)
    await vote(chat, demo, "c3", "เห็นชอบ")
    out = await vote(chat, demo, "c5", "เห็นชอบ")
    assert "ขณะนี้ เห็นชอบ 2 · ไม่เห็นชอบ 2 · ขอแก้ไข 1 จาก 6 คน" in out
    out = await vote(chat, demo, "c1", "เห็นชอบ")  # the chair: 3 against 3, and the chair approves
    assert "ปิดการพิจารณาร่างที่ 1 แล้ว — ผล: เห็นชอบ" in out
    assert "เห็นชอบ 3 · ไม่เห็นชอบ 2 · ขอแก้ไข 1 จาก 6 คน" in out
    assert await edition_state(demo, edition) is EditionState.AWAITING_EXECUTIVE


async def test_request_changes_sends_it_back_and_v2_gets_its_own_votes(
    chat: Any, demo: Runtime
) -> None:
    edition = await _proposed(chat, demo)
    await vote(chat, demo, "c1", "ขอแก้ไข", "ขอให้เพิ่มโครงการซ่อมถนน หมู่ที่ 3")
    await vote(chat, demo, "c2", "ขอแก้ไข", "งบประมาณยุทธศาสตร์ที่ 1 สูงเกินไป")
    out = await vote(chat, demo, "c3", "ขอแก้ไข", "เห็นด้วยกับความเห็นข้างต้น")
    assert "📋 ปิดการพิจารณาร่างที่ 1 แล้ว — ผล: ขอแก้ไข" in out
    assert "ส่งกลับคณะกรรมการสนับสนุนฯ เพื่อปรับปรุงร่าง" in out
    assert await edition_state(demo, edition) is EditionState.COLLECTING
    assert await queued(demo, "review-closed:", "mayor") == []
    to_officer = dict(await notices(demo, "review-closed:"))["officer"]
    assert "ความเห็นของกรรมการ:" in to_officer
    assert "• นายสมศักดิ์ บุญเรือง (ขอแก้ไข): ขอให้เพิ่มโครงการซ่อมถนน หมู่ที่ 3" in to_officer
    assert "• นางมาลี ทองดี (ขอแก้ไข): งบประมาณยุทธศาสตร์ที่ 1 สูงเกินไป" in to_officer

    # the committee's old buttons now change nothing
    out = await vote(chat, demo, "c4", "เห็นชอบ")
    assert "ร่างที่ 1 ปิดการพิจารณาแล้ว (ผล: ขอแก้ไข)" in out

    # back to collecting: another project, ร่างที่ 2, its own votes
    await add_projects(demo, edition, [90_000])
    await accept_all(chat, "s2")
    out = await make_draft(chat, "officer")
    assert "✅ จัดทำร่างที่ 2 แล้ว" in out and "(แทน" not in out  # v1 was closed, not replaced
    await propose(chat, "officer")
    await vote(chat, demo, "c1", "เห็นชอบ")
    v1, v2 = await drafts(demo)
    assert (v1.state, v1.result, v2.state) == (
        DraftState.CLOSED,
        VoteDecision.REQUEST_CHANGES,
        DraftState.IN_REVIEW,
    )
    async with demo.sessions() as session:
        counted = dict(
            (
                await session.exec(
                    select(Vote.draft_version_id, func.count()).group_by(Vote.draft_version_id)
                )
            ).all()
        )
    assert counted == {v1.id: 3, v2.id: 1}
    out = await chat.say("s1", "/tally")
    assert "ผลการพิจารณาร่างที่ 2" in out and "ขณะนี้ เห็นชอบ 1 · ไม่เห็นชอบ 0 · ขอแก้ไข 0" in out


async def test_votes_on_a_superseded_draft_or_by_a_non_member_are_refused(
    chat: Any, demo: Runtime
) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip(RECORDING_ONLY)
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [100_000], status=ProjectStatus.ACCEPTED)
    await make_draft(chat, "officer")
    await add_projects(demo, edition, [20_000], status=ProjectStatus.ACCEPTED)
    await make_draft(chat, "officer")
    v1, v2 = await drafts(demo)
    assert (v1.state, v2.state) == (DraftState.SUPERSEDED, DraftState.PREPARED)

    chat.last["c1"] = [Choices("", vote_buttons(v1))]  # a button that should never have been
    out = await chat.press("c1", "เห็นชอบ")
    assert out == ("รายการนี้หมดอายุแล้ว — ร่างที่ 1 ถูกแทนที่ด้วยร่างที่ 2 แล้ว ความเห็นนี้ไม่ถูกบันทึก")
    chat.last["c1"] = [Choices("", vote_buttons(v2))]
    out = await chat.press("c1", "ขอแก้ไข")
    assert "ร่างที่ 2 ยังไม่ได้เสนอคณะกรรมการพัฒนาฯ" in out

    await propose(chat, "officer")
    await show_notice(chat, demo, "c1", "draft-proposed:")
    chat.last["officer"] = chat.last["c1"]
    out = await chat.press("officer", "เห็นชอบ")
    assert out == ("⛔ รายการนี้สำหรับคณะกรรมการพัฒนาฯ ของ อบต.หนองแวง เท่านั้น — ไม่มีข้อมูลใดถูกบันทึก")
    assert len(await audit_actions(demo, "denied:draft.vote")) == 1
    out = await chat.say("officer", "เห็นชอบ")  # typed by someone not on the committee: help
    assert "planbot" in out
    async with demo.sessions() as session:
        assert (await session.exec(select(Vote))).all() == []


async def test_typed_vote_words_work_like_the_buttons(chat: Any, demo: Runtime) -> None:
    out = await chat.say("c1", "เห็นชอบ")
    assert out == "ขณะนี้ไม่มีร่างที่รอความเห็นของท่าน"
    await _proposed(chat, demo)
    out = await chat.say("c1", "เห็นชอบ")
    assert "บันทึกความเห็น “เห็นชอบ” แล้ว" in out
    out = await chat.say("c2", "ขอแก้ไข")
    assert "ขั้นที่ 1/1 ข้อเสนอแนะ" in out
    out = await chat.say("c2", "เพิ่มงบประมาณด้านการศึกษา")
    out = await chat.say("c2", "บันทึกความเห็น")
    assert "ขณะนี้ เห็นชอบ 1 · ไม่เห็นชอบ 0 · ขอแก้ไข 1 จาก 5 คน" in out


# -- at the same instant ------------------------------------------------------------------------


async def test_twenty_members_vote_at_once_and_the_review_closes_once(
    chat: Any, demo: Runtime
) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip("the console is one terminal: its lines are typed one after another")
    extra = [f"m{i}" for i in range(6, 21)]
    await add_members(demo, extra)
    await _proposed(chat, demo)
    members = ["c1", "c2", "c3", "c4", "c5", *extra]
    for who in members:
        await show_notice(chat, demo, who, "draft-proposed:")
    replies = await asyncio.gather(*(chat.press(who, "เห็นชอบ") for who in members))

    assert not any("ขออภัย" in r for r in replies), replies
    recorded = [r for r in replies if r.startswith("บันทึกความเห็น")]
    late = [r for r in replies if "ปิดการพิจารณาแล้ว (ผล: เห็นชอบ)" in r]
    assert len(recorded) == 11 and len(late) == 9  # 11 of 20 approve: settled, closed
    assert sum("📋 ปิดการพิจารณาร่างที่ 1 แล้ว" in r for r in replies) == 1
    (closing,) = await audit_actions(demo, "review.close")
    assert (closing.after["approve"], closing.after["members"]) == (11, 20)  # type: ignore[index]
    async with demo.sessions() as session:
        assert len((await session.exec(select(Vote))).all()) == 11
    assert len(await queued(demo, "review-closed:", "mayor")) == 1
    (draft,) = await drafts(demo)
    assert (draft.state, draft.result) == (DraftState.CLOSED, VoteDecision.APPROVE)


async def test_a_double_tap_records_one_vote(chat: Any, demo: Runtime) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip(RECORDING_ONLY)
    await _proposed(chat, demo)
    await show_notice(chat, demo, "c1", "draft-proposed:")
    first, second = await asyncio.gather(chat.press("c1", "เห็นชอบ"), chat.press("c1", "เห็นชอบ"))
    assert "บันทึกความเห็น “เห็นชอบ” แล้ว" in first
    assert "ความเห็นของท่านคือ “เห็นชอบ” อยู่แล้ว" in second
    async with demo.sessions() as session:
        assert len((await session.exec(select(Vote))).all()) == 1
    assert len(await audit_actions(demo, "draft.vote")) == 1


async def test_two_officers_drafting_at_once_make_one_draft(chat: Any, demo: Runtime) -> None:
    if type(chat) is not RecordingDriver:
        pytest.skip("the console is one terminal: its lines are typed one after another")
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [100_000, 200_000], status=ProjectStatus.ACCEPTED)
    replies = await asyncio.gather(make_draft(chat, "officer"), make_draft(chat, "s1"))
    assert sum("✅ จัดทำร่างที่ 1 แล้ว" in r for r in replies) == 1
    assert sum("ร่างที่ 1 ตรงกับโครงการที่รับเข้าแผนขณะนี้แล้ว" in r for r in replies) == 1
    assert [d.number for d in await drafts(demo)] == [1]


async def test_a_committee_of_members_without_a_chair_ties_and_is_sent_back(
    chat: Any, demo: Runtime
) -> None:
    async with db.transaction(demo.sessions) as session:
        for membership in (await session.exec(select(Membership))).all():
            membership.is_chair = False
    await add_members(demo, ["c6"])
    edition = await _proposed(chat, demo)
    for who in ("c1", "c2", "c3"):
        await vote(chat, demo, who, "เห็นชอบ")
    for who in ("c4", "c5"):
        await vote(chat, demo, who, "ไม่เห็นชอบ")
    out = await vote(chat, demo, "c6", "ขอแก้ไข", "ขอรายละเอียด")
    assert "ผล: ไม่ได้มติ (ไม่มีความเห็นใดได้เสียงข้างมาก)" in out
    assert await edition_state(demo, edition) is EditionState.COLLECTING
    assert [p.status for p in await projects(demo)] == [ProjectStatus.ACCEPTED] * 2
