"""The statistics as tables: what the pages show beside each chart, and what the exports write.

One definition per table, so that a number on screen, in the CSV and in the XLSX is the same number
under the same (Vietnamese) heading.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.phone import format_phone
from stats import selectors
from stats.charts import month_label


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "int"  # "text", "int" or "percent"
    header: bool = False  # the cell that names its row
    short: str = ""  # a shorter heading for the screen (the files keep the whole one)


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[list]
    footer: list | None = None


TABLE_TITLES = {
    "attainment": gettext_lazy("Residents who reached the tier, by competency area"),
    "competencies": gettext_lazy("Residents who reached each tier, by competency"),
    "profiles": gettext_lazy("Basic universalisation and digital cadres"),
    "courses": gettext_lazy("Course funnel, by course"),
    "course-places": gettext_lazy("Course funnel, by place"),
    "course-months": gettext_lazy("Course funnel, by month of enrolment"),
    "activity": gettext_lazy("Group activity"),
    "activity-months": gettext_lazy("Group activity, by month"),
    "inactive-groups": gettext_lazy("Groups with no session in the last 30 days"),
}


def _place_label(query: selectors.StatsQuery) -> str:
    return _("Group") if query.by_group else _("Commune")


def _place_columns(query: selectors.StatsQuery) -> list[Column]:
    """The two columns that name a row's place; each heading says what it holds, so that no two
    columns of a file share one (a group's code beside the group's name beside a number of groups)."""
    code = _("Group code") if query.by_group else _("Commune code")
    return [Column(code, "text"), Column(_place_label(query), "text", header=True)]


def attainment_table(query: selectors.StatsQuery, data: selectors.Attainment) -> Table:
    columns = [
        *_place_columns(query),
        Column(_("People")),
    ]
    for area in data.areas:
        name = f"{area.number}. {area.display_name}"
        columns += [
            Column(name, short=_("Area %(number)s") % {"number": area.number}),
            Column(_("%"), "percent"),
        ]
    rows = []
    for row in data.rows:
        cells = [row.place.code, row.place.name, row.people]
        for people, share in row.cells:
            cells += [people, share]
        rows.append(cells)
    return Table("attainment", str(TABLE_TITLES["attainment"]), columns, rows)


def competencies_table(data: selectors.Attainment) -> Table:
    columns = [Column(_("Code"), "text"), Column(_("Competency"), "text", header=True)]
    columns += [Column(f"{label} ({selectors.tier_levels(tier)})") for tier, label in data.tiers]
    rows = [[c.code, c.display_name, *counts] for c, counts in data.competencies]
    return Table("competencies", str(TABLE_TITLES["competencies"]), columns, rows)


def profiles_table(query: selectors.StatsQuery, data: selectors.Profiles) -> Table:
    columns = [
        *_place_columns(query),
        Column(_("Registered")),
    ]
    for profile in data.profiles:
        columns += [Column(profile.display_name), Column(_("%"), "percent")]
    rows = []
    for row in data.rows:
        cells = [row.place.code, row.place.name, row.people]
        for people, share in row.complete:
            cells += [people, share]
        rows.append(cells)
    footer = ["", _("Total"), data.total_people]
    for people, share in data.totals:
        footer += [people, share]
    return Table("profiles", str(TABLE_TITLES["profiles"]), columns, rows, footer)


def _step_columns() -> list[Column]:
    return [Column(_("Enrolled")), Column(_("Started")), Column(_("Completed")), Column(_("Certified"))]


def courses_table(data: selectors.Funnel) -> Table:
    columns = [Column(_("Code"), "text"), Column(_("Course"), "text", header=True), *_step_columns()]
    columns.append(Column(_("Completed (%)"), "percent"))
    rows = [[row.code, row.label, *row.steps, row.completion] for row in data.courses]
    footer = ["", _("Total"), *data.total, selectors.FunnelRow("", "", data.total).completion]
    return Table("courses", str(TABLE_TITLES["courses"]), columns, rows, footer)


def course_places_table(query: selectors.StatsQuery, data: selectors.Funnel) -> Table:
    columns = [*_place_columns(query), *_step_columns()]
    columns.append(Column(_("Completed (%)"), "percent"))
    rows = [[row.code, row.label, *row.steps, row.completion] for row in data.places]
    return Table("course-places", str(TABLE_TITLES["course-places"]), columns, rows)


def course_months_table(data: selectors.Funnel) -> Table:
    columns = [Column(_("Month"), "text", header=True), *_step_columns()]
    rows = [
        [month_label(month), *[data.trend[step][index] for step in range(len(selectors.STEPS))]]
        for index, month in enumerate(data.months)
    ]
    return Table("course-months", str(TABLE_TITLES["course-months"]), columns, rows)


def activity_table(query: selectors.StatsQuery, data: selectors.Activity) -> Table:
    columns = [
        *_place_columns(query),
        Column(_("Number of groups")),
        Column(_("No session in 30 days")),
        Column(_("Sessions")),
        Column(_("People marked")),
        Column(_("Present or late")),
        Column(_("Attendance (%)"), "percent"),
    ]
    rows = [
        [r.place.code, r.place.name, r.groups, r.inactive, r.sessions, r.marked, r.attended, r.rate]
        for r in data.rows
    ]
    t = data.total
    footer = ["", _("Total"), t.groups, t.inactive, t.sessions, t.marked, t.attended, t.rate]
    return Table("activity", str(TABLE_TITLES["activity"]), columns, rows, footer)


def activity_months_table(data: selectors.Activity) -> Table:
    columns = [
        Column(_("Month"), "text", header=True),
        Column(_("Sessions")),
        Column(_("Attendance (%)"), "percent"),
    ]
    rows = [
        [month_label(month), sessions, rate]
        for month, sessions, rate in zip(data.months, data.sessions_trend, data.rate_trend, strict=True)
    ]
    return Table("activity-months", str(TABLE_TITLES["activity-months"]), columns, rows)


def inactive_groups_table(data: selectors.Activity) -> Table:
    columns = [
        Column(_("Group code"), "text"),
        Column(_("Group"), "text", header=True),
        Column(_("Commune"), "text"),
        Column(_("Village"), "text"),
        Column(_("Members")),
        Column(_("Last session"), "text"),
    ]
    rows = [
        [
            item.group.code,
            item.group.name,
            item.group.commune.name,
            item.group.village.name if item.group.village_id else "",
            item.members,
            timezone.localtime(item.last_session_at).strftime("%d/%m/%Y")
            if item.last_session_at
            else _("never"),
        ]
        for item in data.inactive
    ]
    return Table("inactive-groups", str(TABLE_TITLES["inactive-groups"]), columns, rows)


def holders_table(profile, holders: list) -> Table:
    columns = [
        Column(_("Full name"), "text", header=True),
        Column(_("Phone number"), "text"),
        Column(_("Birth year")),
        Column(_("Commune"), "text"),
        Column(_("Village"), "text"),
        Column(_("Reached on"), "text"),
    ]
    rows = [
        [
            holder.person.full_name,
            format_phone(holder.person.phone),
            holder.person.birth_year,
            holder.person.village.commune.name if holder.person.village_id else "",
            holder.person.village.name if holder.person.village_id else "",
            timezone.localtime(holder.reached_at).strftime("%d/%m/%Y"),
        ]
        for holder in holders
    ]
    title = _("People who completed: %(profile)s") % {"profile": profile.display_name}
    return Table(f"profile-{profile.code}", title, columns, rows)
