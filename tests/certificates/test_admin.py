import pytest

from certificates.models import Certificate
from members.models import AuditEvent
from tests import factories
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_trainer_issues_to_the_eligible_members_of_a_group(client, world, completed, monkeypatch):
    from learning import extensions

    monkeypatch.setattr(extensions, "_course_completed", [])  # completions before automatic issuance
    course = factories.course(lessons=1)
    done = UserFactory(village=world.group_a.village)
    MembershipFactory(user=done, group=world.group_a)
    completed(done, course)
    assert not Certificate.objects.exists()
    client.force_login(world.trainer)
    response = client.post(
        "/admin/certificate/issue/",
        {"achievement": f"course:{course.pk}", "target": "group", "group": world.group_a.pk},
    )
    assert response.status_code == 302
    assert list(Certificate.objects.values_list("holder", flat=True)) == [done.pk]
    assert Certificate.objects.get().issued_by == world.trainer
    client.post(
        "/admin/certificate/issue/",
        {"achievement": f"course:{course.pk}", "target": "group", "group": world.group_a.pk},
    )
    assert Certificate.objects.count() == 1


def test_a_trainer_revokes_with_a_reason(client, world, completed):
    user, _course = completed()
    certificate = Certificate.objects.get(holder=user)
    client.force_login(world.trainer)
    page = client.post(f"/admin/certificate/{certificate.pk}/revoke/", {"reason": "  "})
    assert page.status_code == 200 and Certificate.objects.get().is_valid
    response = client.post(f"/admin/certificate/{certificate.pk}/revoke/", {"reason": "Làm bài hộ"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoked_reason == "Làm bài hộ"
    assert AuditEvent.objects.filter(action="certificate.revoke", actor=world.trainer).exists()


def test_officers_see_their_commune_certificates_and_cannot_issue_or_revoke(client, world, completed):
    in_x, _ = completed(UserFactory(village=world.resident_a.village))
    in_y, _ = completed(UserFactory(village=world.resident_c.village))
    client.force_login(world.officer_x)
    body = client.get("/admin/certificate/").content.decode()
    serial_x = Certificate.objects.get(holder=in_x).serial
    serial_y = Certificate.objects.get(holder=in_y).serial
    assert serial_x in body and serial_y not in body
    certificate_y = Certificate.objects.get(holder=in_y)
    assert client.get(f"/admin/certificate/inspect/{certificate_y.pk}/").status_code == 404
    # Wagtail answers a refused admin action with a redirect to the dashboard and a message.
    assert client.get("/admin/certificate/issue/").status_code in {302, 403}
    assert client.post(f"/admin/certificate/{certificate_y.pk}/revoke/", {"reason": "x"}).status_code in {
        302,
        403,
    }
    certificate_x = Certificate.objects.get(holder=in_x)
    client.post(f"/admin/certificate/{certificate_x.pk}/revoke/", {"reason": "x"})
    assert Certificate.objects.filter(status="revoked").count() == 0


def test_residents_have_no_certificate_admin(client, world):
    client.force_login(world.resident_a)
    assert client.get("/admin/certificate/").status_code == 302


def test_staff_see_the_check_code_to_read_out_and_a_verify_link_that_works(client, world, completed):
    user, _course = completed(UserFactory(village=world.resident_a.village))
    certificate = Certificate.objects.get(holder=user)
    client.force_login(world.officer_x)
    body = client.get(f"/admin/certificate/inspect/{certificate.pk}/").content.decode()
    link = f"/v/{certificate.serial}/?code={certificate.check_code}"
    assert certificate.check_code in body and link in body
    assert "Chứng nhận hợp lệ" in client.get(link).content.decode()
