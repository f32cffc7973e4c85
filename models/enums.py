"""The domain's closed vocabularies, with the Thai words the regulation uses for them.

Values are stable ASCII codes stored in the database; the Thai labels are the glossary of
``../shared/UX.md`` and are what users see and type.
"""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    """องค์กรปกครองส่วนท้องถิ่น — the kinds of local administrative organization."""

    SAO = "sao"
    SUBDISTRICT_MUNICIPALITY = "subdistrict_municipality"
    TOWN_MUNICIPALITY = "town_municipality"
    CITY_MUNICIPALITY = "city_municipality"
    PAO = "pao"
    BANGKOK = "bangkok"
    PATTAYA = "pattaya"

    @property
    def short_th(self) -> str:
        """How officials abbreviate the kind: อบต., ทต., อบจ. …"""
        return _ORG_KIND_SHORT[self]

    @property
    def full_th(self) -> str:
        """The prefix of the official full name: องค์การบริหารส่วนตำบล…"""
        return _ORG_KIND_FULL[self]

    @property
    def executive_title_th(self) -> str:
        """The local executive's title (ผู้บริหารท้องถิ่น), used in messages."""
        return _EXECUTIVE_TITLE[self]

    @property
    def development_committee_th(self) -> str:
        """The development committee's name; a municipality calls it คณะกรรมการพัฒนาเทศบาล."""
        if self in _MUNICIPALITIES:
            return "คณะกรรมการพัฒนาเทศบาล"
        return "คณะกรรมการพัฒนาท้องถิ่น"

    @classmethod
    def from_text(cls, text: str) -> OrgKind | None:
        """Read a kind as people type it: ``อบต.``, ``อบต``, ``เทศบาลตำบล``, ``ทต.``, ``sao``."""
        key = text.strip().replace(" ", "").rstrip(".").lower()
        return _ORG_KIND_BY_TEXT.get(key)


_ORG_KIND_SHORT = {
    OrgKind.SAO: "อบต.",
    OrgKind.SUBDISTRICT_MUNICIPALITY: "ทต.",
    OrgKind.TOWN_MUNICIPALITY: "ทม.",
    OrgKind.CITY_MUNICIPALITY: "ทน.",
    OrgKind.PAO: "อบจ.",
    OrgKind.BANGKOK: "กทม.",
    OrgKind.PATTAYA: "เมืองพัทยา",
}
_ORG_KIND_FULL = {
    OrgKind.SAO: "องค์การบริหารส่วนตำบล",
    OrgKind.SUBDISTRICT_MUNICIPALITY: "เทศบาลตำบล",
    OrgKind.TOWN_MUNICIPALITY: "เทศบาลเมือง",
    OrgKind.CITY_MUNICIPALITY: "เทศบาลนคร",
    OrgKind.PAO: "องค์การบริหารส่วนจังหวัด",
    OrgKind.BANGKOK: "กรุงเทพมหานคร",
    OrgKind.PATTAYA: "เมืองพัทยา",
}
_EXECUTIVE_TITLE = {
    OrgKind.SAO: "นายก อบต.",
    OrgKind.SUBDISTRICT_MUNICIPALITY: "นายกเทศมนตรี",
    OrgKind.TOWN_MUNICIPALITY: "นายกเทศมนตรี",
    OrgKind.CITY_MUNICIPALITY: "นายกเทศมนตรี",
    OrgKind.PAO: "นายก อบจ.",
    OrgKind.BANGKOK: "ผู้ว่าราชการกรุงเทพมหานคร",
    OrgKind.PATTAYA: "นายกเมืองพัทยา",
}
_MUNICIPALITIES = {
    OrgKind.SUBDISTRICT_MUNICIPALITY,
    OrgKind.TOWN_MUNICIPALITY,
    OrgKind.CITY_MUNICIPALITY,
}
_ORG_KIND_BY_TEXT: dict[str, OrgKind] = {}
for _kind in OrgKind:
    for _word in (_kind.value, _ORG_KIND_SHORT[_kind], _ORG_KIND_FULL[_kind]):
        _ORG_KIND_BY_TEXT[_word.replace(" ", "").rstrip(".").lower()] = _kind
_ORG_KIND_BY_TEXT.update({"อบต": OrgKind.SAO, "อบจ": OrgKind.PAO, "กรุงเทพฯ": OrgKind.BANGKOK})


class Role(StrEnum):
    """What a person may do in one organization; a person may hold several."""

    SUBMITTER = "submitter"
    PLAN_OFFICER = "plan_officer"
    SUPPORT_COMMITTEE = "support_committee"
    DEVELOPMENT_COMMITTEE = "development_committee"
    EXECUTIVE = "executive"
    MONITORING_COMMITTEE = "monitoring_committee"
    ADMIN = "admin"

    @property
    def label_th(self) -> str:
        return _ROLE_LABEL[self]


