"""Tables and the plan's rules. Importing this package registers every table on ``metadata``."""

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
from models.records import (
    AuditEvent,
    ConversationState,
    InboxEvent,
    OutboundMessage,
    ProcessedEvent,
    PushUsage,
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
    "Membership",
    "OperationalPlan",
    "Organization",
    "OutboundMessage",
    "Person",
    "PlanArea",
    "ProcessedEvent",
    "Project",
    "ProjectChange",
    "PushUsage",
    "Strategy",
    "Vote",
    "metadata",
]
