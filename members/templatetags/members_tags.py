from django import template

from members import selectors

register = template.Library()


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
