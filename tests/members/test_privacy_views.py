"""“Dữ liệu của tôi”: the page, the JSON download, withdrawing consent; and the staff's erase view."""

import json

import pytest

from learning import services as learning_services
from learning.models import Enrolment
from members import services
from members.models import AuditEvent, User
from tests import factories
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_window(monkeypatch):
    """The limits count in fixed windows of time: keep the test inside one."""
    from types import SimpleNamespace

    from members import throttling

    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))


@pytest.fixture
def neighbour(world):
    """Signed up by group A's leader, who witnessed their consent."""
    return services.user_create(
        phone="0977 123 456",
        full_name="Bế Thị Láng Giềng",
        password=PASSWORD,
        consent=True,
        village=world.group_a.village,
        birth_year=1962,
        acting_user=world.leader_a,
    )


def test_the_page_needs_a_sign_in(client):
    response = client.get("/du-lieu-cua-toi/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_the_page_shows_the_consent_when_and_witnessed_by_whom(client, neighbour, world):
    client.force_login(neighbour)
    body = client.get("/du-lieu-cua-toi/").content.decode()
    assert "Bạn đã đồng ý cho HọcSố lưu dữ liệu của mình lúc" in body
    assert f"{world.leader_a.full_name} đã đăng ký giúp bạn và ghi nhận rằng bạn đồng ý." in body
    # What they agreed to, said to them (not the leader's checkbox, which the export keeps as shown).
    assert "HọcSố lưu họ tên, số điện thoại, thôn xóm và kết quả học tập của bạn" in body
    assert "Tôi đã giải thích cho người này" not in body
    assert "Bế Thị Láng Giềng" in body and "0977 123 456" in body and "1962" in body


def test_someone_who_signed_up_alone_sees_the_words_they_agreed_to(client, world):
    person = services.user_create(
        phone="0977 123 457", full_name="Lý Văn Tự", password=PASSWORD, consent=True
    )
    assert person.consent_version == "signup-2025-1"
    client.force_login(person)
    body = client.get("/du-lieu-cua-toi/").content.decode()
    assert "Bạn tự đồng ý khi tạo tài khoản." in body
    assert "Tôi đồng ý để HọcSố lưu họ tên, số điện thoại, thôn xóm và kết quả học tập" in body


def test_the_page_is_linked_from_every_page_and_my_learning(client, world):
    """From "Học của tôi" and from the foot of every page (the header stays short on a 360 px phone)."""
    client.force_login(world.resident_a)
    body = client.get("/hoc-cua-toi/").content.decode()
    assert body.count('href="/du-lieu-cua-toi/"') == 2


def test_the_page_costs_the_same_queries_however_much_the_person_did(
    client, world, django_assert_max_num_queries
):
    person = world.resident_a
    client.force_login(person)
    with django_assert_max_num_queries(25) as few:
        client.get("/du-lieu-cua-toi/")
    for _ in range(3):
        course = factories.course(lessons=2)
        for lesson in course.lessons():
            learning_services.quiz_submit(
                user=person,
                lesson=lesson,
                answers=factories.correct_answers(lesson),
                submission_id=factories.uuid4(),
            )
    assert Enrolment.objects.filter(user=person).count() == 3
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/du-lieu-cua-toi/")
    assert response.status_code == 200


def test_the_download_is_everything_as_json_and_recorded(client, neighbour):
    client.force_login(neighbour)
    response = client.get("/du-lieu-cua-toi/tai-ve.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="hocso-du-lieu-cua-toi-')
    data = json.loads(response.content)
    assert data["format"] == "hocso-personal-data/1" and data["person"] == neighbour.pk
    assert data["profile"]["full_name"] == "Bế Thị Láng Giềng" and data["profile"]["birth_year"] == 1962
    assert "password" not in data["profile"] and "members.User.password" in data["not_exported"]
    assert "Bế Thị Láng Giềng" in response.content.decode()  # readable, not \\u escapes
    assert AuditEvent.objects.filter(action="personal_data.export", actor=neighbour).exists()


def test_the_withdrawal_page_says_plainly_what_goes_and_what_stays(client, neighbour):
    client.force_login(neighbour)
    body = client.get("/du-lieu-cua-toi/xoa/").content.decode()
    assert "Những gì bị xóa" in body and "Những gì còn lại, không kèm tên" in body
    assert "không còn hiệu lực" in body and "bảng thống kê" in body
    assert 'autocomplete="current-password"' in body


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"password": "sai-mat-khau", "confirm": "on"}, "Mật khẩu không đúng."),
        ({"password": PASSWORD}, "Hãy đánh dấu ô này để xác nhận."),
    ],
)
def test_a_wrong_password_or_no_confirmation_deletes_nothing(client, neighbour, data, error):
    client.force_login(neighbour)
    response = client.post("/du-lieu-cua-toi/xoa/", data)
    assert response.status_code == 400 and error in response.content.decode()
    assert User.objects.get(pk=neighbour.pk).erased_at is None


