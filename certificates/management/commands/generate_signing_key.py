from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand

from certificates.keys import b64url_encode


class Command(BaseCommand):
    help = "Print a new Ed25519 certificate signing key as a CERTIFICATE_SIGNING_KEYS entry."

    def add_arguments(self, parser):
        parser.add_argument("kid", help="Key id, e.g. cb2027 (one per year)")

    def handle(self, *args, kid: str, **options):
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        self.stdout.write(f"{kid}={b64url_encode(seed)}")
        self.stderr.write(
            "Keep this secret (a secrets manager, not the repository). Add it to CERTIFICATE_SIGNING_KEYS "
            "(entries separated by ';'), set CERTIFICATE_SIGNING_KEY_ID to sign with it, and keep old keys "
            "listed so that their certificates still verify."
        )
