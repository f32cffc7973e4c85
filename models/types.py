"""Column types shared by every table.

Two rules from the design keep the data honest: instants are timezone-aware (stored as UTC,
returned aware even on SQLite, which keeps no offset), and enums are stored as their stable
ASCII values in plain VARCHAR columns, so adding a state later is a code change, not a
PostgreSQL ``ALTER TYPE``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class AwareDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant; naive datetimes are refused rather than guessed."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware instant is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite hands back what we stored: UTC without an offset
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum_cls: type[StrEnum]) -> sa.Enum:
    """A VARCHAR column of the enum's values (not names), with no native PostgreSQL type."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
    )


def utcnow() -> datetime:
    """Default for created/updated columns; business logic takes time from the clock instead."""
    return datetime.now(UTC)


JSONType: Any = sa.JSON()
