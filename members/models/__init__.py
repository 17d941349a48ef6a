from .audit import AuditEvent
from .community import CommunityGroup, Membership, StaffScope
from .learning import CompetencyAward, Enrolment, LessonProgress, QuizAttempt
from .people import User, UserManager
from .places import Commune, Village

__all__ = [
    "AuditEvent",
    "Commune",
    "CommunityGroup",
    "CompetencyAward",
    "Enrolment",
    "LessonProgress",
    "Membership",
    "QuizAttempt",
    "StaffScope",
    "User",
    "UserManager",
    "Village",
]
