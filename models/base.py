"""Shared table plumbing: one metadata with a naming convention, and the column helpers.

The naming convention gives every constraint a predictable name, which Alembic needs to
alter constraints on SQLite (batch mode) and to compare models with migrations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import AwareDateTime, JSONType, enum_type, utcnow

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = SQLModel.metadata


def created_at() -> Any:
    """A creation instant, filled when the row object is made."""
    return Field(default_factory=utcnow, sa_type=AwareDateTime)


def instant(*, index: bool = False) -> Any:
    """An optional timezone-aware instant."""
    return Field(default=None, sa_type=AwareDateTime, index=index)


def money(*, nullable: bool = False) -> Any:
    """Baht held exactly as integer satang (1 baht = 100 satang); never a float."""
    return Field(default=None if nullable else 0, sa_type=sa.BigInteger, nullable=nullable)


def json_field(default_factory: Any = dict) -> Any:
    return Field(default_factory=default_factory, sa_type=JSONType)


def enum_field(enum_cls: Any, default: Any = ..., *, index: bool = False) -> Any:
    return Field(default=default, sa_type=enum_type(enum_cls), index=index)


__all__ = [
    "Field",
    "SQLModel",
    "created_at",
    "datetime",
    "enum_field",
    "instant",
    "json_field",
    "metadata",
    "money",
]
