"""Who authors content: the people the admin's choosers show pages, pictures and documents to, and
who may fetch a document no visible page uses yet (a draft's). Trainers and administrators, as
Wagtail's permission policies have it; commune officers and leaders author nothing.

Here, not in members/permissions.py, because courses.visibility asks it and courses never imports
members; the admin's choosers (courses/wagtail_hooks.py, courses/chooser_admin_views.py) ask it too."""

from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import policy_registry

# Any one of these, held anywhere (on a page of the tree, in a collection), makes an author.
AUTHORING_ACTIONS = {"page": ("add", "change", "publish"), "media": ("add", "change", "choose")}


def is_author(user, model: type) -> bool:
    """Does ``user`` author content of the kind ``model`` (a page type, pictures, documents)?"""
    if issubclass(model, Page):
        return PagePermissionPolicy().user_has_any_permission(user, AUTHORING_ACTIONS["page"])
    return policy_registry.get_by_type(model).user_has_any_permission(user, AUTHORING_ACTIONS["media"])
