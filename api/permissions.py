"""DRF permission classes over members.permissions (the one home of authorisation rules). Lists are
narrowed in each view's get_queryset(); these classes guard the actions."""

from rest_framework.permissions import BasePermission

from members import permissions


class IsStaffMember(BasePermission):
    """Trainers, commune officers, administrators."""

    def has_permission(self, request, view):
        return permissions.is_staff_member(request.user)
