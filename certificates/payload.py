"""The signed payload printed in a certificate's QR code. docs/certificates.md describes it byte by
byte so that anyone can write a verifier; this module is the reference implementation.

Layout (version 1), every length one unsigned byte, the date a big-endian uint16:

    version=0x01 | len kid | kid | len serial | serial | days since 2020-01-01 |
    kind (1 course, 2 profile) | len code | code | len name | name (UTF-8, NFC) | Ed25519 signature (64)

The QR carries ``<SITE URL>/V/<SERIAL>/<BASE32 PAYLOAD>`` in capitals, so the whole text fits the
QR code's compact alphanumeric mode.
"""

import base64
import datetime
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature

from certificates.keys import Keyring

VERSION = 1
EPOCH = datetime.date(2020, 1, 1)
SIGNATURE_LENGTH = 64
KIND_COURSE, KIND_PROFILE = 1, 2
MAX_NAME_BYTES = 120


class PayloadError(ValueError):
    """The payload cannot be trusted. ``reason`` is one of: malformed, unknown_key, compromised_key,
    bad_signature."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason


@dataclass(frozen=True)
class Claims:
    kid: str
    serial: str
    issued_on: datetime.date
    kind: int
    code: str
    name: str


def _field(data: bytes) -> bytes:
    if len(data) > 255:
        raise ValueError("A payload field is longer than 255 bytes.")
    return bytes([len(data)]) + data


def normalise_name(name: str) -> str:
    """NFC, single spaces, cut to what the payload can carry without breaking a character."""
    name = " ".join(unicodedata.normalize("NFC", name).split())
    encoded = name.encode("utf-8")[:MAX_NAME_BYTES]
    return encoded.decode("utf-8", errors="ignore")


def message(claims: Claims) -> bytes:
    days = (claims.issued_on - EPOCH).days
    if not 0 <= days < 2**16:
        raise ValueError("Issue date out of range.")
    return (
        bytes([VERSION])
        + _field(claims.kid.encode("ascii"))
        + _field(claims.serial.encode("ascii"))
        + days.to_bytes(2, "big")
        + bytes([claims.kind])
        + _field(claims.code.encode("utf-8"))
        + _field(normalise_name(claims.name).encode("utf-8"))
    )


def sign(claims: Claims, keyring: Keyring) -> bytes:
    """The signed payload. Refused (keys.KeyCompromised) when the key is marked compromised."""
    key = keyring.get(claims.kid)
    if key is None:
        raise ValueError(f"No private key {claims.kid!r} to sign with.")
    body = message(claims)
    return body + key.sign(body)


def decode(payload: bytes) -> Claims:
    """Parse without verifying (PayloadError "malformed" if it does not parse)."""
    try:
        if payload[0] != VERSION:
            raise PayloadError("malformed", "Unknown payload version.")
        position = 1

        def take_field() -> bytes:
            nonlocal position
            length = payload[position]
            value = payload[position + 1 : position + 1 + length]
            if len(value) != length:
                raise PayloadError("malformed", "Truncated field.")
            position += 1 + length
            return value

        kid = take_field().decode("ascii")
        serial = take_field().decode("ascii")
        days = int.from_bytes(payload[position : position + 2], "big")
        kind = payload[position + 2]
        position += 3
        code = take_field().decode("utf-8")
        name = take_field().decode("utf-8")
        if kind not in (KIND_COURSE, KIND_PROFILE) or len(payload) - position != SIGNATURE_LENGTH:
            raise PayloadError("malformed", "Bad kind or signature length.")
    except PayloadError:
        raise
    except (IndexError, UnicodeDecodeError):
        raise PayloadError("malformed", "The payload does not parse.") from None
    return Claims(kid, serial, EPOCH + datetime.timedelta(days=days), kind, code, name)


def verify(payload: bytes, keyring: Keyring) -> Claims:
    """Parse and check the signature; refuse unknown and compromised keys."""
    claims = decode(payload)
    key = keyring.get(claims.kid)
    if key is None:
        raise PayloadError("unknown_key")
    if key.compromised:
        raise PayloadError("compromised_key")
    body, signature = payload[:-SIGNATURE_LENGTH], payload[-SIGNATURE_LENGTH:]
    try:
        key.public.verify(signature, body)
    except InvalidSignature:
        raise PayloadError("bad_signature") from None
    return claims


def to_text(payload: bytes) -> str:
    return base64.b32encode(payload).decode("ascii").rstrip("=")


def from_text(text: str) -> bytes:
    cleaned = "".join(text.split()).upper()
    try:
        return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError:
        raise PayloadError("malformed", "Not base32.") from None


def qr_text(site_url: str, serial: str, payload: bytes) -> str:
    """What the QR code says: the verify address with the payload, all in capitals."""
    return f"{site_url.rstrip('/')}/V/{serial}/{to_text(payload)}".upper()


def payload_from_qr_text(text: str) -> bytes:
    """Accept the QR's whole text, a verify URL, or the bare base32 payload."""
    last = text.strip().rstrip("/").rsplit("/", 1)[-1]
    return from_text(last)
