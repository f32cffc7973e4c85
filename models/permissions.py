"""Who may do what: the one table every refusal is checked against.

A refusal names the roles that may act, in Thai, and is written to the audit trail by the
caller (``handlers.context.Turn.require``).
"""

from __future__ import annotations

from enum import StrEnum

from models.enums import Role


class Action(StrEnum):
    INVITE = "invite.create"
    OPEN_ROUND = "round.open"
    SUBMIT_PROJECT = "project.submit"
    VIEW_STATUS = "round.status"
    SCREEN_PROJECT = "project.screen"
    MAKE_DRAFT = "draft.create"
    PROPOSE_DRAFT = "draft.propose"
    VOTE = "draft.vote"
    VIEW_TALLY = "draft.tally"
    APPROVE_PLAN = "plan.approve"
    EXTEND_DEADLINE = "round.extend"
    AMEND_PLAN = "plan.amend"
    RECORD_POSTING = "plan.post"
    VIEW_HISTORY = "plan.history"
    VIEW_DOCUMENTS = "plan.documents"
    SET_REMINDERS = "reminders.settings"


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.INVITE: frozenset({Role.ADMIN, Role.PLAN_OFFICER}),
    Action.OPEN_ROUND: frozenset({Role.PLAN_OFFICER}),
    Action.SUBMIT_PROJECT: frozenset({Role.SUBMITTER, Role.SUPPORT_COMMITTEE, Role.PLAN_OFFICER}),
    Action.VIEW_STATUS: frozenset(Role),
    Action.SCREEN_PROJECT: frozenset({Role.SUPPORT_COMMITTEE}),
    Action.MAKE_DRAFT: frozenset({Role.PLAN_OFFICER, Role.SUPPORT_COMMITTEE}),
    Action.PROPOSE_DRAFT: frozenset({Role.PLAN_OFFICER, Role.SUPPORT_COMMITTEE}),
    Action.VOTE: frozenset({Role.DEVELOPMENT_COMMITTEE}),
    Action.VIEW_TALLY: frozenset(
        {Role.PLAN_OFFICER, Role.SUPPORT_COMMITTEE, Role.DEVELOPMENT_COMMITTEE, Role.EXECUTIVE}
    ),
    Action.APPROVE_PLAN: frozenset({Role.EXECUTIVE}),
    Action.EXTEND_DEADLINE: frozenset({Role.EXECUTIVE}),
    Action.AMEND_PLAN: frozenset({Role.EXECUTIVE}),
    Action.RECORD_POSTING: frozenset({Role.PLAN_OFFICER}),
    Action.VIEW_HISTORY: frozenset(Role),
    Action.VIEW_DOCUMENTS: frozenset(
        {Role.PLAN_OFFICER, Role.SUPPORT_COMMITTEE, Role.DEVELOPMENT_COMMITTEE, Role.EXECUTIVE}
    ),
    Action.SET_REMINDERS: frozenset({Role.PLAN_OFFICER}),
}

# Roles a plan officer or admin may hand out by invite; only an admin may create admins.
INVITABLE_BY: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role),
    Role.PLAN_OFFICER: frozenset(Role) - {Role.ADMIN},
}


def may(action: Action, roles: set[Role] | frozenset[Role]) -> bool:
    return bool(ALLOWED[action] & roles)


def needed_roles_th(action: Action) -> str:
    """The roles that may act, in Thai, in a stable order: for the refusal message."""
    return " หรือ ".join(role.label_th for role in Role if role in ALLOWED[action])
