import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from members.phone import format_phone, mask_phone, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84912345678",
        "+84 912 345 678",
        "84912345678",
        "912345678",
        " 0912345678 ",
    ],
)
def test_every_usual_way_of_writing_a_number_gives_the_same_person(raw):
    assert normalize_phone(raw) == "+84912345678"


@pytest.mark.parametrize(
    "raw", ["0865123456", "0327123456", "0701234567", "0592123456", "0562123456", "0812000001"]
)
def test_numbers_of_every_network_are_accepted(raw):
    assert normalize_phone(raw).startswith("+84")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        ("091234567", "invalid"),  # one digit short
        ("09123456789", "invalid"),  # one digit too many
        ("0212345678", "invalid"),
        ("abc", "invalid"),
        ("+12025550123", "foreign"),
        ("+85512345678", "foreign"),
        ("02063852222", "landline"),  # a Cao Bằng landline
    ],
)
def test_what_is_not_a_vietnamese_mobile_number_is_refused(raw, code):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(raw)
    assert caught.value.code == code


def test_the_refusal_speaks_vietnamese():
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        normalize_phone("12345")
    assert "số điện thoại di động" in caught.value.messages[0]


def test_numbers_are_shown_the_way_people_write_them():
    assert format_phone("+84912345678") == "0912 345 678"
    assert mask_phone("+84912345678") == "0912 *** 678"
