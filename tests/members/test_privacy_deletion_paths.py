"""Every way to delete an account goes through the erasure, or is refused.

The issue: "Today an admin-deleted account's certificate still verifies as valid and shows the
name." The first tests reproduce it through the Django admin and Wagtail's Settings → Users.
"""

import pytest
from django.core.exceptions import PermissionDenied

from certificates.models import Certificate
from members.models import AuditEvent, User
from tests.factories import UserFactory, correct_answers

pytestmark = pytest.mark.django_db

NAME = "Lục Thị Bích Xoan"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def holder(world, django_capture_on_commit_callbacks):
    """A resident of group A who completed a course: their certificate is valid, with their name."""
    from learning import services
    from tests import factories

    person = UserFactory(full_name=NAME, village=world.resident_a.village)
    course = factories.course(lessons=1, title="Nhận diện lừa đảo trực tuyến")
    for lesson in course.lessons():
        services.quiz_submit(
            user=person, lesson=lesson, answers=correct_answers(lesson), submission_id=factories.uuid4()
        )
    assert Certificate.objects.get(holder=person).is_valid
    return person


def _verify_page(client, serial: str) -> str:
    code = Certificate.objects.get(serial=serial).check_code  # printed beside the serial
    return client.get(f"/v/{serial}/", {"code": code}).content.decode()


def test_a_certificate_of_an_account_deleted_in_the_django_admin_no_longer_verifies(client, holder, world):
    serial = Certificate.objects.get(holder=holder).serial
    client.force_login(world.admin)
    response = client.post(f"/django-admin/members/user/{holder.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302

    client.logout()
    body = _verify_page(client, serial)
    assert "Chứng nhận hợp lệ" not in body
    assert "Không còn hiệu lực" in body and "dữ liệu của người được cấp đã được xóa" in body
    assert NAME not in body
    code = Certificate.objects.get(serial=serial).check_code
    api = client.get("/api/v1/certificates/verify/", {"serial": serial, "code": code}).json()
    assert api["status"] == "erased" and api["holder_name"] is None
    assert NAME not in str(api)


def test_the_django_admin_delete_keeps_the_tombstone_and_records_who(client, holder, world):
    client.force_login(world.admin)
    page = client.get(f"/django-admin/members/user/{holder.pk}/delete/").content.decode()
    assert "bảng thống kê" in page  # the confirmation says what stays
    response = client.post(f"/django-admin/members/user/{holder.pk}/delete/", {"post": "yes"}, follow=True)
    assert NAME not in response.content.decode()  # the success message does not bring the name back
    tombstone = User.objects.get(pk=holder.pk)
    assert tombstone.erased_at is not None and tombstone.full_name == ""
    event = AuditEvent.objects.get(action="person.erase", target_id=str(holder.pk))
    assert event.actor == world.admin and event.changes["reason"] == [None, "account_deleted"]
    # Django's own record of the deletion, written with the person's name before the erasure ran.
    from django.contrib.admin.models import LogEntry

    deletion = LogEntry.objects.get(object_id=str(holder.pk), action_flag=3)
    assert NAME not in deletion.object_repr


def test_the_django_admin_bulk_delete_erases_each(client, holder, world):
    other = UserFactory(village=world.resident_a.village)
    client.force_login(world.admin)
    client.post(
        "/django-admin/members/user/",
        {"action": "delete_selected", "_selected_action": [holder.pk, other.pk], "post": "yes"},
    )
    assert User.objects.filter(pk__in=[holder.pk, other.pk], erased_at__isnull=False).count() == 2


def test_wagtails_user_delete_never_deletes_the_row(client, holder, world):
    serial = Certificate.objects.get(holder=holder).serial
    client.force_login(world.admin)
    response = client.post(f"/admin/users/delete/{holder.pk}/")
    assert User.objects.filter(pk=holder.pk).exists(), "the account was deleted outright"
    assert response.status_code == 302 and response["Location"] == f"/admin/xoa-du-lieu/{holder.pk}/"
    assert "Chứng nhận hợp lệ" in _verify_page(client, serial)  # nothing happened yet


def test_wagtails_user_delete_opens_the_erasure_form(client, holder, world):
    client.force_login(world.admin)
    response = client.get(f"/admin/users/delete/{holder.pk}/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/admin/xoa-du-lieu/{holder.pk}/"
    assert NAME in response.content.decode()


def test_wagtails_bulk_delete_of_users_erases_each(client, holder, world):
    other = UserFactory(village=world.resident_a.village)
    client.force_login(world.admin)
    url = f"/admin/bulk/members/user/delete/?next=/admin/users/&id={holder.pk}&id={other.pk}"
    response = client.post(url)
    assert response.status_code == 302
    assert User.objects.filter(pk__in=[holder.pk, other.pk], erased_at__isnull=False).count() == 2
    assert "Chứng nhận hợp lệ" not in _verify_page(client, Certificate.objects.get(holder=holder).serial)


def test_deleting_a_person_in_code_is_refused(holder):
    with pytest.raises(PermissionDenied):
        holder.delete()
    with pytest.raises(PermissionDenied):
        User.objects.filter(pk=holder.pk).delete()
    assert User.objects.filter(pk=holder.pk, erased_at__isnull=True).exists()
