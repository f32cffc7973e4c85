"""เสนอร่าง and the committee's vote: the development committee considers ร่างที่ N.

The story: /propose sends the newest draft to every member of the development committee
(คณะกรรมการพัฒนาท้องถิ่น) through the outbox: the summary card with เห็นชอบ / ไม่เห็นชอบ /
ขอแก้ไข. A member's vote may change until the review closes; ขอแก้ไข asks for the comment,
ไม่เห็นชอบ may have one. After each vote the org's rule (``models.review``) decides whether
the review closes by itself: approved → the edition waits for the executive, who is sent
the tally and the buttons อนุมัติและประกาศใช้ / ส่งกลับแก้ไข (handlers.executive); otherwise
it goes back to collecting, and the plan officer and support committee get the comments.
/tally shows the live count, who has not voted and the quorum.

Twenty members may vote in the same second: each vote locks the draft's row before it
counts, so votes are counted one after another and the review closes exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

import sqlalchemy as sa
from sqlmodel import select

from handlers import buttons, commands, fields, forms
from handlers.browse import draft_button
from handlers.context import Refused, Turn, refusal
from handlers.documents import draft_documents
from handlers.draft import (
    MAKE,
    PROPOSE,
    current_snapshot,
    draft_card,
    drafts_of,
)
from handlers.forms import Field, Form, FormData
from handlers.messages import Button, Card, Choices, Outgoing, Text
from handlers.phrases import PHRASES
from handlers.projects_text import thai_date
from handlers.router import action, command, fallback
from handlers.scope import check_step, edition_for, find_round, load, round_flow, where
from models.drafts import same_projects
from models.editions import EditionRow
from models.enums import DraftState, Role, VoteDecision
from models.org import Membership, Person
from models.permissions import Action
from models.plan import DraftVersion, Edition, OperationalPlan, Vote
from models.review import Rule, Tally, outcome, quorum_size, tally_of
from models.workflow import Step, edition_step, next_state

TEXT = {
    # proposing
    "nothing": "ยังไม่มีร่างที่พร้อมเสนอ — {where}\nพิมพ์ จัดทำร่าง เพื่อจัดทำร่างจากโครงการที่รับเข้าแผน",
    "remake": "จัดทำร่างใหม่",
    "stale": ("⛔ โครงการที่รับเข้าแผนเปลี่ยนไปหลังจัดทำร่างที่ {n} — กรุณาจัดทำร่างใหม่ก่อนเสนอ ไม่มีข้อมูลใดถูกบันทึก"),
    "no_members": "⛔ ยังไม่มีคณะกรรมการพัฒนาฯ ของ {org} ในระบบ — กรุณาเชิญกรรมการก่อนเสนอร่าง",
    "proposed": (
        "✅ เสนอร่างที่ {n} ต่อคณะกรรมการพัฒนาฯ แล้ว — ส่งคำขอความเห็นถึงกรรมการ {members} คน\n"
        "การพิจารณาจะปิดเองเมื่อผลแน่นอนแล้ว (องค์ประชุม: ลงความเห็นมากกว่าร้อยละ {pct}"
        " คือ {need} คนขึ้นไป)"
    ),
    "ask": "ขอความเห็นของท่านในฐานะกรรมการพัฒนาท้องถิ่น (เปลี่ยนได้จนปิดการพิจารณา)",
    # a draft that is not what the button thought
    "superseded": "รายการนี้หมดอายุแล้ว — ร่างที่ {n} ถูกแทนที่ด้วยร่างที่ {newest} แล้ว",
    "closed": "รายการนี้หมดอายุแล้ว — ร่างที่ {n} ปิดการพิจารณาแล้ว (ผล: {result})",
    "in_review": "ร่างที่ {n} เสนอแล้ว — คณะกรรมการพัฒนาฯ กำลังพิจารณา",
    "not_proposed": "รายการนี้หมดอายุแล้ว — ร่างที่ {n} ยังไม่ได้เสนอคณะกรรมการพัฒนาฯ",
    "nothing_recorded": " ความเห็นนี้ไม่ถูกบันทึก",
    # voting
    "recorded": "บันทึกความเห็น “{decision}” แล้ว (เปลี่ยนได้จนปิดการพิจารณา) · ขณะนี้ {counts}",
    "same_vote": "ความเห็นของท่านคือ “{decision}” อยู่แล้ว (เปลี่ยนได้จนปิดการพิจารณา) · ขณะนี้ {counts}",
    "recorded_last": "บันทึกความเห็น “{decision}” แล้ว",
    "counts": "เห็นชอบ {approve} · ไม่เห็นชอบ {reject} · ขอแก้ไข {request_changes} จาก {members} คน",
    "comment_title": "ความเห็นต่อร่าง",
    "comment_header": "📋 ร่างที่ {number} — {where}\nความเห็น: {decision}",
    "comment_label": "ข้อเสนอแนะ",
    "comment_prompt": {
        VoteDecision.REQUEST_CHANGES: "กรุณาพิมพ์สิ่งที่ขอให้แก้ไข เช่น ขอให้เพิ่มโครงการซ่อมถนน หมู่ที่ 3",
        VoteDecision.REJECT: "เหตุผลที่ไม่เห็นชอบ (ถ้ามี) — พิมพ์ หรือกด ข้าม",
    },
    "comment_example": "ขอให้เพิ่มโครงการซ่อมถนน หมู่ที่ 3",
    "comment_summary": "ตรวจสอบความเห็นก่อนบันทึก",
    "comment_confirm": "บันทึกความเห็น",
    "typed_none": "ขณะนี้ไม่มีร่างที่รอความเห็นของท่าน",
    "typed_many": "มีร่างรอความเห็นมากกว่าหนึ่งฉบับ — กรุณากดปุ่มจากข้อความขอความเห็น",
    # closing
    "result": {
        VoteDecision.APPROVE: "เห็นชอบ",
        VoteDecision.REJECT: "ไม่เห็นชอบ",
        VoteDecision.REQUEST_CHANGES: "ขอแก้ไข",
        None: "ไม่ได้มติ (ไม่มีความเห็นใดได้เสียงข้างมาก)",
    },
    "closed_now": (
        "📋 ปิดการพิจารณาร่างที่ {n} แล้ว — ผล: {result}\nแผนการดำเนินงาน {where}\n{counts}\n{next}"
    ),
    "next_approved": "เสนอ{executive} พิจารณาอนุมัติและประกาศใช้ต่อไป",
    "next_sent_back": "ส่งกลับคณะกรรมการสนับสนุนฯ เพื่อปรับปรุงร่าง",
    "executive_footer": (
        "คณะกรรมการพัฒนาฯ เห็นชอบแล้ว: {counts}\nกรุณาพิจารณาอนุมัติและประกาศใช้ หรือส่งกลับแก้ไข"
    ),
    "approve": "อนุมัติและประกาศใช้",
    "return": "ส่งกลับแก้ไข",
    "comments": "ความเห็นของกรรมการ:",
    "comment_line": "• {name} ({decision}): {comment}",
    # /tally
    "tally_title": "📊 ผลการพิจารณาร่างที่ {n} — แผนการดำเนินงาน {where}",
    "open_counts": "ขณะนี้ {counts}",
    "closed_counts": "ปิดการพิจารณาแล้ว {date} — ผล: {result}\n{counts}",
    "quorum_met": "องค์ประชุม: ครบแล้ว (ลงความเห็น {cast} จาก {members} คน · ต้องมีอย่างน้อย {need} คน)",
    "quorum_short": "องค์ประชุม: ยังไม่ครบ (ลงความเห็น {cast} จาก {members} คน · ต้องมีอย่างน้อย {need} คน)",
    "pending": "ยังไม่ได้ลงความเห็น ({n}): {names}",
    "chair": " (ประธาน)",
    "no_review": "📊 {org}: ยังไม่มีร่างที่เสนอคณะกรรมการพัฒนาฯ",
}
VOTE = "vote"


# -- who is on the committee, and how they voted ----------------------------------------------


@dataclass(frozen=True)
class Review:
    """A draft under (or after) review: the committee as it is now, and its votes."""

    draft: DraftVersion
    rnd: EditionRow
    members: list[tuple[Person, Membership]]
    votes: list[tuple[Vote, Person]]

    @property
    def rule(self) -> Rule:
        return Rule.of(self.rnd.org)

    @property
    def tally(self) -> Tally:
        chair = next((p.id for p, m in self.members if m.is_chair), None)
        return tally_of(
            {v.person_id: v.decision for v, _p in self.votes},
            [p.id for p, _m in self.members if p.id is not None],
            chair,
        )


async def load_review(turn: Turn, draft: DraftVersion, rnd: EditionRow) -> Review:
    members = await turn.session.exec(
        select(Person, Membership)
        .join(Membership, Membership.person_id == Person.id)
        .where(
            Membership.org_id == rnd.org_id,
            Membership.role == Role.DEVELOPMENT_COMMITTEE,
            Membership.active,
        )
        .order_by(Membership.id)  # type: ignore[arg-type]
    )
    votes = await turn.session.exec(
        select(Vote, Person)
        .join(Person, Person.id == Vote.person_id)
        .where(Vote.draft_version_id == draft.id)
        .order_by(Vote.id)  # type: ignore[arg-type]
    )
    return Review(draft, rnd, list(members.all()), list(votes.all()))


def counts_text(tally: Tally) -> str:
    """ "เห็นชอบ 4 · ไม่เห็นชอบ 0 · ขอแก้ไข 1 จาก 7 คน"."""
    return TEXT["counts"].format(
        approve=tally.approve,
        reject=tally.reject,
        request_changes=tally.request_changes,
        members=tally.members,
    )


def vote_buttons(draft: DraftVersion) -> tuple[Button, ...]:
    assert draft.id is not None
    return tuple(
        Button(decision.label_th, buttons.action_button(VOTE, draft.id, decision.value))
        for decision in VoteDecision
    )


def vote_request(draft: DraftVersion, rnd: EditionRow) -> Card:
    """What a member receives: the summary card, and the vote buttons (UX principle 7)."""
    row = (*vote_buttons(draft), draft_button(draft))
    return draft_card(draft, rnd, footer=TEXT["ask"], buttons=row)


async def _locked_draft(turn: Turn, draft_id: int, *, lock: bool) -> DraftVersion | None:
    """The draft, its row held until commit when ``lock``: votes and the close queue here."""
    statement = select(DraftVersion).where(DraftVersion.id == draft_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await turn.session.exec(statement)).first()


async def _draft_problem(turn: Turn, draft: DraftVersion, wanted: DraftState) -> str | None:
    """Why the draft is not in the state a button expects (superseded, closed…), or None."""
    if draft.state is wanted:
        return None
    if draft.state is DraftState.SUPERSEDED:
        newest = (await drafts_of(turn.session, draft.edition_id))[-1]
        return TEXT["superseded"].format(n=draft.number, newest=newest.number)
    if draft.state is DraftState.CLOSED:
        return TEXT["closed"].format(n=draft.number, result=TEXT["result"][draft.result])
    if draft.state is DraftState.IN_REVIEW:
        return TEXT["in_review"].format(n=draft.number)
    return TEXT["not_proposed"].format(n=draft.number)


# -- /propose ---------------------------------------------------------------------------------


@command(commands.PROPOSE)
async def propose_command(turn: Turn, _args: str) -> list[Outgoing]:
    found = await find_round(turn, Action.PROPOSE_DRAFT, Step.PROPOSE, "propose")
    return await propose_round(turn, found.edition_id)


@round_flow("propose")
async def propose_round(turn: Turn, edition_id: int) -> list[Outgoing]:
    """Propose the round's newest draft that is ready (PREPARED)."""
    prepared = [
        d for d in await drafts_of(turn.session, edition_id) if d.state is DraftState.PREPARED
    ]
    if prepared:
        assert prepared[-1].id is not None
        return await propose(turn, prepared[-1].id)
    rnd = await edition_for(turn, edition_id, Action.PROPOSE_DRAFT)
    nothing = TEXT["nothing"].format(where=where(rnd))
    return [Choices(nothing, (commands.button(commands.DRAFT),))]


