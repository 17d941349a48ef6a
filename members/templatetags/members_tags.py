from django import template

from courses import visibility
from members import selectors

register = template.Library()


@register.inclusion_tag("members/tags/next_step.html", takes_context=True)
def next_step(context):
    """The home page's personal panel: the next thing this person should do."""
    request = context["request"]
    return {
        "request": request,
        "user": request.user,
        "summary": selectors.home_summary_for(request.user, visibility.Viewer.of(request)),
        "catalogue": context.get("catalogue"),
    }


@register.inclusion_tag("members/tags/invitations.html", takes_context=True)
def invitation_cards(context):
    """The card "Lời mời vào tổ": invitations waiting for this person's answer, each with its code (one
    query; none for visitors who are not signed in)."""
    request = context["request"]
    user = request.user
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "invitations": selectors.invitation_cards(user) if user.is_authenticated else [],
    }
