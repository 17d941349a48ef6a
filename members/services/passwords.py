"""A way back from a forgotten password, for people without e-mail.

- Someone who knows the person (their group leader, their commune officer, a provincial trainer, an
  administrator: ``permissions.people_resettable_by``) issues a one-time code and reads it out:
  ``reset_code_issue``.
- Where the province has an SMS gateway, the person asks for a code by text message:
  ``reset_code_send_by_sms`` (the same silence, and the same time, whether or not the number has
  an account: a worker sends it).
- The person types their number, the code and a new password: ``password_reset_redeem``. That
  signs out every other session (Django ties sessions to the password) and every app token, and
  clears the sign-in failures that may have locked the account (members/lockout.py).
- Staff with an e-mail address reset by e-mail (Django's signed links): ``password_reset_by_email``.

Codes are six digits, easy to read out and to type on any phone. Guessing is bounded by the few
tries a code allows, its short life, and the limits per number and address on redeeming and on
sending (``redeem_allowed``, ``sms_allowed``). Only a keyed hash of a code is stored; neither the
code nor the password ever reaches the audit trail or a log.
"""

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from knox.models import AuthToken

from members import lockout, permissions, throttling
from members.models import AuditEvent, PasswordResetCode, User
from members.phone import normalize_phone
from members.services.audit import audit_record
from members.sms import SmsError, language_for, send_sms, sms_enabled

CODE_DIGITS = 6
# Long enough to walk home from the leader's house; short enough to be useless once forgotten.
LIFETIME = {
    PasswordResetCode.Channel.IN_PERSON: timedelta(minutes=60),
    PasswordResetCode.Channel.SMS: timedelta(minutes=30),
}


@dataclass(frozen=True)
class IssuedCode:
    """A code just made: shown once, then only its hash remains."""

    code: str
    record: PasswordResetCode

    @property
    def expires_at(self) -> datetime:
        return self.record.expires_at


def _digest(person_id: int, code: str) -> str:
    return salted_hmac("members.password_reset_code", f"{person_id}:{code}", algorithm="sha256").hexdigest()


def _number(phone: str) -> str:
    try:
        return normalize_phone(phone)
    except ValidationError:
        return " ".join(str(phone).split())[:32]


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _create(person: User, code: str, *, channel: str, issued_by: User | None) -> IssuedCode:
    # One code per person (a constraint): the new one replaces the last. Locking the person's row
    # makes two issuers at the same moment take turns.
    User.objects.select_for_update().filter(pk=person.pk).first()
    PasswordResetCode.objects.filter(user=person).delete()
    now = timezone.now()
    record = PasswordResetCode(
        user=person,
        code_hash=_digest(person.pk, code),
        issued_by=issued_by,
        channel=channel,
        created_at=now,
        expires_at=now + LIFETIME[channel],
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=issued_by,
        action=AuditEvent.Action.PASSWORD_RESET_CODE_ISSUED,
        target=person,
        changes={"channel": [None, channel], "expires_at": [None, record.expires_at.isoformat()]},
    )
    return IssuedCode(code=code, record=record)


@transaction.atomic
def reset_code_issue(*, person: User, acting_user: User) -> IssuedCode:
    """A leader, officer, trainer or administrator issues a code for someone they know, to read out."""
    if not permissions.can_issue_reset_code(acting_user, person):
        raise PermissionDenied
    issued = _create(person, _new_code(), channel=PasswordResetCode.Channel.IN_PERSON, issued_by=acting_user)
    transaction.on_commit(lambda: _tell_the_person(person, acting_user))
    return issued


def _tell_the_person(person: User, issuer: User) -> None:
    """Where the province has text messages, the person learns that someone gave out a code for their
    account (so that a code they did not ask for does not go unnoticed)."""
    if not sms_enabled():
        return
    with translation.override(language_for(person)):
        text = _(
            "HọcSố: %(issuer)s gave a password reset code for your account. If you did not ask for it, "
            "tell your commune officer."
        ) % {"issuer": issuer.full_name}
    with contextlib.suppress(SmsError):  # the backend logs why, without the number or the text
        send_sms(person.phone, text)


def sms_allowed(*, phone: str, address: str) -> bool:
    """Count one request for a code by text message; False once the number or address asked too often."""
    # Per number and per address (RATE_LIMITS): the address limit is far above a commune's needs,
    # since a carrier puts a commune behind one address.
    number_ok = throttling.hit("reset_sms_number", _number(phone))
    address_ok = throttling.hit("reset_sms_address", address)
    return number_ok and address_ok


def _resident_to_text(**lookup) -> User | None:
    # A text opens only a resident's account: whoever holds the SIM (a stolen phone, a swapped SIM)
    # must not get into a leader's, an officer's or an administrator's. They use the e-mail reset
    # or ask someone who knows them.
    return (
        User.objects.filter(is_active=True, **lookup)
        .filter(permissions.no_more_power_than_a_resident())
        .first()
    )


