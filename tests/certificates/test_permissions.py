"""Who may see a certificate: the rule itself (certificates.permissions), for every persona. The
holder's pages, the API and the admin ask it; their own tests check that they do."""

import pytest
from django.contrib.auth.models import AnonymousUser

from certificates.models import Certificate
from certificates.permissions import can_view_certificate, certificates_visible_to
from tests import factories

pytestmark = pytest.mark.django_db

HOLDERS = ("resident_a", "resident_b", "resident_c", "leader_a", "loner", "officer_x")
EVERYONE = {*HOLDERS, "stub"}

# Each persona's certificates, by holder; "stub": a certificate whose holder's data was deleted.
EXPECTED = {
    "anonymous": set(),
    "resident": {"resident_a"},
    # Leaders follow their members' progress, but do not open their certificates.
    "leader_a": {"leader_a"},
    "leader_b": set(),
    # An officer: the people their commune reaches (by group or by village), and themselves.
    "officer_x": {"resident_a", "resident_b", "leader_a", "loner", "officer_x"},
    "officer_y": {"resident_c"},
    "trainer": EVERYONE,
    "admin": EVERYONE,
}


@pytest.fixture
def certificates(world) -> dict[str, Certificate]:
    course = factories.course(lessons=1, questions=0)

    def certificate(serial: int, holder, **fields) -> Certificate:
        return Certificate.objects.create(
            serial=f"CB-2026-{serial:06d}",
            holder=holder,
            holder_name=holder.full_name.upper() if holder else "",
            course=course,
            achievement_code=course.code,
            achievement_title=course.title,
            issuer_name="Sở Khoa học và Công nghệ tỉnh Cao Bằng",
            key_id="test2026",
            payload=b"-",
            **fields,
        )

    made = {name: certificate(i, getattr(world, name)) for i, name in enumerate(HOLDERS, start=1)}
    made["stub"] = certificate(99, None, status=Certificate.Status.HOLDER_ERASED)
    return made


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_persona_sees_the_certificates_the_rule_gives_them(world, certificates, persona):
    user = world.personas()[persona] or AnonymousUser()
    name_of = {certificate.pk: name for name, certificate in certificates.items()}
    visible = {name_of[pk] for pk in certificates_visible_to(user).values_list("pk", flat=True)}
    assert visible == EXPECTED[persona]


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_the_object_check_agrees_with_the_list(world, certificates, persona):
    user = world.personas()[persona] or AnonymousUser()
    for name, certificate in certificates.items():
        assert can_view_certificate(user, certificate) == (name in EXPECTED[persona]), name


def test_a_switched_off_account_sees_none_not_even_its_own(world, certificates):
    world.resident_a.is_active = False
    world.resident_a.save(update_fields=["is_active"])
    assert not certificates_visible_to(world.resident_a).exists()
    assert not can_view_certificate(world.resident_a, certificates["resident_a"])
