import datetime

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def cell(table, index: int, value):
    """One table cell, formatted for its column: numbers grouped the local way, shares with a decimal."""
    kind = table.columns[index].kind
    if value is None or value == "":
        return format_html('<td class="stats-{}">–</td>', kind) if kind != "text" else mark_safe("<td></td>")
    if kind == "int":
        return format_html('<td class="stats-int">{}</td>', number_format(value, force_grouping=True))
    if kind == "percent":
        return format_html('<td class="stats-percent">{}</td>', number_format(value, decimal_pos=1))
    if table.columns[index].header:
        return format_html('<th scope="row">{}</th>', value)
    return format_html("<td>{}</td>", value)


@register.filter
def ago(moment: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """How long ago, in words: "vừa xong" under a minute, then minutes, hours and days."""
    if moment is None:
        return ""
    seconds = max(0, int(((now or timezone.now()) - moment).total_seconds()))
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        minutes = seconds // 60
        return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {"count": minutes}
    if seconds < 86400:
        hours = seconds // 3600
        return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}
    days = seconds // 86400
    return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}
