"""Reference data every LAO shares: the twelve standard plan areas (แผนงาน) of its budget."""

from __future__ import annotations

from typing import NamedTuple


class PlanAreaSpec(NamedTuple):
    number: int
    code: str
    name: str


PLAN_AREAS: tuple[PlanAreaSpec, ...] = (
    PlanAreaSpec(1, "general_administration", "แผนงานบริหารงานทั่วไป"),
    PlanAreaSpec(2, "internal_security", "แผนงานการรักษาความสงบภายใน"),
    PlanAreaSpec(3, "education", "แผนงานการศึกษา"),
    PlanAreaSpec(4, "public_health", "แผนงานสาธารณสุข"),
    PlanAreaSpec(5, "social_welfare", "แผนงานสังคมสงเคราะห์"),
    PlanAreaSpec(6, "housing_community", "แผนงานเคหะและชุมชน"),
    PlanAreaSpec(7, "community_strengthening", "แผนงานสร้างความเข้มแข็งของชุมชน"),
    PlanAreaSpec(8, "religion_culture_recreation", "แผนงานการศาสนาวัฒนธรรมและนันทนาการ"),
    PlanAreaSpec(9, "industry_public_works", "แผนงานอุตสาหกรรมและการโยธา"),
    PlanAreaSpec(10, "agriculture", "แผนงานการเกษตร"),
    PlanAreaSpec(11, "commerce", "แผนงานการพาณิชย์"),
    PlanAreaSpec(12, "central_fund", "แผนงานงบกลาง"),
)
