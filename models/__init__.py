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
    Strategy,
    Vote,
)
from models.records import AuditEvent, ConversationState, OutboundMessage, ProcessedEvent

__all__ = [
    "AuditEvent",
    "ChannelAccount",
    "ConversationState",
    "DevelopmentPlanProject",
    "DraftVersion",
    "Edition",
    "Invite",
    "Membership",
    "OperationalPlan",
    "Organization",
    "OutboundMessage",
    "Person",
    "PlanArea",
    "ProcessedEvent",
    "Project",
    "Strategy",
    "Vote",
    "metadata",
]
