from django import template

from attendance import selectors

register = template.Library()


@register.inclusion_tag("attendance/my_data.html", takes_context=True)
def my_attendance(context):
    """ "Dữ liệu của tôi": how often the signed-in person was marked at their groups' sessions (one query)."""
    return {"lines": selectors.attendance_lines(context["request"].user)}
