"""Where an edition really is, as people ask "where are we?": finer than its state.

An edition's state says collecting from the round's opening until the committee has a draft
to consider, and again after a draft is sent back; people need to know which of those it is
(ร่างที่ 2 prepared, returned with comments, …), and what comes next. ``stage_of`` reads it
from the edition and its newest draft; ``next_steps`` says, per role, what to do now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.enums import DraftState, EditionState, Role
from models.plan import DraftVersion, Edition


class Stage(StrEnum):
    COLLECTING = "collecting"  # projects come in; no draft yet
    DRAFTED = "drafted"  # ร่างที่ N made, not yet proposed
    IN_REVIEW = "in_review"  # the development committee considers ร่างที่ N
    RETURNED = "returned"  # sent back (by the committee or the executive): a new draft is due
    AWAITING_EXECUTIVE = "awaiting_executive"
    ANNOUNCED = "announced"  # in force, not yet posted
    POSTED = "posted"
    REMOVED = "removed"  # taken down after the 30 days
    CANCELLED = "cancelled"


LABELS = {
    Stage.COLLECTING: "กำลังรวบรวมโครงการ",
    Stage.DRAFTED: "จัดทำร่างที่ {n} แล้ว — รอเสนอคณะกรรมการพัฒนาฯ",
    Stage.IN_REVIEW: "คณะกรรมการพัฒนาฯ กำลังพิจารณาร่างที่ {n}",
    Stage.RETURNED: "ร่างที่ {n} ถูกส่งกลับแก้ไข — กำลังรวบรวมโครงการและจัดทำร่างใหม่",
    Stage.AWAITING_EXECUTIVE: "คณะกรรมการพัฒนาฯ เห็นชอบร่างที่ {n} แล้ว — รอผู้บริหารท้องถิ่นอนุมัติ",
    Stage.ANNOUNCED: "ประกาศใช้แล้ว — รอบันทึกการปิดประกาศ",
    Stage.POSTED: "ประกาศใช้แล้ว · ปิดประกาศแล้ว",
    Stage.REMOVED: "ประกาศใช้แล้ว · ปลดประกาศแล้ว",
    Stage.CANCELLED: "ยกเลิกแล้ว",
}


@dataclass(frozen=True)
class StageOf:
    stage: Stage
    draft: int | None = None  # the number of the draft the stage is about

    @property
    def label_th(self) -> str:
        return LABELS[self.stage].format(n=self.draft)


def stage_of(edition: Edition, newest_draft: DraftVersion | None) -> StageOf:
    """The stage of ``edition``, given its newest draft (None when it has none)."""
    number = newest_draft.number if newest_draft is not None else None
    state = edition.state
    if state is EditionState.CANCELLED:
        return StageOf(Stage.CANCELLED)
    if state is EditionState.IN_FORCE:
        if edition.removed_on is not None:
            return StageOf(Stage.REMOVED)
        return StageOf(Stage.POSTED if edition.posted_on is not None else Stage.ANNOUNCED)
    if state is EditionState.IN_REVIEW:
        return StageOf(Stage.IN_REVIEW, number)
    if state is EditionState.AWAITING_EXECUTIVE:
        return StageOf(Stage.AWAITING_EXECUTIVE, number)
    if newest_draft is None:
        return StageOf(Stage.COLLECTING)
    if newest_draft.state is DraftState.PREPARED:
        return StageOf(Stage.DRAFTED, number)
    if newest_draft.state is DraftState.CLOSED:
        return StageOf(Stage.RETURNED, number)  # the committee's or the executive's return
    return StageOf(Stage.COLLECTING)


class Next(StrEnum):
    """What someone may do next, by the command that does it (handlers.commands names)."""

    SUBMIT = "submit"
    SCREEN = "screen"
    DRAFT = "draft"
    PROPOSE = "propose"
    TALLY = "tally"
    APPROVE = "approve"
    POSTED = "posted"
    REMOVED = "removed"
    BUDGET = "budget"


def next_steps(
    stage: Stage,
    roles: set[Role],
    *,
    waiting: int = 0,
    accepted: int = 0,
    may_remove_on: date | None = None,
    today: date | None = None,
) -> list[Next]:
    """The next actions of someone with ``roles`` at ``stage``, most pressing first.

    ``waiting``/``accepted``: projects still to screen / accepted; ``may_remove_on``: the
    first day a posted notice may come down.
    """
    officer = Role.PLAN_OFFICER in roles
    support = Role.SUPPORT_COMMITTEE in roles
    planner = officer or support
    submits = bool(roles & {Role.SUBMITTER, Role.SUPPORT_COMMITTEE, Role.PLAN_OFFICER})
    found: list[Next] = []
    if stage in (Stage.COLLECTING, Stage.RETURNED, Stage.DRAFTED):
        if support and waiting:
            found.append(Next.SCREEN)
        if planner and stage is Stage.DRAFTED:
            found.append(Next.PROPOSE)
        elif planner and accepted:
            found.append(Next.DRAFT)
        if submits:
            found.append(Next.SUBMIT)
    elif stage is Stage.IN_REVIEW:
        if planner or Role.DEVELOPMENT_COMMITTEE in roles or Role.EXECUTIVE in roles:
            found.append(Next.TALLY)
    elif stage is Stage.AWAITING_EXECUTIVE:
        if Role.EXECUTIVE in roles:
            found.append(Next.APPROVE)
    elif stage is Stage.ANNOUNCED:
        if officer:
            found.append(Next.POSTED)
    elif stage is Stage.POSTED:
        ready = may_remove_on is not None and today is not None and today >= may_remove_on
        if officer and ready:
            found.append(Next.REMOVED)
    return found
