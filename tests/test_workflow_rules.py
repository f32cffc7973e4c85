"""The state rules table: every legal step allowed, every other refused with a Thai reason."""

from __future__ import annotations

import pytest

from models.enums import EditionState, ProjectStatus, Role
from models.workflow import EDITION_RULES, Step, edition_step, next_state, project_step


@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("state", list(EditionState))
def test_every_step_in_every_state(step: Step, state: EditionState) -> None:
    reason = edition_step(step, state, None)
    if state in EDITION_RULES[step].from_states:
        assert reason is None
    else:
        assert reason is not None and state.label_th in reason


def test_the_main_path() -> None:
    state = EditionState.COLLECTING
    for step in (Step.PROPOSE, Step.REVIEW_APPROVED, Step.APPROVE):
        assert edition_step(step, state, None) is None
        state = next_state(step, state)
    assert state is EditionState.IN_FORCE
    assert next_state(Step.REVIEW_SENT_BACK, EditionState.IN_REVIEW) is EditionState.COLLECTING


def test_roles_are_checked() -> None:
    assert edition_step(Step.APPROVE, EditionState.AWAITING_EXECUTIVE, {Role.EXECUTIVE}) is None
    refusal = edition_step(Step.APPROVE, EditionState.AWAITING_EXECUTIVE, {Role.PLAN_OFFICER})
    assert refusal is not None and "ผู้บริหารท้องถิ่น" in refusal
    assert edition_step(Step.VOTE, EditionState.IN_REVIEW, {Role.SUBMITTER}) is not None


def test_project_rules() -> None:
    screen = {Role.SUPPORT_COMMITTEE}
    assert project_step(ProjectStatus.SUBMITTED, ProjectStatus.ACCEPTED, screen) is None
    assert project_step(ProjectStatus.SUBMITTED, ProjectStatus.ACCEPTED, {Role.SUBMITTER})
    assert project_step(ProjectStatus.WITHDRAWN, ProjectStatus.ACCEPTED, screen)
    assert project_step(ProjectStatus.RETURNED, ProjectStatus.SUBMITTED, {Role.SUBMITTER}) is None
