"""A project (โครงการ/กิจกรรม) a button names, loaded with its edition, plan and org, and the
checks that say whether its submitter may still change it.

Buttons are stateless, so every press loads the project again and checks it as it is now:
still the speaker's, still editable (รอตรวจ or ส่งกลับแก้ไข), its round still collecting. A
failed check raises ``Refused`` with the reason, and nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from handlers.context import Turn, refusal
from handlers.phrases import PHRASES
from handlers.projects_text import project_number
from models.enums import EditionState, ProjectStatus, Role
from models.org import Organization
from models.permissions import Action, may, needed_roles_th
from models.plan import Edition, OperationalPlan, Project

TEXT = {
    "not_editable": "รายการนี้หมดอายุแล้ว — โครงการเลขที่ {number} {status} แก้ไขหรือถอนไม่ได้",
    "round_not_collecting": (
        "รายการนี้หมดอายุแล้ว — รอบนี้ปิดรับโครงการแล้ว ({state}) แก้ไขหรือถอนโครงการเลขที่ {number}"
        " ไม่ได้ หากจำเป็นกรุณาติดต่อ{roles}"
    ),
    "lost_role": "⛔ ท่านไม่ได้เป็น{roles}ของ {org} แล้ว — ไม่มีข้อมูลใดถูกบันทึก",
}
EDITABLE = frozenset({ProjectStatus.SUBMITTED, ProjectStatus.RETURNED})
# The roles a submission is made as, in the order one is named in the audit trail.
SUBMIT_ROLES = (Role.SUBMITTER, Role.SUPPORT_COMMITTEE, Role.PLAN_OFFICER)


@dataclass(frozen=True)
class ProjectRow:
    """A project with its edition, plan and organization."""

    project: Project
    edition: Edition
    plan: OperationalPlan
    org: Organization

    @property
    def number(self) -> str:
        """เลขที่ 2569-012."""
        return project_number(self.plan.fiscal_year, self.project.seq)

    @property
    def project_id(self) -> int:
        assert self.project.id is not None
        return self.project.id

    @property
    def org_id(self) -> int:
        assert self.org.id is not None
        return self.org.id

    @property
    def editable(self) -> bool:
        """Its submitter may still edit or withdraw it."""
        return self.project.status in EDITABLE and self.edition.state is EditionState.COLLECTING


async def load_project(turn: Turn, project_id: int, *, lock: bool = False) -> ProjectRow:
    """The project a button names (expired when gone); ``lock`` holds its row until commit so
    a second worker's double tap waits and then sees the new status."""
    statement = (
        select(Project, Edition, OperationalPlan, Organization)
        .join(Edition, Edition.id == Project.edition_id)
        .join(OperationalPlan, OperationalPlan.id == Project.plan_id)
        .join(Organization, Organization.id == OperationalPlan.org_id)
        .where(Project.id == project_id)
    )
    if lock:
        statement = statement.with_for_update(of=Project).execution_options(populate_existing=True)
    row = (await turn.session.exec(statement)).first()
    if row is None:
        raise refusal(PHRASES["expired"])
    return ProjectRow(*row)


async def own_editable(turn: Turn, project_id: int, *, lock: bool = False) -> ProjectRow:
    """The speaker's own project, while they may still edit or withdraw it."""
    found = await load_project(turn, project_id, lock=lock)
    project = found.project
    if turn.person is None or project.submitted_by_id != turn.person.id:
        raise refusal(PHRASES["expired"])
    if project.status not in EDITABLE:
        status = project.status.label_th
        raise refusal(TEXT["not_editable"].format(number=found.number, status=status))
    if found.edition.state is not EditionState.COLLECTING:
        raise refusal(
            TEXT["round_not_collecting"].format(
                state=found.edition.state.label_th,
                number=found.number,
                roles=Role.PLAN_OFFICER.label_th,
            )
        )
    return found


async def submitter_role(turn: Turn, org_id: int) -> Role | None:
    """The role a submission is made as (for the audit row), or None if the speaker has none."""
    roles = await turn.roles_in(org_id)
    return next((r for r in SUBMIT_ROLES if r in roles and may(Action.SUBMIT_PROJECT, {r})), None)


async def submitting_role(turn: Turn, org: Organization) -> Role:
    """:func:`submitter_role` for a new submission or an edit: refused, with the audit row,
    when the speaker no longer holds a submitting role in the org."""
    assert org.id is not None
    found = await submitter_role(turn, org.id)
    if found is None:
        await turn.audit(
            f"denied:{Action.SUBMIT_PROJECT}", org_id=org.id, after={"reason": "role_removed"}
        )
        raise refusal(
            TEXT["lost_role"].format(
                roles=needed_roles_th(Action.SUBMIT_PROJECT), org=org.short_name
            )
        )
    return found