@action(PROPOSE)
async def propose_press(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    return await propose(turn, press.object_id)


async def propose(turn: Turn, draft_id: int) -> list[Outgoing]:
    """Send the draft to the committee: checked against the round as it is now."""
    found = await turn.session.get(DraftVersion, draft_id)
    if found is None:
        raise refusal(PHRASES["expired"])
    rnd = await edition_for(turn, found.edition_id, Action.PROPOSE_DRAFT, lock="update")
    draft = await _locked_draft(turn, draft_id, lock=True)
    assert draft is not None and draft.id is not None
    problem = await _draft_problem(turn, draft, DraftState.PREPARED)
    if problem:
        raise refusal(problem)
    check_step(rnd, Step.PROPOSE)
    if not same_projects(draft.snapshot, await current_snapshot(turn.session, rnd)):
        remake = Button(TEXT["remake"], buttons.action_button(MAKE, rnd.edition_id))
        raise Refused([Choices(TEXT["stale"].format(n=draft.number), (remake,))])
    review = await load_review(turn, draft, rnd)
    if not review.members:
        raise refusal(TEXT["no_members"].format(org=rnd.org.short_name))
    before = {"draft": draft.state.value, "edition": rnd.edition.state.value}
    draft.state = DraftState.IN_REVIEW
    draft.proposed_at = turn.clock.now()
    rnd.edition.state = next_state(Step.PROPOSE, rnd.edition.state)
    rnd.edition.updated_at = turn.clock.now()
    await turn.audit(
        "draft.propose",
        org_id=rnd.org_id,
        obj=draft,
        role=await turn.acting_as(rnd.org_id, Action.PROPOSE_DRAFT),
        before=before,
        after={"draft": draft.state.value, "edition": rnd.edition.state.value},
    )
    request = vote_request(draft, rnd)
    documents = await draft_documents(turn, draft.id)  # ดูร่าง and the PDF, rendered once
    await turn.notify_roles(
        rnd.org_id,
        [Role.DEVELOPMENT_COMMITTEE],
        [request, *documents],
        f"draft-proposed:{draft.id}",
    )
    return await _proposed_reply(turn, review, request)


async def _proposed_reply(turn: Turn, review: Review, request: Card) -> list[Outgoing]:
    rule, members = review.rule, len(review.members)
    text = TEXT["proposed"].format(
        n=review.draft.number,
        members=members,
        pct=rule.quorum_percent,
        need=quorum_size(members, rule.quorum_percent),
    )
    reply: list[Outgoing] = [Choices(text, (commands.button(commands.TALLY),))]
    if Role.DEVELOPMENT_COMMITTEE in await turn.roles_in(review.rnd.org_id):
        reply.append(request)  # the proposer is a member too: the outbox skips their own chat
    return reply


# -- voting -----------------------------------------------------------------------------------


@action(VOTE)
async def vote_press(turn: Turn, press: buttons.ActionPress) -> list[Outgoing]:
    """เห็นชอบ is recorded at once; ขอแก้ไข and ไม่เห็นชอบ ask for the comment first."""
    try:
        decision = VoteDecision(press.arg or "")
    except ValueError:
        raise refusal(PHRASES["expired"]) from None
    if decision is VoteDecision.APPROVE:
        return await cast_vote(turn, press.object_id, decision, None)
    ballot = await _ballot(turn, press.object_id, lock=False)
    ctx = {
        "draft": press.object_id,
        "decision": decision.value,
        "number": ballot.draft.number,
        "where": where(ballot.rnd),
    }
    form = CHANGES_FORM if decision is VoteDecision.REQUEST_CHANGES else REJECT_FORM
    return await forms.start(turn, form, ctx)


async def _ballot(turn: Turn, draft_id: int, *, lock: bool) -> Review:
    """The review a vote is for, if the speaker is a member and it is still open."""
    draft = await _locked_draft(turn, draft_id, lock=lock)
    if draft is None:
        raise refusal(PHRASES["expired"])
    rnd = await edition_for(turn, draft.edition_id, Action.VOTE)
    problem = await _draft_problem(turn, draft, DraftState.IN_REVIEW)
    if problem is None:
        problem = edition_step(Step.VOTE, rnd.edition.state, await turn.roles_in(rnd.org_id))
    if problem:
        raise refusal(problem + TEXT["nothing_recorded"])
    return await load_review(turn, draft, rnd)


async def cast_vote(
    turn: Turn, draft_id: int, decision: VoteDecision, comment: str | None
) -> list[Outgoing]:
    """Record (or change) the speaker's vote, then close the review if the rule says so."""
    ballot = await _ballot(turn, draft_id, lock=True)
    changed = await _upsert_vote(turn, ballot, decision, comment)
    review = await load_review(turn, ballot.draft, ballot.rnd)
    tally = review.tally
    ended = outcome(tally, review.rule)
    if ended.closed:
        closed = await _close(turn, review, ended.result)
        return [Text(TEXT["recorded_last"].format(decision=decision.label_th) + "\n" + closed)]
    key = "recorded" if changed else "same_vote"
    text = TEXT[key].format(decision=decision.label_th, counts=counts_text(tally))
    return [Choices(text, vote_buttons(review.draft))]


async def _upsert_vote(
    turn: Turn, review: Review, decision: VoteDecision, comment: str | None
) -> bool:
    """One current vote per member per draft (the unique key); whether anything changed."""
    assert turn.person is not None and turn.person.id is not None
    assert review.draft.id is not None
    vote = next((v for v, p in review.votes if p.id == turn.person.id), None)
    before = None if vote is None else {"decision": vote.decision.value, "comment": vote.comment}
    after = {"decision": decision.value, "comment": comment}
    if before == after:
        return False
    now = turn.clock.now()
    if vote is None:
        vote = Vote(
            draft_version_id=review.draft.id,
            person_id=turn.person.id,
            decision=decision,
            comment=comment,
            cast_at=now,
        )
        turn.session.add(vote)
    else:
        vote.decision, vote.comment, vote.cast_at = decision, comment, now
    await turn.session.flush()
    await turn.audit(
        "draft.vote",
        org_id=review.rnd.org_id,
        obj=vote,
        role=Role.DEVELOPMENT_COMMITTEE,
        before=before,
        after={**after, "draft_version_id": review.draft.id},
    )
    return True


async def _confirm_comment(turn: Turn, data: FormData) -> list[Outgoing]:
    decision = VoteDecision(data.ctx["decision"])
    return await cast_vote(turn, int(data.ctx["draft"]), decision, data.values.get("comment"))


_parse_comment = fields.free_text(TEXT["comment_label"], TEXT["comment_example"], 2000, words=True)


def _comment_header(data: FormData) -> str:
    ctx = data.ctx
    decision = VoteDecision(ctx["decision"]).label_th
    return TEXT["comment_header"].format(
        number=ctx["number"], where=ctx["where"], decision=decision
    )


def _comment_form(name: str, decision: VoteDecision, *, optional: bool) -> Form:
    return forms.register(
        Form(
            name=name,
            title=TEXT["comment_title"],
            fields=(
                Field(
                    "comment",
                    TEXT["comment_label"],
                    TEXT["comment_prompt"][decision],
                    parse=_parse_comment,
                    optional=optional,
                ),
            ),
            header=_comment_header,
            summary_title=TEXT["comment_summary"],
            confirm_label=TEXT["comment_confirm"],
            on_confirm=_confirm_comment,
        )
    )


CHANGES_FORM = _comment_form("vote_changes", VoteDecision.REQUEST_CHANGES, optional=False)
REJECT_FORM = _comment_form("vote_reject", VoteDecision.REJECT, optional=True)


@fallback
async def typed_vote(turn: Turn, text: str) -> list[Outgoing] | None:
    """เห็นชอบ / ไม่เห็นชอบ / ขอแก้ไข typed: a vote on the one review open to the speaker."""
    decision = next((d for d in VoteDecision if d.label_th == text.strip()), None)
    if decision is None:
        return None
    orgs = await turn.orgs_allowed(Action.VOTE)
    if not orgs:
        return None
    rows = await turn.session.exec(
        select(DraftVersion.id)
        .join(Edition, Edition.id == DraftVersion.edition_id)
        .join(OperationalPlan, OperationalPlan.id == Edition.plan_id)
        .where(
            OperationalPlan.org_id.in_([o.id for o in orgs]),  # type: ignore[attr-defined]
            DraftVersion.state == DraftState.IN_REVIEW,
        )
    )
    open_ids = [i for i in rows.all() if i is not None]
    if len(open_ids) != 1:
        return [Text(TEXT["typed_many" if open_ids else "typed_none"])]
    return await vote_press(turn, buttons.ActionPress(VOTE, open_ids[0], decision.value))


# -- closing ----------------------------------------------------------------------------------


async def _close(turn: Turn, review: Review, result: VoteDecision | None) -> str:
    """Close the review once (the draft row is locked): the result, the edition's next
    state, the audit row and the notices. Returns the result as the voter is told it."""
    draft, edition = review.draft, review.rnd.edition
    approved = result is VoteDecision.APPROVE
    step = Step.REVIEW_APPROVED if approved else Step.REVIEW_SENT_BACK
    before = {"draft": draft.state.value, "edition": edition.state.value}
    draft.state, draft.result, draft.closed_at = DraftState.CLOSED, result, turn.clock.now()
    if edition_step(step, edition.state, None) is None:
        edition.state = next_state(step, edition.state)
        edition.updated_at = turn.clock.now()
    tally = review.tally
    await turn.audit(
        "review.close",
        org_id=review.rnd.org_id,
        obj=draft,
        before=before,
        after={
            "draft": draft.state.value,
            "edition": edition.state.value,
            "result": result.value if result else None,
            "approve": tally.approve,
            "reject": tally.reject,
            "request_changes": tally.request_changes,
            "members": tally.members,
        },
    )
    closed = _closed_text(review, result)
    await _tell_everyone(turn, review, result, closed)
    return closed


def _closed_text(review: Review, result: VoteDecision | None) -> str:
    executive = review.rnd.org.kind.executive_title_th
    next_step = (
        TEXT["next_approved"].format(executive=executive)
        if result is VoteDecision.APPROVE
        else TEXT["next_sent_back"]
    )
    return TEXT["closed_now"].format(
        n=review.draft.number,
        result=TEXT["result"][result],
        where=where(review.rnd),
        counts=counts_text(review.tally),
        next=next_step,
    )


async def _tell_everyone(
    turn: Turn, review: Review, result: VoteDecision | None, closed: str
) -> None:
    """Members hear the result; the executive gets the approved draft with its two buttons;
    the plan officer and support committee hear it too, with the comments when sent back."""
    org_id, key = review.rnd.org_id, f"review-closed:{review.draft.id}"
    await turn.notify_roles(org_id, [Role.DEVELOPMENT_COMMITTEE], [Text(closed)], key + ":members")
    if result is VoteDecision.APPROVE:
        await turn.notify_roles(
            org_id, [Role.EXECUTIVE], [_executive_card(review)], key + ":executive"
        )
        row = (commands.button(commands.TALLY),)
    else:
        row = (commands.button(commands.DRAFT), commands.button(commands.SCREEN))
    text = "\n".join([closed, *_comment_lines(review)])
    await turn.notify_roles(
        org_id,
        [Role.PLAN_OFFICER, Role.SUPPORT_COMMITTEE],
        [Choices(text, row)],
        key + ":planners",
    )


def _executive_card(review: Review) -> Card:
    """The approved draft for the executive, with อนุมัติและประกาศใช้ / ส่งกลับแก้ไข."""
    edition_id = review.rnd.edition_id
    row = (
        Button(TEXT["approve"], buttons.action_button("approve", edition_id)),
        Button(TEXT["return"], buttons.action_button("return", edition_id)),
        draft_button(review.draft),
    )
    footer = TEXT["executive_footer"].format(counts=counts_text(review.tally))
    return draft_card(review.draft, review.rnd, footer=footer, buttons=row)


def _comment_lines(review: Review) -> list[str]:
    lines = [
        TEXT["comment_line"].format(
            name=person.name, decision=vote.decision.label_th, comment=vote.comment
        )
        for vote, person in review.votes
        if vote.comment
    ]
    return [TEXT["comments"], *lines] if lines else []


# -- /tally -----------------------------------------------------------------------------------


@command(commands.TALLY)
async def tally_command(turn: Turn, _args: str) -> list[Outgoing]:
    """The open review of each org the speaker follows (else the last one closed)."""
    messages: list[Outgoing] = []
    for org in await turn.require(Action.VIEW_TALLY):
        assert org.id is not None
        latest = await _latest_review(turn, org.id)
        if latest is None:
            messages.append(Text(TEXT["no_review"].format(org=org.short_name)))
        else:
            messages.append(Text(tally_text(latest, turn.clock.tz)))
            assert latest.draft.id is not None
            messages.extend(await draft_documents(turn, latest.draft.id))
    return messages


async def _latest_review(turn: Turn, org_id: int) -> Review | None:
    rows = await turn.session.exec(
        select(DraftVersion)
        .join(Edition, Edition.id == DraftVersion.edition_id)
        .join(OperationalPlan, OperationalPlan.id == Edition.plan_id)
        .where(
            OperationalPlan.org_id == org_id,
            DraftVersion.state.in_([DraftState.IN_REVIEW, DraftState.CLOSED]),  # type: ignore[attr-defined]
        )
        .order_by(
            sa.case((DraftVersion.state == DraftState.IN_REVIEW, 0), else_=1),
            sa.desc(DraftVersion.id),  # type: ignore[arg-type]
        )
    )
    draft = rows.first()
    if draft is None:
        return None
    return await load_review(turn, draft, await load(turn, draft.edition_id))


def tally_text(review: Review, tz: tzinfo) -> str:
    """Counts, quorum, who has not voted, and the comments, for /tally."""
    draft, tally, rule = review.draft, review.tally, review.rule
    lines = [TEXT["tally_title"].format(n=draft.number, where=where(review.rnd))]
    if draft.state is DraftState.CLOSED and draft.closed_at is not None:
        closed_on = draft.closed_at.astimezone(tz).date()
        lines.append(
            TEXT["closed_counts"].format(
                date=thai_date(closed_on),
                result=TEXT["result"][draft.result],
                counts=counts_text(tally),
            )
        )
    else:
        lines.append(TEXT["open_counts"].format(counts=counts_text(tally)))
    need = quorum_size(tally.members, rule.quorum_percent)
    quorum = "quorum_met" if tally.cast >= need else "quorum_short"
    lines.append(TEXT[quorum].format(cast=tally.cast, members=tally.members, need=need))
    voted = {v.person_id for v, _p in review.votes}
    pending = [
        person.name + (TEXT["chair"] if membership.is_chair else "")
        for person, membership in review.members
        if person.id not in voted
    ]
    if pending and draft.state is DraftState.IN_REVIEW:
        lines.append(TEXT["pending"].format(n=len(pending), names=", ".join(pending)))
    return "\n".join([*lines, *_comment_lines(review)])
