from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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
