"""Group meetings and attendance, recorded on phones that may be offline for days.

Every mark a phone sends is kept, identified by the UUID the phone gave it. The current status of a
member at a session is derived by one rule, the same whatever order the marks arrived in: the mark with the
latest ``recorded_at`` (the phone's clock, across all devices) wins, and a tie goes to the greater
UUID (``attendance.selectors.mark_order_key``).
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A session opens a quarter of an hour before its start (``Session.starts_at``, an instant): people
# arrive early, and a phone's or server's clock may be a few minutes off. From then on it has been held,
# for every purpose at once: its marks are accepted, and it counts in the leader's summary, in the
# statistics and in "no session in 30 days" (each in the month and at the time of its start). One
# moment for all, so that a mark accepted is never missing from a count. Before it, the session is
# planned: nobody can have been there.
OPENS_BEFORE_START = datetime.timedelta(minutes=15)


def _opened_by(now: datetime.datetime | None) -> datetime.datetime:
    """The latest start of a session that has opened by ``now``."""
    return (now or timezone.now()) + OPENS_BEFORE_START


class SessionQuerySet(models.QuerySet):
    def started(self, now: datetime.datetime | None = None) -> "SessionQuerySet":
        """Sessions held by ``now`` (default: this moment): opened, see ``OPENS_BEFORE_START``."""
        return self.filter(starts_at__lte=_opened_by(now))

    def planned(self, now: datetime.datetime | None = None) -> "SessionQuerySet":
        """Sessions not open yet: the rest."""
        return self.filter(starts_at__gt=_opened_by(now))


class Session(models.Model):
    """A meeting of a community group: where people learn together and attendance is taken."""

    # Made by the phone, so that a session planned offline and its marks travel together.
    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True)
    group = models.ForeignKey(
        "members.CommunityGroup", on_delete=models.PROTECT, related_name="sessions", verbose_name=_("group")
    )
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=150, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("course"),
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lesson"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = SessionQuerySet.as_manager()

    class Meta:
        db_table = "members_session"  # made in members, moved without copying
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["group", "starts_at"], name="session_group_start_idx")]

    def __str__(self) -> str:
        return f"{self.group} · {self.starts_at:%d/%m/%Y} · {self.topic}"

    @property
    def opens_at(self) -> datetime.datetime:
        return self.starts_at - OPENS_BEFORE_START

    def has_started(self, now: datetime.datetime | None = None) -> bool:
        """The object form of ``Session.objects.started``."""
        return self.starts_at <= _opened_by(now)


class AttendanceMark(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        LATE = "late", _("late")
        EXCUSED = "excused", _("excused")
        ABSENT = "absent", _("absent")

    uuid = models.UUIDField(_("UUID"), unique=True)
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="marks", verbose_name=_("session")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attendance_marks",
        verbose_name=_("member"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    recorded_at = models.DateTimeField(_("recorded at (on the phone)"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    device_id = models.CharField(_("device"), max_length=64, blank=True)

    class Meta:
        db_table = "members_attendancemark"  # made in members, moved without copying
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance marks")
        ordering = ["session", "member", "recorded_at", "uuid"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["present", "late", "excused", "absent"]),
                name="attendancemark_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["session", "member", "recorded_at"], name="mark_session_member_idx")]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.member_id} · {self.status}"
