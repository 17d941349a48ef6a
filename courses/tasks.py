from django_tasks import task
from wagtail.models import Page

from courses.renditions import prepare_page_renditions


@task()
def prepare_renditions(page_id: int) -> None:
    """Make the image renditions of a page that was just published (off the request path)."""
    page = Page.objects.filter(pk=page_id).first()
    if page is not None:
        prepare_page_renditions(page)
