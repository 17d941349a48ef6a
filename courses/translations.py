"""Courses in several languages. A course and its lessons exist once per locale (Vietnamese, the
default, and its translations, sharing a ``translation_key``); a learner's progress, completion and
certificate are recorded against the Vietnamese page, whichever language they read it in."""

from wagtail.models import Locale, Page


def canonical(page: Page) -> Page:
    """The same page in the default locale (Vietnamese), where progress is recorded."""
    default = Locale.get_default()
    if page.locale_id == default.pk:
        return page
    return page.specific_class.objects.get(translation_key=page.translation_key, locale=default)
