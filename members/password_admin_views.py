"""The Wagtail admin's "give a password reset code" page, for officers, trainers and administrators:
the same action as on a leader's group page, for the people in their territory
(``permissions.people_resettable_by``). A person outside what the user can see is a 404."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from members import permissions
from members.services import passwords


@require_http_methods(["GET", "POST"])
def reset_code(request, user_id: int):
    person = get_object_or_404(permissions.members_visible_to(request.user), pk=user_id)
    allowed = permissions.can_issue_reset_code(request.user, person)
    context = {"person": person, "allowed": allowed, "issued": None}
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        context["issued"] = passwords.reset_code_issue(person=person, acting_user=request.user)
    response = TemplateResponse(request, "members/admin/reset_code.html", context)
    add_never_cache_headers(response)
    return response


def urlpatterns():
    return [path("<int:user_id>/", reset_code, name="issue")]
