"""The plan's state rules in one place: which step may follow which, and by whom.

Every handler asks :func:`edition_step` / :func:`project_step` before changing anything;
an illegal step is refused with a Thai reason and changes nothing. The regulation's process
(ข้อ 26–27): collect → draft → the development committee considers it → the executive
approves and announces → posting; extensions and amendments are the executive's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.enums import EditionState, ProjectStatus, Role
from models.permissions import Action, may, needed_roles_th

S = EditionState
P = ProjectStatus


class Step(StrEnum):
    """Things that happen to an edition (แผนการดำเนินงานฉบับหนึ่ง)."""

    SUBMIT = "project.submit"
    SCREEN = "project.screen"
    MAKE_DRAFT = "draft.create"
    PROPOSE = "draft.propose"
    VOTE = "draft.vote"
    REVIEW_APPROVED = "review.approved"  # the rule is met: the system closes the review
    REVIEW_SENT_BACK = "review.sent_back"
    APPROVE = "plan.approve"
    RETURN = "plan.return"
    POST = "plan.post"
    REMOVE = "plan.remove"
    EXTEND = "round.extend"
    AMEND = "plan.amend"
    CANCEL_ROUND = "round.cancel"


@dataclass(frozen=True)
class Rule:
    action: Action | None  # None: taken by the system when its condition is met, not a person
    from_states: frozenset[EditionState]
    to_state: EditionState | None = None  # None: the edition stays where it is


EDITION_RULES: dict[Step, Rule] = {
    Step.SUBMIT: Rule(Action.SUBMIT_PROJECT, frozenset({S.COLLECTING})),
    Step.SCREEN: Rule(Action.SCREEN_PROJECT, frozenset({S.COLLECTING})),
    Step.MAKE_DRAFT: Rule(Action.MAKE_DRAFT, frozenset({S.COLLECTING})),
    Step.PROPOSE: Rule(Action.PROPOSE_DRAFT, frozenset({S.COLLECTING}), S.IN_REVIEW),
    Step.VOTE: Rule(Action.VOTE, frozenset({S.IN_REVIEW})),
    Step.REVIEW_APPROVED: Rule(None, frozenset({S.IN_REVIEW}), S.AWAITING_EXECUTIVE),
    Step.REVIEW_SENT_BACK: Rule(None, frozenset({S.IN_REVIEW}), S.COLLECTING),
    Step.APPROVE: Rule(Action.APPROVE_PLAN, frozenset({S.AWAITING_EXECUTIVE}), S.IN_FORCE),
    Step.RETURN: Rule(Action.APPROVE_PLAN, frozenset({S.AWAITING_EXECUTIVE}), S.COLLECTING),
    Step.POST: Rule(Action.RECORD_POSTING, frozenset({S.IN_FORCE})),
    Step.REMOVE: Rule(Action.RECORD_POSTING, frozenset({S.IN_FORCE})),
    Step.EXTEND: Rule(
        Action.EXTEND_DEADLINE, frozenset({S.COLLECTING, S.IN_REVIEW, S.AWAITING_EXECUTIVE})
    ),
    Step.AMEND: Rule(Action.AMEND_PLAN, frozenset({S.IN_FORCE})),
    # a round opened by mistake: only while it still collects (nothing proposed yet)
    Step.CANCEL_ROUND: Rule(Action.OPEN_ROUND, frozenset({S.COLLECTING}), S.CANCELLED),
}

# Project status changes: (from, to) → the action that may make it.
PROJECT_RULES: dict[tuple[ProjectStatus, ProjectStatus], Action] = {
    (P.SUBMITTED, P.ACCEPTED): Action.SCREEN_PROJECT,
    (P.SUBMITTED, P.RETURNED): Action.SCREEN_PROJECT,
    (P.ACCEPTED, P.RETURNED): Action.SCREEN_PROJECT,  # the committee changes its mind
    (P.RETURNED, P.ACCEPTED): Action.SCREEN_PROJECT,
    (P.RETURNED, P.SUBMITTED): Action.SUBMIT_PROJECT,  # fixed and sent again
    (P.SUBMITTED, P.WITHDRAWN): Action.SUBMIT_PROJECT,
    (P.RETURNED, P.WITHDRAWN): Action.SUBMIT_PROJECT,
}

TEXT = {
    "wrong_state": "ทำรายการนี้ไม่ได้ เพราะแผนอยู่ในขั้น “{state}” — {hint}",
    "hints": {
        S.COLLECTING: "ต้องจัดทำร่างและเสนอคณะกรรมการพัฒนาฯ ก่อน",
        S.IN_REVIEW: "คณะกรรมการพัฒนาฯ กำลังพิจารณาร่างอยู่",
        S.AWAITING_EXECUTIVE: "รอผู้บริหารท้องถิ่นอนุมัติ",
        S.IN_FORCE: "แผนประกาศใช้แล้ว การเปลี่ยนแปลงต้องทำเป็นการแก้ไขหรือเพิ่มเติมแผน",
        S.CANCELLED: "รอบนี้ถูกยกเลิกแล้ว",
    },
    "role": "รายการนี้สำหรับ{roles}เท่านั้น",
    "project": "โครงการที่ “{status}” เปลี่ยนเป็น “{to}” ไม่ได้",
}


def edition_step(step: Step, state: EditionState, roles: set[Role] | None) -> str | None:
    """None if ``step`` may happen now (by someone with ``roles``; None = the system), else why."""
    rule = EDITION_RULES[step]
    if rule.action is not None and roles is not None and not may(rule.action, roles):
        return TEXT["role"].format(roles=needed_roles_th(rule.action))
    if state not in rule.from_states:
        return TEXT["wrong_state"].format(state=state.label_th, hint=TEXT["hints"][state])
    return None


def next_state(step: Step, state: EditionState) -> EditionState:
    return EDITION_RULES[step].to_state or state


def project_step(current: ProjectStatus, to: ProjectStatus, roles: set[Role]) -> str | None:
    """None if a project may go from ``current`` to ``to`` for someone with ``roles``."""
    action = PROJECT_RULES.get((current, to))
    if action is None:
        return TEXT["project"].format(status=current.label_th, to=to.label_th)
    if not may(action, roles):
        return TEXT["role"].format(roles=needed_roles_th(action))
    return None
