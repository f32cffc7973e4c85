"""Tables and the plan's rules. Importing this package registers every table on ``metadata``."""

from models.base import metadata
from models.org import ChannelAccount, Invite, Membership, Organization, Person
from models.plan import (
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
    "AuditEvent",
    "ChannelAccount",
    "ConversationState",
    "DevelopmentPlanProject",
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