def test_guessing_the_password_is_stopped(client, neighbour, one_window):
    client.force_login(neighbour)
    for _ in range(5):
        client.post("/du-lieu-cua-toi/xoa/", {"password": "doan-bua", "confirm": "on"})
    response = client.post("/du-lieu-cua-toi/xoa/", {"password": PASSWORD, "confirm": "on"})
    assert "Nhập sai mật khẩu quá nhiều lần" in response.content.decode()
    assert User.objects.get(pk=neighbour.pk).erased_at is None


def test_withdrawing_consent_erases_signs_out_and_records_it(client, neighbour):
    client.force_login(neighbour)
    response = client.post("/du-lieu-cua-toi/xoa/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 200 and "Dữ liệu của bạn đã được xóa" in response.content.decode()
    assert User.objects.get(pk=neighbour.pk).erased_at is not None
    assert client.get("/du-lieu-cua-toi/").status_code == 302
    withdraw = AuditEvent.objects.get(action="consent.withdraw", target_id=str(neighbour.pk))
    assert withdraw.changes == {"consent_version": ["assisted-2025-1", None]}
    erase = AuditEvent.objects.get(action="person.erase", target_id=str(neighbour.pk))
    assert erase.actor is None and erase.changes["by"] == [None, "self"]


# The staff's erase view in the admin -----------------------------------------------------------


def _erase_url(person) -> str:
    return f"/admin/xoa-du-lieu/{person.pk}/"


def test_an_officer_finds_the_erasure_on_the_persons_page_and_erases(client, world):
    client.force_login(world.officer_x)
    page = client.get(f"/admin/people/inspect/{world.resident_a.pk}/").content.decode()
    assert _erase_url(world.resident_a) in page
    form = client.get(_erase_url(world.resident_a)).content.decode()
    assert world.resident_a.full_name in form and "Những gì còn lại, không kèm tên" in form
    response = client.post(
        _erase_url(world.resident_a), {"reason": "requested", "note": "Qua điện thoại", "confirm": "on"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/people/"
    assert User.objects.get(pk=world.resident_a.pk).erased_at is not None
    event = AuditEvent.objects.get(action="person.erase", target_id=str(world.resident_a.pk))
    assert event.actor == world.officer_x and event.changes["note"] == [None, "Qua điện thoại"]


def test_without_confirmation_nothing_is_erased(client, world):
    client.force_login(world.officer_x)
    response = client.post(_erase_url(world.resident_a), {"reason": "requested"})
    assert response.status_code == 200 and User.objects.get(pk=world.resident_a.pk).erased_at is None


@pytest.mark.parametrize(
    ("persona", "target", "status"),
    [
        ("officer_y", "resident_a", 404),  # another commune: the person does not exist for them
        ("officer_x", "officer_y", 404),
        ("trainer", "officer_x", 302),  # staff accounts: administrators only (Wagtail: back to /admin/)
        ("leader_a", "resident_a", 302),  # leaders have no admin: to the admin's sign-in
        ("resident_a2", "resident_a", 302),
    ],
)
def test_the_erase_view_refuses_who_may_not(client, world, persona, target, status):
    client.force_login(getattr(world, persona))
    person = getattr(world, target)
    response = client.post(_erase_url(person), {"reason": "requested", "confirm": "on"})
    assert response.status_code == status
    assert User.objects.get(pk=person.pk).erased_at is None


def test_the_persons_page_offers_no_erasure_to_who_may_not(client, world):
    client.force_login(world.trainer)
    page = client.get(f"/admin/people/inspect/{world.officer_x.pk}/").content.decode()
    assert _erase_url(world.officer_x) not in page


def test_an_erased_person_cannot_be_erased_again_from_the_admin(client, world):
    from members.services.privacy import ErasureReason, person_erase

    person_erase(person=world.loner, acting_user=world.admin, reason=ErasureReason.REQUESTED)
    client.force_login(world.admin)
    assert client.get(_erase_url(world.loner)).status_code == 404


def test_a_person_added_later_is_someone_the_officer_can_erase(client, world):
    late = UserFactory(village=world.group_b.village)
    client.force_login(world.officer_x)
    assert client.get(_erase_url(late)).status_code == 200


def test_a_leader_sees_an_erased_member_as_such_on_the_roster(client, world):
    from members.services.privacy import ErasureReason, person_erase

    person_erase(person=world.resident_a2, acting_user=world.officer_x, reason=ErasureReason.REQUESTED)
    client.force_login(world.leader_a)
    page = client.get(f"/to/{world.group_a.code}/").content.decode()
    assert "(người đã được xóa dữ liệu)" in page and world.resident_a.full_name in page
    summary = client.get(f"/to/{world.group_a.code}/diem-danh/").content.decode()
    assert "(người đã được xóa dữ liệu)" in summary


def test_downloading_again_and_again_is_slowed_down(client, world, one_window):
    client.force_login(world.resident_a)
    for _ in range(5):
        assert client.get("/du-lieu-cua-toi/tai-ve.json").status_code == 200
    response = client.get("/du-lieu-cua-toi/tai-ve.json")
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "Vui lòng chờ một phút" in response.content.decode()
    api = client.get("/api/v1/me/data/")
    assert api.status_code == 429 and api.json()["error"]["code"] == "throttled"
