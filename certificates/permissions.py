"""Who may see a certificate. The one home of the rule, asked by the holder's pages, the API and the
Wagtail admin alike; built on ``members.permissions`` (whose people a staff member reaches), which
cannot ask about certificates itself: ``members`` never imports ``certificates``.

- an administrator (superuser) and a provincial trainer see every certificate, stubs whose holder's
  data was deleted included;
- a commune officer sees the certificates of the people their territory reaches, and their own;
- everyone else (a group leader too: leaders follow progress, but do not open certificates) sees
  their own.
"""

from django.db.models import QuerySet

from certificates.models import Certificate
from members import permissions
from members.models import User


def certificates_visible_to(user: User) -> QuerySet[Certificate]:
    scope = permissions.scope_of(user)
    if scope.user_id is None:
        return Certificate.objects.none()
    if scope.province:
        return Certificate.objects.all()
    if scope.is_staff:
        # members_visible_to reaches the staff member themselves too.
        return Certificate.objects.filter(holder__in=permissions.members_visible_to(user))
    return Certificate.objects.filter(holder_id=scope.user_id)


def can_view_certificate(user: User, certificate: Certificate) -> bool:
    return certificates_visible_to(user).filter(pk=certificate.pk).exists()
