"""How often one may ask HọcSố whether a mobile number has an account, and type invitation codes.

A lookup by number tells whether someone has an account, so it is counted: per person for those who
are signed in (leaders and staff adding someone to a group: ``services.number_lookup`` also audits
each one), per client address for the public sign-up form. The limits are far above what adding a
village's worth of neighbours takes, and far below what going through a list of numbers would.
Counting goes through the shared limiter (``members.throttling``), so it holds across app processes;
the rates are the settings' ``RATE_LIMITS``.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from members import throttling


@dataclass(frozen=True)
class Limit:
    scope: str  # of RATE_LIMITS
    message: Promise  # for the person refused, in their language

    def retry_after(self) -> int:
        """Seconds until the current window ends (the limiter counts in fixed windows)."""
        return throttling.retry_after(self.scope)


WAIT_AN_HOUR = _("You have checked many mobile numbers in a short time. Please wait an hour, then try again.")
WAIT_MINUTES = _("Many mobile numbers were checked from here in a short time. Please wait a few minutes.")
WAIT_TOMORROW = _("Too many mobile numbers were checked from here today. Please try again tomorrow.")

# Leaders and staff adding people to a group (an hour's worth).
SIGNED_IN = Limit("number_lookup", WAIT_AN_HOUR)
# The public sign-up form, per address. Carriers put a whole commune behind one address, so this is
# generous per ten minutes, with a ceiling per day.
ADDRESS = Limit("number_lookup_address", WAIT_MINUTES)
ADDRESS_DAILY = Limit("number_lookup_address_day", WAIT_TOMORROW)
# Invitation codes typed, per person (each invitation also stops after a few wrong codes).
CODES = Limit(
    "invitation_code",
    _("You have typed many codes in a short time. Please wait ten minutes, then try again."),
)


def _refused(limits: list[Limit], ident: str) -> Limit | None:
    refused = None
    for limit in limits:
        if not throttling.hit(limit.scope, ident) and refused is None:
            refused = limit
    return refused


def number_lookup_refused(request) -> Limit | None:
    """Count one lookup by number; the limit it went over, if any."""
    if request.user.is_authenticated:
        return _refused([SIGNED_IN], f"user:{request.user.pk}")
    return _refused([ADDRESS, ADDRESS_DAILY], throttling.client_address(request))


def code_entry_refused(request) -> Limit | None:
    """Count one invitation code typed; the limit it went over, if any."""
    return _refused([CODES], f"user:{request.user.pk}")
