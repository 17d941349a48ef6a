"""The interface is Vietnamese out of the box: the catalogue is complete and compiled."""

import gettext
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "vi" / "LC_MESSAGES"


def test_every_message_has_a_vietnamese_translation():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert len(catalogue.translated_entries()) > 100


def test_the_compiled_catalogue_matches_the_source(tmp_path):
    compiled = tmp_path / "django.mo"
    polib.pofile(str(LOCALE / "django.po")).save_as_mofile(str(compiled))
    with (LOCALE / "django.mo").open("rb") as shipped, compiled.open("rb") as fresh:
        shipped_messages = {k: v for k, v in gettext.GNUTranslations(shipped)._catalog.items() if k}
        fresh_messages = {k: v for k, v in gettext.GNUTranslations(fresh)._catalog.items() if k}
        assert shipped_messages == fresh_messages, (
            "locale/vi/LC_MESSAGES/django.mo is stale: run `make messages`"
        )


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(LOCALE / "django.po")).translated_entries():
        for placeholder in ("%(name)s", "%(n)s", "%(count)s", "%(value)s"):
            assert (placeholder in entry.msgid) == (
                placeholder in (entry.msgstr or entry.msgstr_plural[0])
            ), entry.msgid
