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


@register.inclusion_tag("certificates/my_certificates.html", takes_context=True)
def my_certificates_section(context):
    """ "My certificates" on "Học của tôi": each with its downloads, its check code and share link,
    and, for one signed again with a new key, a prompt to download and print it again."""
    certificates = my_certificates(context)
    return {
        "certificates": certificates,
        "reissued": [c for c in certificates if c.is_valid and c.awaits_download],
    }
