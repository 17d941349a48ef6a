from .attendance import AttendanceMark, Session
from .audit import AuditEvent
from .community import CommunityGroup, Membership, StaffGroup, StaffScope
from .imports import ImportBatch
from .invitations import GroupInvitation
from .learning import CompetencyAward, Enrolment, LessonProgress, QuizAttempt
from .passwords import PasswordResetCode
from .people import User, UserManager, counted_in_statistics
from .places import Commune, Village

__all__ = [
    "AttendanceMark",
    "AuditEvent",
    "Commune",
    "CommunityGroup",
    "CompetencyAward",
    "Enrolment",
    "GroupInvitation",
    "ImportBatch",
    "LessonProgress",
    "Membership",
    "PasswordResetCode",
    "QuizAttempt",
    "Session",
    "StaffGroup",
    "StaffScope",
    "User",
    "UserManager",
    "Village",
    "counted_in_statistics",
]
