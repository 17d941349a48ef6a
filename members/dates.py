"""The dates and times HọcSố accepts from people and phones: none before 2000 and none more than two
years ahead. Nothing the movement records is older; a phone whose clock was reset offline says 1970 or
1980; a year typed as 282 or 9999 is a slip. Inside this range Vietnam's clock has always been UTC+7
(it was +08:00 until 1975, and +07:06:30 before 1911), so every time the API shows ends in +07:00."""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(2000, 1, 1)
YEARS_AHEAD = 2
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def latest(today: datetime.date | None = None) -> datetime.date:
    """The last day accepted: the same day ``YEARS_AHEAD`` years from today (28 February for a 29th)."""
    today = today or timezone.localdate()
    if (today.month, today.day) == (2, 29):
        today = today.replace(day=28)
    return today.replace(year=today.year + YEARS_AHEAD)


def is_plausible(value: datetime.date | datetime.datetime, today: datetime.date | None = None) -> bool:
    last = latest(today)
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = value.replace(tzinfo=VIETNAM)
        # Aware datetimes compare without converting, so that year 1 or 9999 cannot overflow here.
        start = datetime.datetime.combine(EARLIEST, datetime.time.min, tzinfo=VIETNAM)
        end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=VIETNAM)
        return start <= value < end
    return EARLIEST <= value <= last


def validate_plausible(value: datetime.date | datetime.datetime) -> None:
    """A field validator (forms and DRF serializers alike): the range above, or a clear error."""
    if value is not None and not is_plausible(value):
        raise ValidationError(
            _("Enter a date from %(earliest)s to %(latest)s."),
            code="implausible_date",
            params={"earliest": EARLIEST.isoformat(), "latest": latest().isoformat()},
        )