def reset_code_send_by_sms(*, phone: str) -> None:
    """Queue a text with a code to ``phone``, which a worker sends if it is the number of a resident's
    active account. The same work whatever the number, one look-up and one queued task, so that
    neither the caller's answer nor how long it takes says whether the number has an account (the
    gateway's half second would); the task keeps an account's id, never the number."""
    from members.tasks import text_reset_code

    person = _resident_to_text(phone=_number(phone))
    text_reset_code.enqueue(person.pk if person else None)


def reset_code_text(person_id: int | None) -> None:
    """The worker's half of ``reset_code_send_by_sms``: text a new code, if there is someone to text.
    A gateway failure is logged (without number or text) and leaves the person's earlier code as it
    was."""
    person = _resident_to_text(pk=person_id) if person_id is not None else None
    if person is None:
        return
    code = _new_code()
    minutes = int(LIFETIME[PasswordResetCode.Channel.SMS].total_seconds() // 60)
    with translation.override(language_for(person)):
        text = _(
            "HọcSố: your password reset code is %(code)s. It works for %(minutes)d minutes. "
            "Never tell it to anyone."
        ) % {"code": code, "minutes": minutes}
    try:
        # Sent before it is stored: a database transaction must not wait on a gateway. Nobody can
        # type the code in the milliseconds until it is saved.
        send_sms(person.phone, text)
    except SmsError:
        return
    with transaction.atomic():
        _create(person, code, channel=PasswordResetCode.Channel.SMS, issued_by=None)


def redeem_allowed(*, phone: str, address: str) -> bool:
    """Count one try at redeeming; False once the number or the address tried too often."""
    number_ok = throttling.hit("reset_redeem_number", _number(phone))
    address_ok = throttling.hit("reset_redeem_address", address)
    return number_ok and address_ok


def _validate(password: str, person: User) -> None:
    try:
        password_validation.validate_password(password, person)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from None


def _refused() -> ValidationError:
    return ValidationError(
        _(
            "This code is wrong or no longer valid. Check the number and the code; if it still fails, "
            "ask for a new code."
        ),
        code="invalid_code",
    )


def password_reset_redeem(*, phone: str, code: str, new_password: str) -> User:
    """Set a new password with a code. Raises ValidationError: the same one whether the number has
    no account, no code, a dead code or another code; a field error for a password that is too weak.

    A try is counted before the code is compared (so that parallel guesses cannot exceed the limit),
    and it stays counted when the code is wrong.
    """
    number = _number(phone)
    # The rules that do not depend on who the person is come first, for everyone alike.
    _validate(new_password, User(phone=number))
    code = "".join(str(code).split())
    person = User.objects.filter(phone=number, is_active=True).first()
    record = PasswordResetCode.objects.filter(user=person).first() if person else None
    if record is None:
        raise _refused()
    live = PasswordResetCode.objects.live().filter(pk=record.pk)
    if not live.update(attempts=F("attempts") + 1):
        raise _refused()
    if not constant_time_compare(record.code_hash, _digest(person.pk, code)):
        raise _refused()
    _validate(new_password, person)
    with transaction.atomic():
        if not PasswordResetCode.objects.filter(pk=record.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        ):
            raise _refused()  # redeemed a moment ago by a parallel request
        _set_password(person, new_password, channel=record.channel, issued_by=record.issued_by_id)
    return person


@transaction.atomic
def password_reset_by_email(*, person: User, new_password: str) -> User:
    """Staff who followed the signed link in a reset e-mail (the form has validated the password)."""
    _set_password(person, new_password, channel="email")
    return person


def _set_password(person: User, new_password: str, *, channel: str, issued_by: int | None = None) -> None:
    person.set_password(new_password)
    person.save(update_fields=["password"])
    # A new password signs out every session (Django checks each against the password hash) and, here,
    # every app token; the failed sign-ins that may have locked the account are forgotten.
    AuthToken.objects.filter(user=person).delete()
    lockout.clear_failures(account=person.phone)
    changes = {"channel": [None, channel]}
    if issued_by is not None and issued_by != person.pk:
        changes["code_issued_by"] = [None, issued_by]
    audit_record(actor=person, action=AuditEvent.Action.PASSWORD_RESET, target=person, changes=changes)


# Someone who knows a person can open their account with a code: for a while after that, the account
# cannot be deleted from inside (the person asks their commune officer instead), so that a leader who
# reset a member's password cannot also erase them. The person can always find out who gave the code.
RESET_BY_OTHER_QUIET_DAYS = 7


def reset_by_someone_else_recently(person: User) -> bool:
    """Whether the person's password was last set with a code someone else gave, in the last days."""
    since = timezone.now() - timedelta(days=RESET_BY_OTHER_QUIET_DAYS)
    last = (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.PASSWORD_RESET,
            target_type=User._meta.label_lower,
            target_id=str(person.pk),
            created_at__gte=since,
        )
        .order_by("-created_at", "-id")
        .values_list("changes", flat=True)
        .first()
    )
    return bool(last and "code_issued_by" in last)
