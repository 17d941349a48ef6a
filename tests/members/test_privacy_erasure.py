"""Erasing a person leaves nothing personal anywhere, keeps the statistics, and leaves certificate
stubs that verify as "no longer valid: the holder's data was deleted".

The no-trace test gives a person with a unique name, number, e-mail and year of birth a row in every
part of the registry (groups with a leader role, attendance both ways, quiz answers, awards, a
certificate with its PDF rendered into storage, audit events, import files, tokens, a signed-in
session…), has them withdraw their consent, then searches every table of the database (every text,
JSON and binary column; the number in every spelling), every file in storage, the search index and
the cache, and finds none of those values.
"""

import contextlib
import datetime
import json
import pickle
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken

from attendance.models import AttendanceMark
from certificates import verification
from certificates.models import Certificate
from learning.models import QuizAttempt
from members.models import AuditEvent, Membership, User
from members.personal_data import ERASED, iter_texts
from members.services.privacy import ErasureReason, person_erase, remaining_rows, tombstone_phone
from stats import models as rollups
from stats import services as stats
from tests.factories import PASSWORD, Unique, UserFactory, person_with_everything

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(isolated_media):
    pass


def make_person(world, capture):
    with capture(execute=True):  # the certificate's PDF is rendered after commit
        return person_with_everything(world, Unique())


# Looking for a person's values -------------------------------------------------------------------


class Needles:
    def __init__(self, unique: Unique):
        national = unique.phone[3:]
        groups = [national[:3], national[3:6], national[6:]]
        # The number with or without +84/84/0, written together or with spaces, dots or dashes.
        self.phone = re.compile(r"(?<!\d)(?:\+?84|0)?[\s.\-]?" + r"[\s.\-]?".join(groups) + r"(?!\d)")
        self.texts = [unique.full_name.casefold(), unique.email.casefold()]
        self.year = re.compile(rf"(?<![\w]){unique.birth_year}(?![\w])")
        self.birth_year = unique.birth_year

    def found_in(self, text: str) -> str | None:
        folded = text.casefold()
        for needle in self.texts:
            if needle in folded:
                return needle
        if self.phone.search(text):
            return "phone"
        if self.year.search(text):
            return "birth year"
        return None


def _texts_of(value, *, session: bool = False) -> list[str]:
    """Every text a stored value holds: strings, JSON (decoded, so that \\u escapes do not hide a
    name), bytes (as UTF-8), session data (decoded)."""
    if value is None:
        return []
    if isinstance(value, memoryview | bytes | bytearray):
        return [bytes(value).decode("utf-8", errors="ignore")]
    if isinstance(value, dict | list):
        return list(iter_texts(value))
    if not isinstance(value, str):
        return []
    texts = [value]
    if value[:1] in "{[":
        with contextlib.suppress(ValueError):
            texts += list(iter_texts(json.loads(value)))
    if session:
        decoded = SessionStore().decode(value)
        if decoded:
            texts += list(iter_texts(decoded))
    return texts


