"""Vietnamese mobile numbers: the login identifier of every person in HọcSố.

Numbers are stored in E.164 form (``+84912345678``) so that ``0912 345 678``, ``0912.345.678``,
``84912345678`` and ``+84 912 345 678`` are the same person.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

REGION = "VN"
COUNTRY_CODE = 84
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}

MESSAGE_INVALID = _(
    "This is not a valid Vietnamese mobile number. Enter 10 digits starting with 0, for example 0912 345 678."
)
MESSAGE_FOREIGN = _("Only Vietnamese mobile numbers (+84) can be used.")
MESSAGE_LANDLINE = _("This looks like a landline number. Enter a mobile number, for example 0912 345 678.")


def normalize_phone(raw: str) -> str:
    """Return the number in E.164 form, or raise ValidationError with a message for people."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter your mobile number."), code="required")
    try:
        number = phonenumbers.parse(text, REGION)
    except NumberParseException:
        raise ValidationError(MESSAGE_INVALID, code="invalid") from None
    if number.country_code != COUNTRY_CODE:
        raise ValidationError(MESSAGE_FOREIGN, code="foreign")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(MESSAGE_INVALID, code="invalid")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(MESSAGE_LANDLINE, code="landline")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    """Model-field validator: the stored value must already be normalised."""
    if normalize_phone(value) != value:
        raise ValidationError(MESSAGE_INVALID, code="not_normalised")


def format_phone(e164: str) -> str:
    """``+84912345678`` → ``0912 345 678``, the way people write it."""
    try:
        number = phonenumbers.parse(e164, REGION)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)


def mask_phone(e164: str) -> str:
    """A form safe for lists seen by other people: ``0912 *** 678``."""
    national = format_phone(e164)
    parts = national.split(" ")
    if len(parts) == 3:
        return f"{parts[0]} *** {parts[2]}"
    return national[:4] + "***" + national[-3:]


def number_digest(phone: str) -> str:
    """A keyed digest of a number for audit events: the same number gives the same digest (so one can
    answer "who looked up my number?"), yet the number itself is never written down."""
    return salted_hmac("members.number_lookup", phone, algorithm="sha256").hexdigest()[:24]
