"""What a verifier learns about a certificate: from the register, and from the QR's signature.

The register must not be walkable: a serial typed by hand (``/v/<serial>/``, the API with
``serial=``) shows nothing, not even whether the serial exists, until the check code printed beside
it matches; the QR's signed payload proves on its own that the visitor holds the paper. Every
verdict, its title and its wording live here, for the HTML page, the API and the command line alike.
"""

import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certificates import keys
from certificates import payload as payloads
from certificates.models import CHECK_CODE_ALPHABET, CHECK_CODE_LENGTH, Certificate


class Status(models.TextChoices):
    """A verdict. Only ``valid`` means "accept it"; every other one is shown as not valid."""

    # In the register, not revoked, signed with a trusted key (and the payload, if given, matches).
    VALID = "valid", _("Valid certificate")
    # In the register, revoked (``certificate.revoked_at``, ``revoked_reason``).
    REVOKED = "revoked", _("Revoked")
    # Signed with a key marked compromised: this copy proves nothing; the holder downloads a new one
    # (``manage.py resign_certificates`` signs the valid certificates again).
    KEY_COMPROMISED = "key_compromised", _("Ask for a new copy")
    # A genuine payload whose details differ from the register (for example a corrected name).
    MISMATCH = "mismatch", _("Check the details")
    # The payload's signature is wrong, its key unknown, or it names another certificate.
    FORGED = "forged", _("Not genuine")
    # A genuine payload for a serial the register does not hold.
    UNKNOWN = "unknown", _("Not in the register")
    # In the register, but the holder asked for their data to be deleted: a stub without a name.
    ERASED = "erased", _("No longer valid")
    # A serial typed by hand, without its check code: nothing is said about it.
    CODE_NEEDED = "code_needed", _("Type the check code")
    # A serial and a check code that do not belong together, or an unknown serial: the same answer.
    NO_MATCH = "no_match", _("Number and check code do not match")


# What a serial can look like (CB-2026-000123). Anything else names no certificate and never reaches
# the database (which would refuse, say, a NUL byte with an error instead of an answer).
SERIAL_SHAPE = re.compile(r"[A-Z0-9-]{1,40}")
CODE_SHAPE = re.compile(rf"[{CHECK_CODE_ALPHABET}]{{{CHECK_CODE_LENGTH}}}")


@dataclass
class Verification:
    status: Status
    serial: str
    # Set only when the visitor proved they hold the paper (the check code, or the payload itself).
    certificate: Certificate | None = None
    # Set only when the payload's signature was checked and is genuine.
    claims: payloads.Claims | None = None
    reason: str = ""

    @property
    def signature_checked(self) -> bool:
        return self.claims is not None

    @property
    def is_valid(self) -> bool:
        return self.status == Status.VALID

    @property
    def tone(self) -> str:
        """How the page colours it: ``valid``, ``caution`` (compare with the paper) or ``invalid``
        (do not accept); a new status is ``invalid`` unless said otherwise."""
        if self.status == Status.VALID:
            return "valid"
        return "caution" if self.status == Status.MISMATCH else "invalid"

    @property
    def title(self) -> str:
        return str(Status(self.status).label)

    @property
    def messages(self) -> list[str]:
        """The verdict in sentences, for people. Never says "genuine" of a copy that is not valid
        without saying in the same breath why it is not."""
        certificate = self.certificate
        if self.status == Status.VALID:
            said = [gettext("This certificate was issued by HọcSố and has not been revoked.")]
            if self.signature_checked:
                said.append(gettext("The signature in the QR code is genuine."))
            return said
        if self.status == Status.REVOKED:
            when = date_format(timezone.localtime(certificate.revoked_at), "d/m/Y")
            if self.signature_checked:
                said = [
                    gettext("The code on the paper is HọcSố's, but the certificate was revoked on %(date)s.")
                    % {"date": when}
                ]
            else:
                said = [gettext("This certificate was revoked on %(date)s.") % {"date": when}]
            if certificate.revoked_reason:
                said.append(gettext("Reason: %(reason)s") % {"reason": certificate.revoked_reason})
            said.append(gettext("Do not accept it."))
            return said
        if self.status == Status.ERASED:
            return [
                gettext(
                    "This certificate is no longer valid: the holder's data was deleted at their request. "
                    "Do not accept it."
                )
            ]
        if self.status == Status.KEY_COMPROMISED:
            return [
                gettext(
                    "This copy was signed with a key that HọcSố no longer trusts, so it proves nothing. "
                    "Ask the holder for a newly downloaded copy."
                )
            ]
        if self.status == Status.MISMATCH:
            return [
                gettext(
                    "The code is genuine, but the register now holds different details (for example a "
                    "corrected name). Compare them with the paper."
                )
            ]
        if self.status == Status.FORGED:
            return [
                gettext(
                    "The code on this certificate was not signed by HọcSố, or it was changed or read "
                    "incompletely. Do not accept it."
                )
            ]
        if self.status == Status.UNKNOWN:
            return [
                gettext(
                    "The code was signed by HọcSố, but no certificate with the number %(serial)s is in the "
                    "register. Do not accept it."
                )
                % {"serial": self.serial}
            ]
        if self.status == Status.NO_MATCH:
            return [
                gettext(
                    "This number and this check code do not belong together. Check both on the paper and "
                    "try again, or scan the QR code."
                )
            ]
        return [
            gettext(
                "Type the check code printed beside the certificate's number (6 letters and digits), or "
                "scan the QR code."
            )
        ]


