"""The statistics' filters, read from the query string and narrowed to the caller's territory."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CompetencyArea, Tier
from members import permissions
from members.models import CommunityGroup
from stats import selectors


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (what ``<input type="month">`` sends)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2026-01.")}

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        try:
            parsed = datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not 2000 <= parsed.year <= 2100:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


def _course_choices():
    return [("", _("All courses")), *selectors.course_choices()]


class StatsFilterForm(forms.Form):
    commune = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Commune"),
        to_field_name="code",
        error_messages={"invalid_choice": _("No commune you follow has this code.")},
    )
    group = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Group"),
        to_field_name="code",
        error_messages={"invalid_choice": _("No group you follow has this code.")},
    )
    course = forms.ChoiceField(required=False, label=_("Course"))
    area = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Competency area"), to_field_name="number"
    )
    tier = forms.ChoiceField(choices=Tier.choices, required=False, label=_("Tier"))
    start = MonthField(required=False, label=_("From month"))
    end = MonthField(required=False, label=_("To month"))

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user
        self.province = permissions.is_provincial(user)
        communes = permissions.communes_managed_by(user).order_by("name")
        self.fields["commune"].queryset = communes
        self.fields["commune"].empty_label = _("All the province") if self.province else _("All my communes")
        groups = CommunityGroup.objects.filter(commune__in=communes).order_by("code")
        self.only_commune = self._only_commune(communes)
        if self.data.get("commune"):
            groups = groups.filter(commune__code=self.data["commune"])
        elif self.only_commune is not None:
            groups = groups.filter(commune=self.only_commune)
        else:
            # A list of the province's 1,349 groups is no help to anyone and slow to draw: a group
            # code may be typed, or a commune chosen first to list its groups.
            self.fields["group"].widget = forms.TextInput(
                attrs={"placeholder": _("Group code, or choose a commune first"), "size": 24}
            )
        self.fields["group"].queryset = groups
        self.fields["group"].empty_label = _("All groups")
        self.fields["course"].choices = _course_choices
        self.fields["area"].queryset = CompetencyArea.objects.filter(framework__is_current=True).order_by(
            "number"
        )
        self.fields["area"].empty_label = _("All areas")

    def _only_commune(self, communes):
        """An officer of a single commune always looks at that commune."""
        if self.province:
            return None
        found = list(communes[:2])
        return found[0] if len(found) == 1 else None

    def clean(self):
        data = super().clean()
        group = data.get("group")
        if data.get("commune") is None:
            data["commune"] = self.only_commune or (group.commune if group is not None else None)
        if group is not None and data.get("commune") and group.commune_id != data["commune"].pk:
            self.add_error("group", _("This group is not in the commune chosen."))
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("start", _("The first month comes after the last one."))
        return data

    def query(self) -> selectors.StatsQuery:
        """The query these filters describe; the defaults where a filter is missing or invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        commune_ids = (
            None if self.province else frozenset(self.fields["commune"].queryset.values_list("pk", flat=True))
        )
        end = data.get("end") or timezone.localdate().replace(day=1)
        start = data.get("start") or selectors.add_months(end, -11)
        commune = data.get("commune") or self.only_commune
        return selectors.StatsQuery(
            commune_ids=commune_ids,
            commune=commune,
            group=data.get("group"),
            course_code=data.get("course") or "",
            area=data.get("area"),
            tier=data.get("tier") or Tier.BASIC,
            start=start,
            end=end,
        )
