"""Certificates in the personal-data registry (``members.personal_data``): what the export gives a
holder, and what becomes of their certificates when their data is deleted. Registered through
``members.extensions.on_personal_data`` in CertificatesConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from certificates import services
from members.personal_data import Erase, Part, names

CERTIFICATES = Part(
    "certificates",
    "certificates.Certificate",
    by=("holder",),
    fields=names(
        "id serial uuid holder holder_name course profile achievement_code achievement_title "
        "competencies language issued_at issuer_name issued_by status revoked_at revoked_reason "
        "revoked_by key_id check_code reissued_at redownloaded_at"
    ),
    named=("issued_by", "revoked_by"),
    labels={"course": "course__title", "profile": "profile__name"},
    erase=Erase.SCRUB,
    why=(
        "Kept as non-personal stubs (serial, achievement, dates) that verify as no longer valid, and "
        "still count as earned in the statistics; name, signed payload and PDF are removed."
    ),
    not_exported={
        "payload": _("The same facts, signed: the QR code on your PDF holds them."),
        "pdf": _("The file itself: download it from “My learning”."),
        "pdf_version": _("Technical: which design the PDF was made with."),
        "status_index": _("Technical: the certificate's place in the public list of revoked certificates."),
    },
    not_followed={
        "issued_by": "Certificates a trainer issued are their holders'; issuing is in their record.",
        "revoked_by": "Certificates a trainer revoked are their holders'; revoking is in their record.",
    },
    scrub=services.stub_on_holder_erased,
)
