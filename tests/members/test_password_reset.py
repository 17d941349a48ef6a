"""A way back from a forgotten password: reset codes given by someone who knows the person (or texted
to the number), redeemed at /quen-mat-khau/; staff with e-mail reset by e-mail."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings as project_settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from members import permissions, sms
from members.models import AuditEvent, Membership, PasswordResetCode, StaffScope
from members.services import passwords, staff_scope_grant
from tests.factories import PASSWORD, MembershipFactory, UserFactory, officer_of

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "bau-troi-xanh-2026"


@pytest.fixture(autouse=True)
def _outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def redeem(client, phone, code, password=NEW_PASSWORD, again=None, **extra):
    return client.post(
        "/quen-mat-khau/",
        {
            "action": "redeem",
            "phone": phone,
            "code": code,
            "new_password": password,
            "new_password_again": again or password,
        },
        **extra,
    )


def sign_in(client, phone, password):
    return client.post("/dang-nhap/", {"username": phone, "password": password})


# Who may give whom a code ------------------------------------------------------------------------


def test_a_leader_may_reset_the_plain_members_of_their_groups_only(world):
    assert ids(permissions.people_resettable_by(world.leader_a)) == {
        world.resident_a.pk,
        world.resident_a2.pk,
    }
    assert ids(permissions.people_resettable_by(world.deputy_a)) == {
        world.resident_a.pk,
        world.resident_a2.pk,
    }
    assert ids(permissions.people_resettable_by(world.leader_b)) == {world.resident_b.pk}


def test_an_officer_may_reset_the_plain_residents_of_their_commune(world):
    assert ids(permissions.people_resettable_by(world.officer_x)) == {
        world.resident_a.pk,
        world.resident_a2.pk,
        world.resident_b.pk,
        world.loner.pk,
    }
    assert ids(permissions.people_resettable_by(world.officer_y)) == {world.resident_c.pk}


def test_a_trainer_may_reset_any_plain_resident_and_an_administrator_anyone(world):
    plain = {
        world.resident_a.pk,
        world.resident_a2.pk,
        world.resident_b.pk,
        world.resident_c.pk,
        world.loner.pk,
    }
    assert ids(permissions.people_resettable_by(world.trainer)) == plain
    everyone = {person.pk for person in world.personas().values() if person} | {
        world.deputy_a.pk,
        world.leader_c.pk,
        world.resident_a2.pk,
        world.resident_b.pk,
        world.resident_c.pk,
        world.loner.pk,
    }
    assert ids(permissions.people_resettable_by(world.admin)) == everyone - {world.admin.pk}


def test_residents_reset_nobody(world):
    assert ids(permissions.people_resettable_by(world.resident_a)) == set()


def test_nobody_but_an_administrator_takes_over_a_more_powerful_account(world):
    """A member who is also a leader elsewhere, an officer, or has admin access is beyond a leader."""
    MembershipFactory(user=world.leader_b, group=world.group_a)
    officer_in_a = officer_of(world.commune_y)
    MembershipFactory(user=officer_in_a, group=world.group_a)
    with_admin_access = UserFactory(village=world.group_a.village)
    MembershipFactory(user=with_admin_access, group=world.group_a)
    with_admin_access.groups.add(*officer_in_a.groups.all())
    for person in (world.leader_b, officer_in_a, with_admin_access, world.deputy_a, world.leader_a):
        for issuer in (world.leader_a, world.officer_x, world.trainer):
            assert not permissions.can_issue_reset_code(issuer, person), (issuer, person)
        assert permissions.can_issue_reset_code(world.admin, person)


def test_former_members_and_switched_off_accounts_are_out_of_reach(world):
    Membership.objects.filter(user=world.resident_a2).update(left_on=timezone.localdate())
    world.resident_a.is_active = False
    world.resident_a.save(update_fields=["is_active"])
    assert not permissions.can_issue_reset_code(world.leader_a, world.resident_a2)
    assert not permissions.can_issue_reset_code(world.leader_a, world.resident_a)
    assert not permissions.can_issue_reset_code(world.admin, world.resident_a)


# Issuing -----------------------------------------------------------------------------------------


def test_a_code_is_six_digits_kept_only_as_a_hash_and_audited_without_it(world):
    issued = passwords.reset_code_issue(person=world.resident_a, acting_user=world.leader_a)
    assert re.fullmatch(r"\d{6}", issued.code)
    record = PasswordResetCode.objects.get()
    assert record.code_hash != issued.code and issued.code not in record.code_hash
    assert record.issued_by == world.leader_a and record.channel == "in_person"
    assert (
        datetime.timedelta(minutes=59) < record.expires_at - record.created_at <= datetime.timedelta(hours=1)
    )
    event = AuditEvent.objects.get(action="password.reset_code_issued")
    assert event.actor == world.leader_a and event.target_id == str(world.resident_a.pk)
    assert issued.code not in str(event.changes)


def test_issuing_for_someone_out_of_reach_is_refused_and_leaves_nothing(world):
    audited = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        passwords.reset_code_issue(person=world.officer_x, acting_user=world.leader_a)
    with pytest.raises(PermissionDenied):
        passwords.reset_code_issue(person=world.resident_c, acting_user=world.officer_x)
    assert not PasswordResetCode.objects.exists() and AuditEvent.objects.count() == audited


# Redeeming ---------------------------------------------------------------------------------------


def test_the_right_code_sets_the_password_signs_in_and_ends_every_other_session_and_token(world):
    person = world.resident_a
    other_phone = Client()
    other_phone.force_login(person)
    AuthToken.objects.create(user=person)
    issued = passwords.reset_code_issue(person=person, acting_user=world.leader_a)

    client = Client()
    response = redeem(client, person.phone_display, issued.code)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(person.pk)
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert not AuthToken.objects.filter(user=person).exists()
    assert other_phone.get(reverse("learning:my_learning")).status_code == 302  # signed out
    assert PasswordResetCode.objects.get().used_at is not None
    event = AuditEvent.objects.get(action="password.reset")
    assert event.actor == person
    assert event.changes == {"channel": [None, "in_person"], "code_issued_by": [None, world.leader_a.pk]}
    # Used once, never again.
    assert redeem(Client(), person.phone, issued.code, "mot-mat-khau-khac-9").status_code == 400


def test_a_reset_code_unlocks_a_locked_out_account(world):
    person, client = world.resident_a, Client()
    for _ in range(5):
        sign_in(client, person.phone, "doan-mo-123")
    assert sign_in(client, person.phone, PASSWORD).status_code == 429
    issued = passwords.reset_code_issue(person=person, acting_user=world.leader_a)
    assert redeem(client, person.phone, issued.code).status_code == 302
    assert not AccessAttempt.objects.exists()
    client.logout()
    response = sign_in(client, person.phone, NEW_PASSWORD)
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(person.pk)


def _error(response) -> str:
    match = re.search(r'<div class="error" role="alert"><p>(.*?)</p>', response.content.decode())
    return match.group(1) if match else ""


def test_the_same_answer_whether_or_not_the_number_has_an_account_or_a_code(world):
    issued = passwords.reset_code_issue(person=world.resident_a, acting_user=world.leader_a)
    wrong = str((int(issued.code) + 1) % 1_000_000).zfill(6)
    answers = [
        redeem(Client(), world.resident_a.phone, wrong),  # a wrong code
        redeem(Client(), world.resident_a2.phone, issued.code),  # someone else's code
        redeem(Client(), "0987 654 321", issued.code),  # no account
    ]
    assert {response.status_code for response in answers} == {400}
    assert len({_error(response) for response in answers}) == 1
    assert "Mã không đúng hoặc đã hết hiệu lực" in _error(answers[0])


def test_a_code_dies_after_five_wrong_tries(world):
    issued = passwords.reset_code_issue(person=world.resident_a, acting_user=world.leader_a)
    wrong = str((int(issued.code) + 1) % 1_000_000).zfill(6)
    for _ in range(5):
        with pytest.raises(ValidationError):
            passwords.password_reset_redeem(
                phone=world.resident_a.phone, code=wrong, new_password=NEW_PASSWORD
            )
    assert PasswordResetCode.objects.get().attempts == 5
    with pytest.raises(ValidationError):
        passwords.password_reset_redeem(
            phone=world.resident_a.phone, code=issued.code, new_password=NEW_PASSWORD
        )
    world.resident_a.refresh_from_db()
    assert world.resident_a.check_password(PASSWORD)


def test_an_expired_code_and_a_replaced_code_are_refused(world):
    first = passwords.reset_code_issue(person=world.resident_a, acting_user=world.leader_a)
    second = passwords.reset_code_issue(person=world.resident_a, acting_user=world.officer_x)
    with pytest.raises(ValidationError):
        passwords.password_reset_redeem(
            phone=world.resident_a.phone, code=first.code, new_password=NEW_PASSWORD
        )
    PasswordResetCode.objects.filter(pk=second.record.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2),
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    with pytest.raises(ValidationError):
        passwords.password_reset_redeem(
            phone=world.resident_a.phone, code=second.code, new_password=NEW_PASSWORD
        )


def test_a_weak_or_mistyped_password_is_explained_and_the_code_still_works(world):
    person = world.resident_a
    issued = passwords.reset_code_issue(person=person, acting_user=world.leader_a)
    weak = redeem(Client(), person.phone, issued.code, "12345678")
    assert weak.status_code == 400 and "hoàn toàn là số" in weak.content.decode()
    like_name = redeem(Client(), person.phone, issued.code, person.full_name.replace(" ", ""))
    assert like_name.status_code == 400 and "quá giống" in like_name.content.decode()
    mistyped = redeem(Client(), person.phone, issued.code, NEW_PASSWORD, again=NEW_PASSWORD + "x")
    assert mistyped.status_code == 400 and "không giống nhau" in mistyped.content.decode()
    body = mistyped.content.decode()
    assert NEW_PASSWORD not in body  # passwords are never sent back; the number and code are kept
    assert f'value="{issued.code}"' in body and f'value="{person.phone}"' in body
    assert redeem(Client(), person.phone, issued.code).status_code == 302


def test_redeeming_is_limited_per_number_and_per_address(world, settings):
    person = world.resident_a
    issued = passwords.reset_code_issue(person=person, acting_user=world.leader_a)
    for n in range(10):
        redeem(Client(), person.phone, "000000", REMOTE_ADDR=f"10.1.0.{n}")
    limited = redeem(Client(), person.phone, issued.code, REMOTE_ADDR="10.1.0.99")
    assert limited.status_code == 429 and "Bạn đã thử quá nhiều lần" in limited.content.decode()
    for n in range(project_settings.RATE_LIMITS["reset_redeem_address"][0]):
        redeem(Client(), f"+8498{n:07d}", "000000", REMOTE_ADDR="10.2.0.1")
    other = world.resident_b
    code_b = passwords.reset_code_issue(person=other, acting_user=world.leader_b)
    assert redeem(Client(), other.phone, code_b.code, REMOTE_ADDR="10.2.0.1").status_code == 429
    assert redeem(Client(), other.phone, code_b.code, REMOTE_ADDR="10.2.0.2").status_code == 302


# The pages ---------------------------------------------------------------------------------------


def test_the_sign_in_page_leads_to_the_forgotten_password_page(client):
    body = client.get("/dang-nhap/").content.decode()
    assert 'href="/quen-mat-khau/"' in body and "Quên mật khẩu?" in body
    page = client.get("/quen-mat-khau/")
    assert page.status_code == 200 and "Quên mật khẩu?" in page.content.decode()
    assert 'href="/admin/password_reset/"' in page.content.decode()  # staff: by e-mail


def test_a_leader_gives_a_member_a_code_from_the_group_page(client, world):
    client.force_login(world.leader_a)
    page = client.get(reverse("attendance:group", args=[world.group_a.code])).content.decode()
    for person in (world.resident_a, world.resident_a2):
        assert reverse("attendance:reset_code", args=[world.group_a.code, person.pk]) in page
    for person in (world.leader_a, world.deputy_a):
        assert reverse("attendance:reset_code", args=[world.group_a.code, person.pk]) not in page
    assert "Cấp mã đặt lại mật khẩu" in page

    response = client.post(reverse("attendance:reset_code", args=[world.group_a.code, world.resident_a.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    code = re.search(r'class="reset-code"[^>]*>(\d{3}) (\d{3})<', body)
    assert code and world.resident_a.full_name in body
    assert redeem(Client(), world.resident_a.phone, "".join(code.groups())).status_code == 302


@pytest.mark.parametrize(
    ("persona", "person", "expected"),
    [
        ("leader_b", "resident_a", 403),  # not their group
        ("leader_a", "deputy_a", 403),  # a leader, not a plain member
        ("resident", "resident_a2", 403),
        ("leader_a", "resident_b", 404),  # not on group A's roster
    ],
)
def test_a_leader_cannot_give_codes_beyond_their_members(client, world, persona, person, expected):
    client.force_login(world.personas()[persona])
    target = getattr(world, person)
    response = client.post(reverse("attendance:reset_code", args=[world.group_a.code, target.pk]))
    assert response.status_code == expected
    assert not PasswordResetCode.objects.exists()
    assert (
        client.get(reverse("attendance:reset_code", args=[world.group_a.code, target.pk])).status_code == 405
    )


def test_staff_give_a_code_in_the_admin_for_people_in_their_territory(client, world):
    client.force_login(world.officer_x)
    inspect = client.get(reverse("people:inspect", args=[world.resident_a.pk])).content.decode()
    url = reverse("members_reset_code:issue", args=[world.resident_a.pk])
    assert url in inspect and "Cấp mã đặt lại mật khẩu" in inspect
    assert client.get(url).status_code == 200 and not PasswordResetCode.objects.exists()
    response = client.post(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    code = re.search(r">(\d{3}) (\d{3})</p>", response.content.decode())
    assert code and passwords.password_reset_redeem(
        phone=world.resident_a.phone, code="".join(code.groups()), new_password=NEW_PASSWORD
    )


def test_staff_get_no_code_for_people_beyond_them(client, world):
    client.force_login(world.officer_x)
    leader_url = reverse("members_reset_code:issue", args=[world.leader_a.pk])
    inspect = client.get(reverse("people:inspect", args=[world.leader_a.pk])).content.decode()
    assert leader_url not in inspect
    assert client.get(leader_url).status_code == 200  # explains why not
    # Wagtail's admin turns a refusal into a redirect to its dashboard, with a message.
    assert client.post(leader_url).status_code in (302, 403)
    assert client.post(reverse("members_reset_code:issue", args=[world.resident_c.pk])).status_code == 404
    assert not PasswordResetCode.objects.exists()


# By text message --------------------------------------------------------------------------------


def ask_by_sms(client, phone, **extra):
    return client.post("/quen-mat-khau/", {"action": "sms", "sms-phone": phone}, **extra)


def test_with_an_sms_backend_the_page_offers_a_code_by_text_message(world):
    page = Client().get("/quen-mat-khau/").content.decode()
    assert "Gửi mã qua tin nhắn" in page
    response = ask_by_sms(Client(), world.resident_a.phone_display)
    assert response.status_code == 200
    [message] = sms.outbox
    assert message.to == world.resident_a.phone and message.sender == "HOCSO"
    code = re.search(r"\b(\d{6})\b", message.text).group(1)
    assert "mã đặt lại mật khẩu" in message.text
    record = PasswordResetCode.objects.get()
    assert record.channel == "sms" and record.issued_by is None and code not in record.code_hash
    assert redeem(Client(), world.resident_a.phone, code).status_code == 302


def test_the_same_reply_whether_or_not_the_number_has_an_account(world):
    def reply(response):
        return re.search(
            r'<div class="messages" role="status"><p>(.*?)</p>', response.content.decode()
        ).group(1)

    known = ask_by_sms(Client(), world.resident_a.phone)
    unknown = ask_by_sms(Client(), "0987 654 321")
    assert known.status_code == unknown.status_code == 200
    assert reply(known) == reply(unknown) and "Nếu số này có tài khoản" in reply(known)
    assert [message.to for message in sms.outbox] == [world.resident_a.phone]


def test_the_time_of_the_reply_says_nothing_either_the_gateway_is_asked_by_a_worker(world, settings):
    """A gateway that takes half a second would make an account's number answer half a second later
    than an unknown one: each request does the same work (one look-up, one queued task), and only
    the worker, later, finds out whether there is someone to text."""
    from django_tasks import default_task_backend

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }
    default_task_backend.clear()
    known = ask_by_sms(Client(), world.resident_a.phone)
    unknown = ask_by_sms(Client(), "0987 654 321")
    assert known.status_code == unknown.status_code == 200
    assert sms.outbox == [] and not PasswordResetCode.objects.exists()  # nobody texted in a request
    queued = list(default_task_backend.results)
    assert [result.task.name for result in queued] == ["text_reset_code", "text_reset_code"]
    assert all(world.resident_a.phone not in repr(result.args) for result in queued)  # no number kept

    for result in queued:
        result.task.call(*result.args, **result.kwargs)  # the worker
    assert [message.to for message in sms.outbox] == [world.resident_a.phone]
    assert PasswordResetCode.objects.get().user == world.resident_a


def test_text_messages_are_limited_per_number_and_per_address(world):
    for n in range(3):
        ask_by_sms(Client(), world.resident_a.phone, REMOTE_ADDR=f"10.3.0.{n}")
    assert ask_by_sms(Client(), world.resident_a.phone, REMOTE_ADDR="10.3.0.9").status_code == 429
    assert len(sms.outbox) == 3
    for n in range(project_settings.RATE_LIMITS["reset_sms_address"][0]):
        ask_by_sms(Client(), f"+8498{n:07d}", REMOTE_ADDR="10.4.0.1")
    assert ask_by_sms(Client(), world.resident_b.phone, REMOTE_ADDR="10.4.0.1").status_code == 429


def test_without_an_sms_backend_nothing_offers_text_messages(world, settings):
    settings.SMS_BACKEND = None
    page = Client().get("/quen-mat-khau/").content.decode()
    assert "Gửi mã qua tin nhắn" not in page and "Đặt mật khẩu mới bằng mã" in page
    assert ask_by_sms(Client(), world.resident_a.phone).status_code == 200
    assert sms.outbox == [] and not PasswordResetCode.objects.exists()


def test_a_gateway_failure_keeps_the_earlier_code(world, settings):
    issued = passwords.reset_code_issue(person=world.resident_a, acting_user=world.leader_a)
    settings.SMS_BACKEND = "members.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/"  # discard port: nothing listens
    response = ask_by_sms(Client(), world.resident_a.phone)
    assert response.status_code == 200 and "Nếu số này có tài khoản" in response.content.decode()
    assert PasswordResetCode.objects.count() == 1
    assert redeem(Client(), world.resident_a.phone, issued.code).status_code == 302


# Staff by e-mail ---------------------------------------------------------------------------------


def test_staff_with_an_e_mail_reset_by_e_mail_and_residents_do_not(world):
    officer = world.officer_x
    officer.email = "ha.dt@trungkhanh.caobang.gov.vn"
    officer.save(update_fields=["email"])
    resident = world.resident_a
    resident.email = "nhung@example.vn"
    resident.save(update_fields=["email"])
    client = Client()
    assert client.post("/admin/password_reset/", {"email": resident.email}).status_code == 302
    assert mail.outbox == []
    assert client.post("/admin/password_reset/", {"email": officer.email.upper()}).status_code == 302
    [message] = mail.outbox
    assert message.to == [officer.email]
    link = re.search(r"(/admin/password_reset/confirm/[^/\s]+/[^/\s]+/)", message.body).group(1)

    for _ in range(5):
        sign_in(Client(), officer.phone, "doan-mo-123")
    AuthToken.objects.create(user=officer)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/password_reset/complete/"
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert not AuthToken.objects.filter(user=officer).exists() and not AccessAttempt.objects.exists()
    assert AuditEvent.objects.get(action="password.reset").changes == {"channel": [None, "email"]}


def test_reset_e_mails_are_limited_per_address(world):
    officer = world.officer_x
    officer.email = "ha.dt@trungkhanh.caobang.gov.vn"
    officer.save(update_fields=["email"])
    for _ in range(5):
        Client().post("/admin/password_reset/", {"email": officer.email})
    assert len(mail.outbox) == 3


def test_a_trainer_granted_later_is_staff_for_the_e_mail_reset(world):
    person = UserFactory(email="thu.ht@caobang.edu.vn")
    Client().post("/admin/password_reset/", {"email": person.email})
    assert mail.outbox == []
    staff_scope_grant(user=person, role=StaffScope.Role.PROVINCIAL_TRAINER)
    Client().post("/admin/password_reset/", {"email": person.email})
    assert len(mail.outbox) == 1


def test_a_text_opens_only_a_plain_residents_account(world):
    """Whoever holds a leader's, an officer's or an administrator's SIM does not get into the account."""
    for person in (world.leader_a, world.deputy_a, world.officer_x, world.trainer, world.admin):
        assert ask_by_sms(Client(), person.phone, REMOTE_ADDR="10.5.0.1").status_code == 200
    assert sms.outbox == [] and not PasswordResetCode.objects.exists()


