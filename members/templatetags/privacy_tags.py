from django import template
from django.urls import reverse

from members import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def erase_url(context, person) -> str:
    """The address of the erasure form for ``person``, or "" when the signed-in user may not erase
    them (``members.permissions.can_erase_person``)."""
    if person.erased_at is None and permissions.can_erase_person(context["request"].user, person):
        return reverse("members_erase:erase", args=[person.pk])
    return ""
