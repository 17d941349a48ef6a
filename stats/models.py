"""Precomputed counts for the statistics: rollups, refreshed commune by commune.

Every count is per commune (the 56), optionally narrowed to one community group of that commune
(``group`` null: the whole commune), and per calendar month in the province's time zone, so that a
date range is a sum over months and a trend is the months in order. People are counted where they
live (their village's commune) for the commune rows, and as active members for the group rows.

The rows are facts derived from members, courses and certificates; they are never edited, only
replaced by ``stats.services.refresh_communes``. ``CommuneFreshness`` says when each commune's rows
were computed, since when its source facts have changed, and when they go out of date by themselves
(a session planned ahead starts: only sessions that have started are counted).
"""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Tier


def _expired(now: datetime.datetime | None) -> models.Q:
    return models.Q(expires_at__lte=now or timezone.now())


class CommuneFreshnessQuerySet(models.QuerySet):
    def expired(self, now: datetime.datetime | None = None) -> "CommuneFreshnessQuerySet":
        """Numbers gone out of date by themselves by ``now``: a session planned when they were computed
        has opened since (``Session.objects.started``), so it counts and they do not count it."""
        return self.filter(_expired(now))

    def up_to_date(self, now: datetime.datetime | None = None) -> "CommuneFreshnessQuerySet":
        """Numbers computed, with no change to their facts since, and not expired."""
        return self.filter(refreshed_at__isnull=False, changed_at__isnull=True).exclude(_expired(now))


class CommuneFreshness(models.Model):
    commune = models.OneToOneField(
        "members.Commune",
        on_delete=models.CASCADE,
        related_name="statistics_freshness",
        verbose_name=_("commune"),
    )
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    changed_at = models.DateTimeField(
        _("changed at"),
        null=True,
        blank=True,
        help_text=_("The first change to the commune's facts since its numbers were computed."),
    )
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_(
            "When the numbers go out of date by themselves: when the next session planned when they "
            "were computed opens (sessions count once they have started)."
        ),
    )

    applied_at = models.DateTimeField(
        _("shares applied at"),
        null=True,
        blank=True,
        help_text=_("When an incremental refresh last changed the commune's numbers."),
    )

    objects = CommuneFreshnessQuerySet.as_manager()

    class Meta:
        verbose_name = _("statistics freshness")
        verbose_name_plural = _("statistics freshness")

    def __str__(self) -> str:
        return f"{self.commune_id}: {self.refreshed_at}"


class _Counted(models.Model):
    commune = models.ForeignKey("members.Commune", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        "members.CommunityGroup", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        where = f"{self.commune_id}/{self.group_id}" if self.group_id else str(self.commune_id)
        return f"{type(self).__name__} {where} {self.month:%Y-%m}"


class ResidentCount(_Counted):
    """People who registered in the month (commune rows) or joined the group in the month (group rows)."""

    people = models.PositiveIntegerField(_("people"))

    class Meta:
        indexes = [models.Index(fields=["commune", "group", "month"], name="stats_resident_idx")]


class AttainmentCount(_Counted):
    """People who first reached ``tier`` in the month: in ``competency``, or, where competency is null,
    in at least one competency of ``area``."""

    area = models.ForeignKey("courses.CompetencyArea", on_delete=models.CASCADE, related_name="+")
    competency = models.ForeignKey(
        "courses.Competency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    people = models.PositiveIntegerField(_("people"))

    class Meta:
        indexes = [
            models.Index(fields=["commune", "group", "tier", "month"], name="stats_attain_idx"),
            models.Index(fields=["tier", "group", "month"], name="stats_attain_tier_idx"),
        ]


class ProfileCount(_Counted):
    """People who first met every requirement of a competency profile in the month."""

    profile = models.ForeignKey("courses.CompetencyProfile", on_delete=models.CASCADE, related_name="+")
    people = models.PositiveIntegerField(_("people"))

    class Meta:
        indexes = [models.Index(fields=["profile", "group", "month"], name="stats_profile_idx")]


class FunnelCount(_Counted):
    """The enrolments of the month (a cohort) and how far they went: started a lesson, completed the
    course, hold a valid certificate for it."""

    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="+")
    enrolled = models.PositiveIntegerField(_("enrolled"))
    started = models.PositiveIntegerField(_("started"))
    completed = models.PositiveIntegerField(_("completed"))
    certified = models.PositiveIntegerField(_("certified"))

    class Meta:
        indexes = [models.Index(fields=["commune", "group", "month"], name="stats_funnel_idx")]


class ActivityCount(_Counted):
    """A group's sessions in the month and the attendance at them (current status of each mark).
    Always a group row: ``group`` is set."""

    sessions = models.PositiveIntegerField(_("sessions"))
    marked = models.PositiveIntegerField(_("people marked"))
    attended = models.PositiveIntegerField(_("present or late"))

    class Meta:
        indexes = [models.Index(fields=["commune", "month"], name="stats_activity_idx")]


class Subject(models.TextChoices):
    """What a contribution to the rollups, or a change waiting for the next refresh, is about."""

    PERSON = "person", _("person")
    SESSION = "session", _("session")
    COMMUNE = "commune", _("commune")


class Pending(models.Model):
    """A person or a session whose facts changed since the rollups last counted them (a refresh
    recomputes just their contribution), or a commune whose facts changed without saying whose (a
    refresh recomputes it whole). Written after the change's commit; one row however many changes."""

    kind = models.CharField(_("kind"), max_length=8, choices=Subject.choices)
    subject_id = models.BigIntegerField(_("subject"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "subject_id"], name="stats_pending_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id}"


class Contribution(models.Model):
    """What one person (or one held session) adds to one commune's rollups, as last written there:
    ``rows`` is a list of ``[table, group, month, …key, …counts]``. A refresh subtracts it and adds the
    new one, so a person who moved or left a group is taken out of the rows they counted in."""

    commune = models.ForeignKey("members.Commune", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Subject.choices)
    subject_id = models.BigIntegerField(_("subject"))
    rows = models.JSONField(_("rows"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_id", "commune"], name="stats_contribution_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id} in {self.commune_id}"
