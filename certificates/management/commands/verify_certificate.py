"""Check a certificate offline: its QR text (or verify URL, or bare payload), or a certificate PDF.

    manage.py verify_certificate "HTTPS://HOCSO.EXAMPLE.VN/V/CB-2026-000123/AEDG…"
    manage.py verify_certificate CB-2026-000123.pdf --keys keys.json --offline

Exit status 0 when the signature is genuine (and, unless --offline, the register says valid).
"""

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management.base import BaseCommand, CommandError
from pypdf import PdfReader

from certificates import keys, verification
from certificates import payload as payloads


def keyring_from_jwks(path: Path) -> keys.Keyring:
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = {
        key["kid"]: keys.SigningKey(
            key["kid"],
            Ed25519PublicKey.from_public_bytes(keys.b64url_decode(key["x"])),
            None,
            key.get("status") == "compromised",
        )
        for key in data["keys"]
    }
    return keys.Keyring(entries, next(iter(entries), ""))


def qr_text_from_pdf(path: Path) -> str:
    """The QR text is also written into the PDF's keywords, so no image decoding is needed."""
    metadata = PdfReader(str(path)).metadata or {}
    text = (metadata.get("/Keywords") or "").strip()
    if not text:
        raise CommandError(f"{path} carries no HọcSố certificate code.")
    return text


class Command(BaseCommand):
    help = "Verify a HọcSố certificate from its QR text or its PDF, against the published keys."

    def add_arguments(self, parser):
        parser.add_argument("source", help="QR text, verify URL, base32 payload, or a .pdf file")
        parser.add_argument(
            "--keys",
            dest="keys_file",
            type=Path,
            help="A JWK set (keys.json) to use instead of this server's keys",
        )
        parser.add_argument(
            "--offline", action="store_true", help="Check the signature only, not the register"
        )

    def handle(self, *args, source, keys_file: Path | None, offline: bool, **options):
        path = Path(source)
        text = qr_text_from_pdf(path) if source.lower().endswith(".pdf") and path.exists() else source
        if offline:
            self._signature_only(text, keyring_from_jwks(keys_file) if keys_file else keys.keyring())
            return
        # Against the register: the same verdict, in the same words, as the verify page and the API.
        result = verification.verify_payload("", text)
        if result.signature_checked:
            self.stdout.write(self.style.SUCCESS("Signature: genuine"))
            self._claims(result.claims)
        style = self.style.SUCCESS if result.is_valid else self.style.ERROR
        self.stdout.write(style(f"Register: {result.status}"))
        for sentence in result.messages:
            self.stdout.write(f"  {sentence}")
        if not result.is_valid:
            raise SystemExit(1)

    def _signature_only(self, text: str, ring) -> None:
        """Offline: is the QR code signed by one of these keys (and not a compromised one)?"""
        try:
            claims = payloads.verify(payloads.payload_from_qr_text(text), ring)
        except payloads.PayloadError as error:
            if error.reason == "compromised_key":
                self.stdout.write(
                    self.style.ERROR(
                        "NOT VALID: key_compromised: signed with a key that is no longer trusted; "
                        "ask the holder for a newly downloaded copy"
                    )
                )
            else:
                self.stdout.write(self.style.ERROR(f"NOT GENUINE: {error.reason}"))
            raise SystemExit(1) from None
        self.stdout.write(self.style.SUCCESS("Signature: genuine"))
        self._claims(claims)

    def _claims(self, claims) -> None:
        kind = "course" if claims.kind == payloads.KIND_COURSE else "competency profile"
        self.stdout.write(f"  serial      {claims.serial}")
        self.stdout.write(f"  holder      {claims.name}")
        self.stdout.write(f"  achievement {claims.code} ({kind})")
        self.stdout.write(f"  issued      {claims.issued_on.isoformat()}")
        self.stdout.write(f"  key         {claims.kid}")
