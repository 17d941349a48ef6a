"""The signed QR payload: round trip, tampering, keys (docs/certificates.md)."""

import datetime
import random

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import keys
from certificates import payload as payloads

CLAIMS = payloads.Claims(
    "cb2026", "CB-2026-000123", datetime.date(2026, 11, 28), 1, "BDHVS-02", "Nguyễn Thị Hồng Nhung"
)


def ring(*kids, compromised=(), retired=()):
    private = ";".join(
        f"{kid}={keys.b64url_encode(Ed25519PrivateKey.generate().private_bytes_raw())}" for kid in kids
    )
    public = ";".join(
        f"{kid}={keys.b64url_encode(Ed25519PrivateKey.generate().public_key().public_bytes_raw())}"
        for kid in retired
    )
    return keys._build(private, "", public, tuple(compromised))


def test_a_signed_payload_round_trips_through_the_qr_text():
    keyring = ring("cb2026")
    payload = payloads.sign(CLAIMS, keyring)
    text = payloads.qr_text("https://hocso.example.vn", CLAIMS.serial, payload)
    assert text.startswith("HTTPS://HOCSO.EXAMPLE.VN/V/CB-2026-000123/") and text == text.upper()
    assert payloads.verify(payloads.payload_from_qr_text(text), keyring) == CLAIMS
    assert payloads.verify(payloads.payload_from_qr_text(text.lower()), keyring) == CLAIMS


def test_the_payload_stays_small_and_the_qr_code_compact():
    payload = payloads.sign(CLAIMS, ring("cb2026"))
    assert len(payload) < 200
    qr = segno.make(payloads.qr_text("https://hocso.caobang.gov.vn", CLAIMS.serial, payload), error="m")
    assert qr.mode == "alphanumeric" and qr.version <= 10


def test_the_layout_is_the_documented_one():
    body = payloads.message(CLAIMS)
    assert body[:2] == bytes([1, 6]) and body[2:8] == b"cb2026"
    assert body[8] == 14 and body[9:23] == b"CB-2026-000123"
    assert int.from_bytes(body[23:25], "big") == 2523  # days since 2020-01-01
    assert body[25] == 1 and body[26] == 8 and body[27:35] == b"BDHVS-02"
    assert body[35] == 27 and body[36:].decode() == "Nguyễn Thị Hồng Nhung"


def test_a_thousand_single_byte_mutations_are_all_refused():
    keyring = ring("cb2026")
    payload = payloads.sign(CLAIMS, keyring)
    rng = random.Random(2026)
    for _ in range(1000):
        mutated = bytearray(payload)
        position = rng.randrange(len(mutated))
        mutated[position] ^= rng.randrange(1, 256)
        with pytest.raises(payloads.PayloadError):
            payloads.verify(bytes(mutated), keyring)


def test_truncated_and_extended_payloads_are_malformed():
    keyring = ring("cb2026")
    payload = payloads.sign(CLAIMS, keyring)
    for broken in (payload[:-1], payload + b"\x00", b"", b"\x02" + payload[1:]):
        with pytest.raises(payloads.PayloadError) as caught:
            payloads.verify(broken, keyring)
        assert caught.value.reason in {"malformed", "bad_signature"}


def test_a_compromised_key_and_an_unknown_key_are_refused():
    signer = ring("cb2025", "cb2026")
    payload = payloads.sign(payloads.Claims(**{**CLAIMS.__dict__, "kid": "cb2025"}), signer)
    compromised = keys._build(
        ";".join(
            f"{k.kid}={keys.b64url_encode(k.private.private_bytes_raw())}" for k in signer.keys.values()
        ),
        "cb2026",
        "",
        ("cb2025",),
    )
    with pytest.raises(payloads.PayloadError) as caught:
        payloads.verify(payload, compromised)
    assert caught.value.reason == "compromised_key"
    with pytest.raises(payloads.PayloadError) as caught:
        payloads.verify(payload, ring("cb2026"))
    assert caught.value.reason == "unknown_key"


def test_another_key_with_the_same_id_is_a_forgery():
    payload = payloads.sign(CLAIMS, ring("cb2026"))
    with pytest.raises(payloads.PayloadError) as caught:
        payloads.verify(payload, ring("cb2026"))
    assert caught.value.reason == "bad_signature"


def test_names_are_normalised_to_nfc_and_single_spaces():
    decomposed = "Nguye\u0302\u0303n  Thi\u0323"
    assert payloads.normalise_name(decomposed) == "Nguyễn Thị"
    assert len(payloads.normalise_name("Ữ" * 100).encode()) <= payloads.MAX_NAME_BYTES


def test_the_jwk_set_publishes_every_key_with_its_status():
    keyring = ring("cb2025", "cb2026", compromised=("cb2025",), retired=("cb2024",))
    statuses = {key.kid: key.jwk()["status"] for key in keyring.keys.values()}
    assert statuses == {"cb2024": "retired", "cb2025": "compromised", "cb2026": "active"}
    jwk = keyring.current.jwk()
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and len(keys.b64url_decode(jwk["x"])) == 32
    assert "d" not in jwk  # never the private half
