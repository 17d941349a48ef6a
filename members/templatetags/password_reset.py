from django import template

from members import permissions

register = template.Library()


@register.inclusion_tag("members/admin/_reset_code_action.html", takes_context=True)
def reset_code_action(context, person):
    """A "give a password reset code" button, for those who may (members/password_admin_views.py)."""
    user = context["request"].user
    return {"person": person if permissions.can_issue_reset_code(user, person) else None}
