"""Reads for "Dữ liệu của tôi": what HọcSố holds about the signed-in person, joined for one page.

The complete record is the JSON download (``members.personal_data.export_person``); this page shows
the same data the way a person reads it, in a fixed number of queries.
"""

import datetime
from dataclasses import dataclass

from knox.models import AuthToken

from members import consent
from members.models import Membership, StaffScope, User


@dataclass(frozen=True)
class ConsentRecord:
    given_at: datetime.datetime | None
    text: consent.ConsentText | None  # None when recorded before wordings were kept
    witness: User | None  # who recorded it for the person (a leader, an officer), if someone did


@dataclass
class MyData:
    person: User
    consent: ConsentRecord
    memberships: list[Membership]
    staff_roles: list[StaffScope]
    app_sign_ins: list[AuthToken]


def consent_record(person: User) -> ConsentRecord:
    text = consent.text_for(person.consent_version)
    return ConsentRecord(person.consent_at, text, person.consent_recorded_by)


def my_data(person: User) -> MyData:
    return MyData(
        person=person,
        consent=consent_record(person),
        memberships=list(
            Membership.objects.filter(user=person)
            .select_related("group__commune", "group__village")
            .order_by("left_on", "group__name")
        ),
        staff_roles=list(StaffScope.objects.filter(user=person).select_related("commune")),
        app_sign_ins=list(AuthToken.objects.filter(user=person).order_by("-created")),
    )
