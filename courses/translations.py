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


def in_active_language(*pages: Page | None) -> list[Page | None]:
    """Each page in the language the person reads, when it is translated (Wagtail's ``localized``),
    looking the active locale up once for them all rather than once a page."""
    try:
        locale = Locale.get_active()
    except (LookupError, Locale.DoesNotExist):
        return list(pages)
    return [
        page
        if page is None or page.locale_id == locale.pk
        else (page.get_translation_or_none(locale) or page)
        for page in pages
    ]
