from django import template

from certificates.models import Certificate

register = template.Library()


@register.simple_tag(takes_context=True)
def my_certificates(context):
    """The signed-in person's certificates, newest first (one query)."""
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return list(Certificate.objects.filter(holder=user).order_by("-issued_at"))
