from django import template

from members import selectors

register = template.Library()


@register.inclusion_tag("members/tags/next_step.html", takes_context=True)
def next_step(context):
    """The home page's personal panel: the next thing this person should do."""
    request = context["request"]
    return {
        "request": request,
        "user": request.user,
        "summary": selectors.home_summary_for(request.user),
        "catalogue": context.get("catalogue"),
    }
