"""The Django groups that give staff their Wagtail admin permissions.

A StaffScope says *where* a person works; membership of their role's group says *what* the admin lets
them do. ``services.staff_scope_grant`` and ``staff_scope_revoke`` keep the two in step, and
``disagreements()`` lists any account where they differ (``manage.py check --database default``
reports them). A group is found by its role (``StaffGroup``), never by its name, which is a label.
"""

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q

from members.models import StaffGroup, StaffScope, User


def group_for(role: str) -> Group:
    """The Django group of a staff role."""
    return StaffGroup.objects.select_related("group").get(role=role).group


def disagreements() -> list[tuple[User, str, str]]:
    """(person, role, what is wrong) for each account whose staff groups and staff scopes differ: in a
    role's group without a scope of that role, or with the scope but not in the group."""
    found = []
    for link in StaffGroup.objects.select_related("group"):
        scoped = StaffScope.objects.filter(user=OuterRef("pk"), role=link.role)
        in_group = Q(groups=link.group)
        for person in User.objects.filter(in_group).exclude(Exists(scoped)).distinct():
            found.append((person, link.role, "in the group without a scope"))
        for person in User.objects.filter(Exists(scoped)).exclude(in_group):
            found.append((person, link.role, "has a scope but is not in the group"))
    return found
