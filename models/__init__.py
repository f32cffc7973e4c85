"""Tables and the plan's rules.

The rules (``days_off``, ``deadlines``, ``thaitext``, ``clock`` …) import no table, so a
command that only counts days does not load the ORM. ``models.metadata`` — like any table
named here — imports every table module first, so the metadata it gives is complete;
``models.db`` asks for it, so wherever the database is used every table is registered.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.base import metadata
    from models.document_settings import DocumentSettings
    from models.org import ChannelAccount, Invite, Membership, Organization, Person
    from models.plan import (
        Approach,
        DevelopmentPlanProject,
        DraftVersion,
        Edition,
        OperationalPlan,
        PlanArea,
        Project,
        ProjectChange,
        Strategy,
        Vote,
    )
    from models.privacy import PrivacyAck, PrivacyNotice
    from models.records import (
        AuditEvent,
        ConversationState,
        InboxEvent,
        JoinAttempt,
        OutboundMessage,
        ProcessedEvent,
        PushUsage,
        ReminderRun,
    )

TABLE_MODULES = (
    "models.org",
    "models.plan",
    "models.records",
    "models.document_settings",
    "models.privacy",
)

__all__ = [
    "Approach",
    "AuditEvent",
    "ChannelAccount",
    "ConversationState",
    "DevelopmentPlanProject",
    "DocumentSettings",
    "DraftVersion",
    "Edition",
    "InboxEvent",
    "Invite",
    "JoinAttempt",
    "Membership",
    "OperationalPlan",
    "Organization",
    "OutboundMessage",
    "Person",
    "PlanArea",
    "PrivacyAck",
    "PrivacyNotice",
    "ProcessedEvent",
    "Project",
    "ProjectChange",
    "PushUsage",
    "ReminderRun",
    "Strategy",
    "Vote",
    "metadata",
]


def __getattr__(name: str) -> Any:
    """``models.metadata`` and the tables: every table module imported on first use."""
    if name not in __all__:
        raise AttributeError(f"module 'models' has no attribute {name!r}")
    found: dict[str, Any] = {}
    for module in (*TABLE_MODULES, "models.base"):
        loaded = importlib.import_module(module)
        found.update({n: getattr(loaded, n) for n in __all__ if hasattr(loaded, n)})
    globals().update(found)
    return found[name]
