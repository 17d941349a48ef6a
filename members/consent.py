"""What people agreed to when HọcSố started keeping their data, by version.

Law 91/2025/QH15 asks for consent that can be shown later: not only that someone agreed, but to
what. Each wording a person can be shown gets a version here and is never edited once in use: a new
wording is a new version, so that a person's "Dữ liệu của tôi" page still shows the words they saw.
The sign-up forms take their consent labels from here, so the form and the record cannot drift.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ConsentText:
    version: str
    witnessed: bool  # someone else (a leader, an officer) recorded it for the person
    text: Promise  # the words shown, as shown (the form's label)


SIGNUP = ConsentText(
    "signup-2025-1",
    False,
    _(
        "I agree that HọcSố keeps my name, mobile number, village and learning progress to follow my "
        "learning and issue my certificates. I can ask to see or delete them at any time."
    ),
)
ASSISTED = ConsentText(
    "assisted-2025-1",
    True,
    _(
        "I explained to this person what HọcSố keeps (name, mobile number, village, learning progress) "
        "and why, and they agreed."
    ),
)
IMPORTED = ConsentText(
    "import-2025-1",
    True,
    _(
        "Required: Có only if the person agreed that HọcSố keeps their name, mobile number, village "
        "and learning progress. Rows without consent are refused."
    ),
)
ADMINISTRATOR = ConsentText(
    "admin-2025-1",
    False,
    _("An administrator's account, created by that administrator on the server."),
)

TEXTS = {text.version: text for text in (SIGNUP, ASSISTED, IMPORTED, ADMINISTRATOR)}


def text_for(version: str) -> ConsentText | None:
    """The wording of a version, or None for consent recorded before HọcSố kept versions."""
    return TEXTS.get(version)
