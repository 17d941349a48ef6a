"""What a verifier learns about a certificate: from the register, and from the QR's signature."""

import re
from dataclasses import dataclass

from django.utils import timezone

from certificates import keys
from certificates import payload as payloads
from certificates.models import Certificate


@dataclass
class Verification:
    """``status`` is one of:

    - ``valid``: in the register and not revoked (and the payload, if given, is genuine and matches);
    - ``revoked``: in the register, revoked (``certificate.revoked_at``, ``revoked_reason``);
    - ``unknown``: no certificate with this serial, and no genuine payload;
    - ``forged``: the payload's signature is wrong, its key unknown or compromised, or it names
      another certificate than the address;
    - ``mismatch``: a genuine payload whose details differ from the register (a corrected name);
    - ``erased``: in the register, no longer valid because the holder's data was deleted: nothing
      personal is returned, not even the name a genuine QR payload carries (``claims`` is None).
    """

    status: str
    serial: str
    certificate: Certificate | None = None
    claims: payloads.Claims | None = None
    reason: str = ""

    @property
    def signature_checked(self) -> bool:
        return self.claims is not None


# What a serial can look like (CB-2026-000123). Anything else names no certificate and never reaches
# the database (which would refuse, say, a NUL byte with an error instead of an answer).
SERIAL_SHAPE = re.compile(r"[A-Z0-9-]{1,40}")


def verify(serial: str, payload_text: str | None = None) -> Verification:
    serial = serial.strip().upper()
    if serial and not SERIAL_SHAPE.fullmatch(serial):
        return Verification("unknown", serial.replace("\x00", "")[:40], None, None)
    certificate = (
        Certificate.objects.select_related("course", "profile").filter(serial=serial).first()
        if serial
        else None
    )
    claims = None
    if payload_text:
        try:
            claims = payloads.verify(payloads.payload_from_qr_text(payload_text), keys.keyring())
        except payloads.PayloadError as error:
            return Verification("forged", serial, certificate, None, error.reason)
        if serial and claims.serial != serial:
            return Verification("forged", serial, certificate, claims, "serial_mismatch")
        serial = claims.serial
        if certificate is None:
            certificate = (
                Certificate.objects.select_related("course", "profile").filter(serial=serial).first()
            )
    if certificate is None:
        return Verification("unknown", serial, None, claims)
    if certificate.status == Certificate.Status.HOLDER_ERASED:
        return Verification("erased", serial, certificate, None)
    if not certificate.is_valid:
        return Verification("revoked", serial, certificate, claims)
    if claims is not None and (
        claims.name != certificate.holder_name
        or claims.code != certificate.achievement_code
        or claims.issued_on != timezone.localdate(certificate.issued_at)
    ):
        return Verification("mismatch", serial, certificate, claims)
    return Verification("valid", serial, certificate, claims)
