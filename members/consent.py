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
    text: Promise  # the words shown, as shown (the form's label, or the import column's rule)
    # What the person agreed to, told to them on "Dữ liệu của tôi": the words they saw, or, when
    # someone recorded it for them, the same promise in plain words (not the leader's or the
    # spreadsheet's wording).
    agreed: Promise | None = None

    @property
    def for_the_person(self) -> Promise:
        return self.agreed or self.text


# What a leader or an officer asks a person to agree to, said to that person.
RECORDED_FOR_YOU = _(
    "HọcSố keeps your name, mobile number, village and learning progress, to follow your learning and "
    "issue your certificates. You can see or delete them at any time."
)


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
    RECORDED_FOR_YOU,
)
IMPORTED = ConsentText(
    "import-2025-1",
    True,
    _(
        "Required: Có only if the person agreed that HọcSố keeps their name, mobile number, village "
        "and learning progress. Rows without consent are refused."
    ),
    RECORDED_FOR_YOU,
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
