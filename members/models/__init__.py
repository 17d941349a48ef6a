from .audit import AuditEvent
from .community import CommunityGroup, Membership, StaffScope
from .people import User, UserManager
from .places import Commune, Village

__all__ = [
    "AuditEvent",
    "Commune",
    "CommunityGroup",
    "Membership",
    "StaffScope",
    "User",
    "UserManager",
    "Village",
]