def test_the_person_is_texted_when_someone_gives_a_code_for_them(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issued = passwords.reset_code_issue(person=world.resident_a, acting_user=world.leader_a)
    [message] = sms.outbox
    assert message.to == world.resident_a.phone and world.leader_a.full_name in message.text
    assert "cán bộ xã" in message.text and issued.code not in message.text


def test_a_leader_who_opened_a_members_account_with_a_code_cannot_erase_them(world):
    """The leader gives a code, redeems it, is signed in as the member: deleting the member's data from
    inside is refused for a week (the member asks their commune officer), then allowed."""
    issued = passwords.reset_code_issue(person=world.resident_a, acting_user=world.leader_a)
    taker = Client()
    assert redeem(taker, world.resident_a.phone, issued.code).status_code == 302
    erase = {"password": NEW_PASSWORD, "confirm": "on"}
    response = taker.post("/du-lieu-cua-toi/xoa/", erase)
    assert response.status_code == 400 and "cán bộ xã" in response.content.decode()
    world.resident_a.refresh_from_db()
    assert world.resident_a.erased_at is None
    reset = AuditEvent.objects.get(action="password.reset", target_id=str(world.resident_a.pk))
    assert reset.changes["code_issued_by"] == [None, world.leader_a.pk]

    AuditEvent.objects.filter(pk=reset.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=passwords.RESET_BY_OTHER_QUIET_DAYS, hours=1)
    )
    assert taker.post("/du-lieu-cua-toi/xoa/", erase).status_code == 200
    world.resident_a.refresh_from_db()
    assert world.resident_a.erased_at is not None


def test_a_reset_by_the_persons_own_text_message_leaves_their_data_theirs_to_delete(world):
    ask_by_sms(Client(), world.resident_a.phone)
    code = re.search(r"\b(\d{6})\b", sms.outbox[0].text).group(1)
    own = Client()
    assert redeem(own, world.resident_a.phone, code).status_code == 302
    assert own.post("/du-lieu-cua-toi/xoa/", {"password": NEW_PASSWORD, "confirm": "on"}).status_code == 200