def normalise_serial(serial: str) -> str:
    return (serial or "").strip().upper()


def normalise_code(code: str) -> str:
    """What people type from paper: any case, spaces or a dash between the halves."""
    return re.sub(r"[\s-]", "", code or "").upper()


def code_is_well_formed(code: str) -> bool:
    return bool(CODE_SHAPE.fullmatch(normalise_code(code)))


def _register(serial: str) -> Certificate | None:
    if not SERIAL_SHAPE.fullmatch(serial):
        return None
    return Certificate.objects.select_related("course", "profile").filter(serial=serial).first()


def _key_compromised(certificate: Certificate) -> bool:
    return certificate.key_id in settings.CERTIFICATE_COMPROMISED_KEY_IDS


def _judge(certificate: Certificate, claims: payloads.Claims | None = None) -> Verification:
    """The verdict on a certificate the visitor has shown they hold (by code, or by its payload)."""
    serial = certificate.serial
    if certificate.status == Certificate.Status.HOLDER_ERASED:
        # Nothing about the holder, not even the name a genuine QR code carries.
        return Verification(Status.ERASED, serial, certificate, None)
    if not certificate.is_valid:
        return Verification(Status.REVOKED, serial, certificate, claims)
    if _key_compromised(certificate):
        return Verification(Status.KEY_COMPROMISED, serial, certificate, None, "compromised_key")
    if claims is not None and (
        claims.name != certificate.holder_name
        or claims.code != certificate.achievement_code
        or claims.issued_on != timezone.localdate(certificate.issued_at)
    ):
        return Verification(Status.MISMATCH, serial, certificate, claims)
    return Verification(Status.VALID, serial, certificate, claims)


def verify_code(serial: str, code: str) -> Verification:
    """A serial typed by hand with its check code. An unknown serial and a wrong code answer alike."""
    serial = normalise_serial(serial)
    if not code:
        return Verification(Status.CODE_NEEDED, serial)
    certificate = _register(serial)
    # Compared in constant time; an unknown serial is compared too, against nothing that can match.
    expected = certificate.check_code if certificate is not None else "-" * CHECK_CODE_LENGTH
    if not hmac.compare_digest(normalise_code(code).encode(), expected.encode()) or certificate is None:
        return Verification(Status.NO_MATCH, serial)
    return _judge(certificate)


def verify_payload(serial: str, payload_text: str) -> Verification:
    """The address in the QR code (or its text): the signed payload, checked against the register."""
    serial = normalise_serial(serial)
    try:
        raw = payloads.payload_from_qr_text(payload_text)
    except payloads.PayloadError as error:
        return Verification(Status.FORGED, serial, None, None, error.reason)
    try:
        claims = payloads.verify(raw, keys.keyring())
    except payloads.PayloadError as error:
        if error.reason == "compromised_key":
            return _compromised_payload(serial, raw)
        return Verification(Status.FORGED, serial, None, None, error.reason)
    if serial and claims.serial != serial:
        return Verification(Status.FORGED, serial, None, None, "serial_mismatch")
    certificate = _register(claims.serial)
    if certificate is None:
        return Verification(Status.UNKNOWN, claims.serial, None, claims)
    return _judge(certificate, claims)


def _compromised_payload(serial: str, raw: bytes) -> Verification:
    """A payload signed with a compromised key proves nothing: whoever stole the key can sign any
    serial, so the register is consulted only when the bytes are exactly the ones the register
    printed on that certificate (then the visitor holds that paper, and gets the same verdict as
    the serial page with its check code: revoked, or "ask for a new copy")."""
    claims = payloads.decode(raw)
    if not serial or claims.serial == serial:
        certificate = _register(claims.serial)
        if certificate is not None and hmac.compare_digest(bytes(certificate.payload), raw):
            return _judge(certificate)
    return Verification(Status.KEY_COMPROMISED, serial or claims.serial, None, None, "compromised_key")


def verify(serial: str = "", payload_text: str | None = None, code: str | None = None) -> Verification:
    """Either a payload (the QR code), or a serial with its check code."""
    if payload_text:
        return verify_payload(serial, payload_text)
    return verify_code(serial, code or "")
