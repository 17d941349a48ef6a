"""Everything HọcSố holds about a person, declared once.

Each ``Part`` names a kind of row (a model), how to find a person's rows in it, which fields the
export gives them, and what erasing the person does to those rows. ``NOT_EXPORTED`` lists the fields
deliberately left out of the export, each with the reason; ``LINKS_NOT_FOLLOWED`` the links to a
person that do not make a row theirs (a certificate points at the trainer who issued it, but it is
the holder's), each with the reason. The export (``export_person``), the "Dữ liệu của tôi" page, the
erasure (``members.services.privacy``) and the test that walks every model of every installed app
(``tests/members/test_privacy_registry.py``) all read this registry: a model or field added later
that can hold personal data fails that test until it is declared here.

A row is linked to a person by
- a foreign key (or one-to-one, many-to-many) to the user model: ``by=names("user")``;
- a generic pair naming the user model and the person's id: ``by=names("target_type/target_id")``;
- a field holding their mobile number (``username``, ``phone``…): ``by=names("username")``;
- or a search no field expresses (``search``): the sessions whose data names them, the import files
  whose rows do.

Apps above ``members`` add their parts through ``members.extensions.on_personal_data`` in their
``AppConfig.ready()`` (certificates does), so ``members`` never imports them.
"""

from members.personal_data.export import (
    EXPORT_REFUSED,
    FORMAT,
    consent_summary,
    export_allowed,
    export_person,
    export_rows,
)
from members.personal_data.parts import (
    ERASED,
    Erase,
    Part,
    PersonalValues,
    generic_pairs,
    iter_texts,
    names,
    number_fields,
    phone_spellings,
    user_links,
)
from members.personal_data.registry import (
    LINKS_NOT_FOLLOWED,
    MEMBERS_PARTS,
    NOT_EXPORTED,
    declared_fields,
    declared_links,
    not_exported,
    part,
    parts,
)

__all__ = [
    "ERASED",
    "EXPORT_REFUSED",
    "FORMAT",
    "LINKS_NOT_FOLLOWED",
    "MEMBERS_PARTS",
    "NOT_EXPORTED",
    "Erase",
    "Part",
    "PersonalValues",
    "consent_summary",
    "declared_fields",
    "declared_links",
    "export_allowed",
    "export_person",
    "export_rows",
    "generic_pairs",
    "iter_texts",
    "names",
    "not_exported",
    "number_fields",
    "part",
    "parts",
    "phone_spellings",
    "user_links",
]