_ROLE_LABEL = {
    Role.SUBMITTER: "ผู้เสนอโครงการ",
    Role.PLAN_OFFICER: "เจ้าหน้าที่วิเคราะห์นโยบายและแผน",
    Role.SUPPORT_COMMITTEE: "คณะกรรมการสนับสนุนฯ",
    Role.DEVELOPMENT_COMMITTEE: "คณะกรรมการพัฒนาฯ",
    Role.EXECUTIVE: "ผู้บริหารท้องถิ่น",
    Role.MONITORING_COMMITTEE: "คณะกรรมการติดตามและประเมินผลฯ",
    Role.ADMIN: "ผู้ดูแลระบบ",
}


class Channel(StrEnum):
    """Where a person talks to planbot."""

    LINE = "line"
    TELEGRAM = "telegram"
    CONSOLE = "console"


class DeadlineRule(StrEnum):
    """How a duty's period that ends on a day off is counted (``PLANBOT_DEADLINE_RULE``).

    ``authority``: the Administrative Procedure Act 2539 §64 paragraph 2 — an authority's
    own duty ends on its last day even when that is a holiday (the default; people are told
    to finish by the last working day before it). ``civil``: the Civil and Commercial Code
    §193/8 — the period ends on the next working day, as some legal offices read it.
    """

    AUTHORITY = "authority"
    CIVIL = "civil"


class TriggerKind(StrEnum):
    """What starts a 30-day preparation round (DOMAIN.md, Deadlines)."""

    ANNUAL_BUDGET = "annual_budget"
    SUPPLEMENTARY_BUDGET = "supplementary_budget"
    ACCUMULATED_FUNDS = "accumulated_funds"
    OTHER_AGENCY_NOTICE = "other_agency_notice"
    EXECUTIVE_AMENDMENT = "executive_amendment"

    @property
    def label_th(self) -> str:
        return _TRIGGER_LABEL[self]


_TRIGGER_LABEL = {
    TriggerKind.ANNUAL_BUDGET: "ข้อบัญญัติงบประมาณรายจ่ายประจำปี",
    TriggerKind.SUPPLEMENTARY_BUDGET: "งบประมาณรายจ่ายเพิ่มเติม",
    TriggerKind.ACCUMULATED_FUNDS: "งบประมาณจากเงินสะสม",
    TriggerKind.OTHER_AGENCY_NOTICE: "แจ้งจากหน่วยงานอื่น",
    TriggerKind.EXECUTIVE_AMENDMENT: "ผู้บริหารท้องถิ่นอนุมัติให้แก้ไข",
}


class EditionKind(StrEnum):
    """ฉบับ of the plan: the original, an amendment (แก้ไข ครั้งที่ N) or an addition (เพิ่มเติม ครั้งที่ N)."""

    ORIGINAL = "original"
    AMENDMENT = "amendment"
    ADDITION = "addition"


class EditionState(StrEnum):
    """Where an edition is in the process of ข้อ 26–27."""

    COLLECTING = "collecting"
    IN_REVIEW = "in_review"
    AWAITING_EXECUTIVE = "awaiting_executive"
    IN_FORCE = "in_force"
    CANCELLED = "cancelled"

    @property
    def label_th(self) -> str:
        return _EDITION_STATE_LABEL[self]


_EDITION_STATE_LABEL = {
    EditionState.COLLECTING: "กำลังรวบรวมโครงการ",
    EditionState.IN_REVIEW: "คณะกรรมการพัฒนาฯ กำลังพิจารณาร่าง",
    EditionState.AWAITING_EXECUTIVE: "รอผู้บริหารท้องถิ่นอนุมัติ",
    EditionState.IN_FORCE: "ประกาศใช้แล้ว",
    EditionState.CANCELLED: "ยกเลิก",
}


class ProjectSource(StrEnum):
    """Whose project it is: the LAO's own, or another agency's working in the area."""

    LAO = "lao"
    OTHER_AGENCY = "other_agency"


class ProjectStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"

    @property
    def label_th(self) -> str:
        return _PROJECT_STATUS_LABEL[self]


_PROJECT_STATUS_LABEL = {
    ProjectStatus.SUBMITTED: "รอตรวจ",
    ProjectStatus.ACCEPTED: "รับเข้าแผนแล้ว",
    ProjectStatus.RETURNED: "ส่งกลับแก้ไข",
    ProjectStatus.WITHDRAWN: "ถอนแล้ว",
}


class DraftState(StrEnum):
    """A draft version's life: open to the committee, closed with a result, or superseded."""

    PREPARED = "prepared"
    IN_REVIEW = "in_review"
    CLOSED = "closed"
    SUPERSEDED = "superseded"


class VoteDecision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"

    @property
    def label_th(self) -> str:
        return _VOTE_LABEL[self]


_VOTE_LABEL = {
    VoteDecision.APPROVE: "เห็นชอบ",
    VoteDecision.REJECT: "ไม่เห็นชอบ",
    VoteDecision.REQUEST_CHANGES: "ขอแก้ไข",
}


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
