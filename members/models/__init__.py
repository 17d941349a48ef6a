from .audit import AuditEvent
from .community import CommunityGroup, Membership, StaffGroup, StaffScope
from .imports import ImportBatch
from .invitations import GroupInvitation
from .passwords import PasswordResetCode
from .people import User, UserManager, counted_in_statistics
from .places import Commune, Village

__all__ = [
    "AuditEvent",
    "Commune",
    "CommunityGroup",
    "GroupInvitation",
    "ImportBatch",
    "Membership",
    "PasswordResetCode",
    "StaffGroup",
    "StaffScope",
    "User",
    "UserManager",
    "Village",
    "counted_in_statistics",
]
