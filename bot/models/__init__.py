"""All tables; importing this module registers every model on `Base.metadata`."""

from bot.models.attachments import Attachment, AttachmentKind
from bot.models.audit import AuditRecord
from bot.models.base import Base, utcnow
from bot.models.bot_state import BotStateEntry
from bot.models.events import (
    Event,
    EventAudience,
    EventAudienceSchool,
    EventRegistration,
    EventStatus,
    RegistrationState,
)
from bot.models.geography import Municipality, Region, School, SchoolKind, SchoolStatus
from bot.models.outbox import Notification, NotificationState
from bot.models.people import (
    CuratorAssignment,
    Invite,
    Person,
    Role,
    RoleAssignment,
    TelegramAccount,
)
from bot.models.results import Assessment, AssessmentResult, Practice, TrainingCourse
from bot.models.risks import RiskFactor, RiskLevel, SchoolRiskProfileEntry
from bot.models.roadmaps import (
    REPORTED_STATUSES,
    SETTLED_STATUSES,
    ItemStatus,
    ProgressReport,
    ReviewMessage,
    ReviewState,
    Roadmap,
    RoadmapItem,
)
from bot.models.visits import Visit, VisitFollowUp, VisitFormat

__all__ = [
    "REPORTED_STATUSES",
    "SETTLED_STATUSES",
    "Assessment",
    "AssessmentResult",
    "Attachment",
    "AttachmentKind",
    "AuditRecord",
    "Base",
    "BotStateEntry",
    "CuratorAssignment",
    "Event",
    "EventAudience",
    "EventAudienceSchool",
    "EventRegistration",
    "EventStatus",
    "Invite",
    "ItemStatus",
    "Municipality",
    "Notification",
    "NotificationState",
    "Person",
    "Practice",
    "ProgressReport",
    "Region",
    "RegistrationState",
    "ReviewMessage",
    "ReviewState",
    "RiskFactor",
    "RiskLevel",
    "Roadmap",
    "RoadmapItem",
    "Role",
    "RoleAssignment",
    "School",
    "SchoolKind",
    "SchoolRiskProfileEntry",
    "SchoolStatus",
    "TelegramAccount",
    "TrainingCourse",
    "Visit",
    "VisitFollowUp",
    "VisitFormat",
    "utcnow",
]
