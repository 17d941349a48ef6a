from django import template
from django.urls import translate_url

from members import selectors

register = template.Library()

LANGUAGE_SWITCH = [("vi", "Tiếng Việt"), ("en", "English")]


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


@register.simple_tag(takes_context=True)
def language_links(context):
    """``{% language_links as links %}``: for visitors who are not signed in, the language switch as
    links, [(code, name, address of this page in that language)]: the address Django's
    ``set_language`` would redirect to (``translate_url``), without the form. A form would need a
    CSRF token, and so a cookie and ``Vary: Cookie`` on every page a visitor reads, which then no
    shared cache could keep (courses.serving). Their language is the address's anyway
    (i18n_patterns); signed-in people keep the form, which remembers their choice in a cookie."""
    path = context["request"].get_full_path()
    return [(code, name, translate_url(path, code)) for code, name in LANGUAGE_SWITCH]
