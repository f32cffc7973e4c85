"""How an organization wants its plan documents printed (the variations among LAOs).

Every LAO prints the same forms, yet not quite alike: some call the top level ประเด็นการพัฒนา
instead of ยุทธศาสตร์, some put a middle level (แนวทางการพัฒนา or กลยุทธ์) between a strategy
and its plan areas, some add columns to ผด.02, each writes its own ส่วนที่ 1 บทนำ, and each
signs with its own people. One row per organization holds those choices; an organization
without a row gets the plain defaults, so nothing is required.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.base import instant, json_field

DEFAULT_TOP_LEVEL = "ยุทธศาสตร์"


class ExtraColumn(StrEnum):
    """Optional columns of ผด.02 an organization may switch on (never required)."""

    PROCUREMENT = "procurement"  # วิธีดำเนินการ (เฉพาะเจาะจง, คัดเลือก, e-bidding …)
    COMPLETED = "completed"  # ดำเนินการแล้วเสร็จ

    @property
    def label_th(self) -> str:
        return _EXTRA_LABEL[self]


_EXTRA_LABEL = {
    ExtraColumn.PROCUREMENT: "วิธีดำเนินการ",
    ExtraColumn.COMPLETED: "ดำเนินการแล้วเสร็จ",
}


class DocumentSettings(SQLModel, table=True):
    """One organization's choices for its documents; see the module docstring.

    ``part1`` maps a section key of ส่วนที่ 1 (intro, objectives, steps, benefits) to the
    org's own text, with ``{org}`` and ``{fy}`` filled in; ``signatures`` is a list of
    ``{"label", "name", "position"}`` (prepared by, proposed by, endorsed by, approved by);
    empty means "from the org's members".
    """

    __tablename__ = "document_settings"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", unique=True)
    top_level: str = Field(default=DEFAULT_TOP_LEVEL, max_length=100)
    middle_level: str | None = Field(default=None, max_length=100)
    extra_columns: list[str] = json_field(list)
    part1: dict[str, str] = json_field()
    signatures: list[dict[str, Any]] = json_field(list)
    updated_at: datetime | None = instant()

    @property
    def columns(self) -> tuple[ExtraColumn, ...]:
        """The optional columns switched on, in the order of ExtraColumn (unknown codes dropped)."""
        return tuple(c for c in ExtraColumn if c.value in self.extra_columns)


async def settings_of(session: AsyncSession, org_id: int) -> DocumentSettings:
    """The org's settings, or the defaults (not stored) when it has chosen nothing."""
    found = (
        await session.exec(select(DocumentSettings).where(DocumentSettings.org_id == org_id))
    ).first()
    return found if found is not None else DocumentSettings(org_id=org_id)