def database_hits(needles: Needles) -> list[str]:
    """Every table, read raw (so that tables without a model, like the search index's full-text
    tables, are read too)."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, int) and "year" in column and value == needles.birth_year:
                        hits.append(f"{table}.{column}: birth year")
                    for text in _texts_of(value, session=column == "session_data"):
                        if found := needles.found_in(text):
                            hits.append(f"{table}.{column}: {found}")
    return hits


def storage_roots() -> set[Path]:
    roots = {Path(settings.MEDIA_ROOT), Path(Certificate._meta.get_field("pdf").storage.location)}
    for alias in settings.STORAGES:
        if alias != "staticfiles" and hasattr(storages[alias], "location"):
            roots.add(Path(storages[alias].location))
    return roots


def file_hits(needles: Needles) -> list[str]:
    from pypdf import PdfReader

    hits = []
    for root in storage_roots():
        for path in (p for p in root.rglob("*") if p.is_file()):
            texts = [path.name, path.read_bytes().decode("utf-8", errors="ignore")]
            if path.suffix == ".pdf":
                texts += [page.extract_text() for page in PdfReader(path).pages]
            hits += [f"{path}: {found}" for text in texts if (found := needles.found_in(text))]
    return hits


def cache_hits(needles: Needles) -> list[str]:
    hits = []
    store = getattr(cache, "_cache", None)
    assert store is not None, "the tests use the local-memory cache, whose entries can be read"
    for key, raw in list(store.items()):
        value = pickle.loads(raw)  # noqa: S301 - our own cache, in a test
        for text in (key, repr(value), *iter_texts(value if isinstance(value, dict | list) else [])):
            if found := needles.found_in(text):
                hits.append(f"cache {key}: {found}")
    return hits


# The no-trace test -------------------------------------------------------------------------------


def test_after_withdrawing_consent_no_personal_value_survives_anywhere(
    client, world, django_capture_on_commit_callbacks
):
    unique = Unique()
    needles = Needles(unique)
    person = make_person(world, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(holder=person)
    pdf = Path(certificate.pdf.path)
    assert pdf.exists() and certificate.is_valid
    assert client.post("/dang-nhap/", {"username": "0355 112 233", "password": PASSWORD}).status_code == 302
    assert client.get("/du-lieu-cua-toi/").status_code == 200
    # Before: the values are found, so the search can find them (the cache, through a probe).
    assert database_hits(needles) and file_hits(needles)
    cache.set("probe", {"who": unique.full_name})
    assert cache_hits(needles) and all(hit.startswith("cache :1:probe:") for hit in cache_hits(needles))
    cache.delete("probe")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/du-lieu-cua-toi/xoa/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 200 and "Dữ liệu của bạn đã được xóa" in response.content.decode()

    assert database_hits(needles) == []
    assert file_hits(needles) == []
    assert cache_hits(needles) == []
    assert not pdf.exists()


def test_what_stays_is_the_tombstone_and_its_anonymous_rows(
    client, world, django_capture_on_commit_callbacks
):
    person = make_person(world, django_capture_on_commit_callbacks)
    kept_marks = AttendanceMark.objects.filter(member=person).count()
    with django_capture_on_commit_callbacks(execute=True):
        erasure = person_erase(person=person, acting_user=person, reason=ErasureReason.CONSENT_WITHDRAWN)
    tombstone = User.objects.get(pk=person.pk)
    assert (
        tombstone.phone == tombstone_phone(person.pk) and tombstone.full_name == "" and tombstone.email == ""
    )
    assert tombstone.birth_year is None and not tombstone.has_usable_password() and not tombstone.is_active
    assert (
        tombstone.consent_at is None
        and tombstone.consent_recorded_by is None
        and tombstone.consent_version == ""
    )
    assert tombstone.preferred_language == "vi" and tombstone.last_login is None
    assert tombstone.date_joined == timezone.localtime(person.date_joined).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    assert tombstone.village_id == person.village_id  # the commune's numbers count residents by village
    assert not tombstone.groups.exists() and not tombstone.user_permissions.exists()
    assert str(tombstone) == "(người đã được xóa dữ liệu)"
    # Gone: what served only them. Kept: what the numbers and other people's records need.
    assert not QuizAttempt.objects.filter(user=person).exists()
    assert not AuthToken.objects.filter(user=person).exists()
    assert AttendanceMark.objects.filter(member=person).count() == kept_marks
    assert not Membership.objects.filter(user=person, role__in=Membership.LEADING_ROLES).exists()
    assert erasure.kept == remaining_rows(tombstone)
    left = dict(erasure.kept)
    print("rows left attached to the tombstone, by table:", json.dumps(left, indent=1, sort_keys=True))
    assert left["members_user"] == 1 and left["members_membership"] == 2 and left["members_enrolment"] == 1
    assert "members_quizattempt" not in left and "knox_authtoken" not in left
    assert erasure.deleted["members_quizattempt"] == 3 and erasure.deleted["django_session"] == 0


def test_the_number_is_free_again_and_the_old_password_opens_nothing(client, world):
    person = UserFactory(phone="+84355112233")
    person_erase(person=person, acting_user=person, reason=ErasureReason.CONSENT_WITHDRAWN)
    assert client.post("/dang-nhap/", {"username": "0355112233", "password": PASSWORD}).status_code == 200
    response = client.post(
        "/api/v1/auth/token/", {"phone": "0355112233", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 400
    again = UserFactory(phone="+84355112233")
    assert again.pk != person.pk


def test_the_record_says_who_erased_why_without_the_name(world):
    person = UserFactory(full_name="Đinh Văn Ghi Chú", village=world.resident_a.village)
    person_erase(
        person=person,
        acting_user=world.officer_x,
        reason=ErasureReason.REQUESTED,
        note="Ông Đinh Văn Ghi Chú gọi từ số " + person.phone_display + " xin xóa",
    )
    event = AuditEvent.objects.get(action="person.erase", target_id=str(person.pk))
    assert event.actor == world.officer_x
    assert event.changes["reason"] == [None, "requested"] and event.changes["by"] == [None, "staff"]
    assert "Đinh Văn Ghi Chú" not in event.changes["note"][1] and ERASED in event.changes["note"][1]
    assert "0" + person.phone[3:] not in json.dumps(event.changes)


def test_audit_changes_about_the_person_lose_their_values_but_others_keep_theirs(world):
    from members.services import audit_record

    person = UserFactory(full_name="Hoàng Thị Kiểm Toán", birth_year=1970, village=world.resident_a.village)
    about = audit_record(
        actor=world.admin,
        action=AuditEvent.Action.USER_VILLAGE,
        target=person,
        changes={"birth_year": [1969, 1970]},
    )
    theirs = audit_record(
        actor=person,
        action=AuditEvent.Action.USER_VILLAGE,
        target=world.resident_a2,
        changes={"birth_year": [1980, 1981]},
    )
    person_erase(person=person, acting_user=world.trainer, reason=ErasureReason.REQUESTED)
    about.refresh_from_db()
    theirs.refresh_from_db()
    assert about.changes == {"birth_year": [ERASED, ERASED]}
    assert theirs.changes == {"birth_year": [1980, 1981]}  # the other person's values are theirs


# Certificates become stubs ---------------------------------------------------------------------


def test_a_certificate_stub_verifies_as_no_longer_valid_even_with_its_genuine_qr(
    client, world, django_capture_on_commit_callbacks
):
    from certificates import payload as payloads

    person = make_person(world, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(holder=person)
    qr = payloads.qr_text("http://testserver", certificate.serial, bytes(certificate.payload))
    qr_path = qr.split("TESTSERVER", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        person_erase(person=person, acting_user=world.admin, reason=ErasureReason.REQUESTED)
    certificate.refresh_from_db()
    assert certificate.status == "erased" and certificate.holder_id == person.pk
    assert certificate.holder_name == "" and bytes(certificate.payload) == b"" and not certificate.pdf

    result = verification.verify(certificate.serial, qr)
    assert result.status == "erased" and result.claims is None
    for body in (
        client.get(f"/v/{certificate.serial}/", {"code": certificate.check_code}).content.decode(),
        client.get(qr_path).content.decode(),
    ):
        assert "Không còn hiệu lực" in body and Unique.full_name not in body and "hợp lệ" not in body
        assert "Chữ ký số trong mã QR là thật" not in body
    api = client.get("/api/v1/certificates/verify/", {"payload": qr}).json()
    assert api["status"] == "erased" and api["holder_name"] is None
    assert Unique.full_name not in json.dumps(api, ensure_ascii=False)


def test_a_stub_has_nothing_to_download_and_cannot_be_issued_again(
    client, world, django_capture_on_commit_callbacks
):
    from certificates import services as certificates

    person = make_person(world, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(holder=person)
    with django_capture_on_commit_callbacks(execute=True):
        person_erase(person=person, acting_user=world.admin, reason=ErasureReason.REQUESTED)
    client.force_login(world.trainer)
    assert client.get(f"/certificates/{certificate.serial}/pdf/").status_code == 404
    assert client.get(f"/certificates/{certificate.serial}/badge.json").status_code == 404
    assert client.get(f"/api/v1/certificates/{certificate.serial}/pdf/").status_code == 404
    assert client.get(f"/api/v1/certificates/{certificate.serial}/badge/").status_code == 404
    from courses.models import CompetencyProfile

    with pytest.raises(ValidationError):
        certificates.certificate_issue(
            holder=User.objects.get(pk=person.pk), profile=CompetencyProfile.objects.first()
        )


def test_a_revoked_certificate_stays_revoked_without_the_name(world, django_capture_on_commit_callbacks):
    from certificates import services as certificates

    person = make_person(world, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(holder=person)
    certificates.certificate_revoke(
        certificate=certificate, reason=f"Cấp nhầm: {Unique.full_name}", acting_user=world.trainer
    )
    person_erase(person=person, acting_user=world.admin, reason=ErasureReason.REQUESTED)
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and Unique.full_name not in certificate.revoked_reason
    assert verification.verify(certificate.serial, code=certificate.check_code).status == "revoked"


# The statistics keep their numbers ----------------------------------------------------------------

ROLLUPS = (
    rollups.ResidentCount,
    rollups.AttainmentCount,
    rollups.ProfileCount,
    rollups.FunnelCount,
    rollups.ActivityCount,
)


def snapshot() -> dict[str, list]:
    return {
        model.__name__: sorted(
            (
                tuple(row.values())
                for row in model.objects.values(
                    *[f.attname for f in model._meta.concrete_fields if f.name != "id"]
                )
            ),
            key=repr,
        )
        for model in ROLLUPS
    }


def test_the_statistics_give_the_same_numbers_before_and_after(world, django_capture_on_commit_callbacks):
    from courses.models import Competency
    from learning.models import CompetencyAward

    person = make_person(world, django_capture_on_commit_callbacks)
    # Awards at a month's edge in the province's time: coarsening must not move them to another month.
    edge = datetime.datetime(2026, 1, 31, 16, 50, tzinfo=datetime.UTC)  # 23:50 on 31 January in Cao Bằng
    CompetencyAward.objects.create(
        user=person,
        competency=Competency.objects.get(code="2.1"),
        level=2,
        evidence="attestation",
        awarded_at=edge,
    )
    User.objects.filter(pk=person.pk).update(date_joined=edge)
    stats.refresh_all()
    before = snapshot()
    assert sum(len(rows) for rows in before.values()) > 10

    with django_capture_on_commit_callbacks(execute=True):
        person_erase(person=person, acting_user=world.admin, reason=ErasureReason.REQUESTED)
    stats.refresh_all()
    assert snapshot() == before


def test_a_leader_erased_frees_the_groups_leadership(world):
    from members import services

    person = UserFactory(village=world.resident_a.village)
    group = Membership.objects.get(user=world.leader_b, role="leader").group
    Membership.objects.filter(user=world.leader_b).update(role="member")
    services.membership_add(group=group, user=person, role="leader", acting_user=world.trainer)
    person_erase(person=person, acting_user=person, reason=ErasureReason.CONSENT_WITHDRAWN)
    assert Membership.objects.get(user=person, group=group).role == "member"
    # The group can choose a leader again (one active leader per group is a database constraint).
    services.membership_change_role(
        membership=Membership.objects.get(user=world.leader_b, group=group),
        role="leader",
        acting_user=world.trainer,
    )
    assert list(group.memberships.active().filter(role="leader").values_list("user", flat=True)) == [
        world.leader_b.pk
    ]


# Who may erase whom -----------------------------------------------------------------------------


def test_who_may_erase_whom(world):
    from members import permissions

    resident_x, resident_y = world.resident_a, world.resident_c
    assert permissions.can_erase_person(world.officer_x, resident_x)
    assert permissions.can_erase_person(world.officer_x, world.leader_a)  # a leader is a resident too
    assert not permissions.can_erase_person(world.officer_x, resident_y)  # another commune
    assert not permissions.can_erase_person(world.leader_a, resident_x)  # leaders never
    assert not permissions.can_erase_person(world.resident_a2, resident_x)
    assert permissions.can_erase_person(world.trainer, resident_y)
    assert not permissions.can_erase_person(world.trainer, world.officer_x)  # staff: administrators only
    assert permissions.can_erase_person(world.admin, world.officer_x)
    assert not permissions.can_erase_person(world.admin, world.admin)  # themselves: "Dữ liệu của tôi"
    # A resident of commune X who edits pages (a Wagtail group, no staff territory) has admin access:
    # only an administrator erases them.
    from django.contrib.auth.models import Group

    world.resident_a2.groups.add(Group.objects.get_or_create(name="Editors")[0])
    assert not permissions.can_erase_person(world.officer_x, world.resident_a2)
    assert permissions.can_erase_person(world.admin, world.resident_a2)
    with pytest.raises(PermissionDenied):
        person_erase(person=resident_x, acting_user=world.leader_a, reason=ErasureReason.REQUESTED)
    assert User.objects.get(pk=resident_x.pk).erased_at is None


def test_the_last_administrator_cannot_erase_themselves(world):
    User.objects.filter(is_superuser=True).exclude(pk=world.admin.pk).update(is_superuser=False)
    with pytest.raises(ValidationError):
        person_erase(person=world.admin, acting_user=world.admin, reason=ErasureReason.CONSENT_WITHDRAWN)


def test_erasing_twice_is_refused(world):
    person_erase(person=world.loner, acting_user=world.loner, reason=ErasureReason.CONSENT_WITHDRAWN)
    with pytest.raises(ValidationError):
        person_erase(person=world.loner, acting_user=world.admin, reason=ErasureReason.REQUESTED)


def test_every_browser_and_app_of_the_person_is_signed_out(world, client):
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.contrib.sessions.models import Session
    from django.test import Client

    person = world.resident_a2
    other_browser = Client()
    other_browser.force_login(person)
    key = other_browser.session.session_key
    assert cache.get(KEY_PREFIX + key) is not None and Session.objects.filter(session_key=key).exists()
    token = AuthToken.objects.create(user=person)[1]
    client.force_login(person)

    client.post("/du-lieu-cua-toi/xoa/", {"password": PASSWORD, "confirm": "on"})
    assert not Session.objects.filter(session_key=key).exists() and cache.get(KEY_PREFIX + key) is None
    assert other_browser.get("/du-lieu-cua-toi/").status_code == 302  # to the sign-in page
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
