"""Ed25519 signing keys for certificates. Private keys come from settings (the environment), never
from the database. Each key has an id (one per year, e.g. ``cb2026``); old public keys stay
published so that old certificates still verify; a key can be marked compromised, and then every
signature made with it is refused.

Settings:
- ``CERTIFICATE_SIGNING_KEYS``: ``kid=<base64url 32-byte private seed>`` entries, ``;``-separated;
- ``CERTIFICATE_SIGNING_KEY_ID``: the id that signs new certificates (default: the last listed);
- ``CERTIFICATE_PUBLIC_KEYS``: retired keys whose private half is gone, ``kid=<base64url public>``;
- ``CERTIFICATE_COMPROMISED_KEY_IDS``: ids never to trust again: nothing is signed with them any
  more (``SigningKey.sign`` refuses, and a production server refuses to start while the current key
  is one of them); ``manage.py resign_certificates`` signs their valid certificates again;
- ``CERTIFICATE_DEV_KEY_FILE``: development only: where a generated key is kept when none is set.
"""

import base64
import functools
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEV_KEY_ID = "dev"


class KeyCompromised(ImproperlyConfigured):
    """Something asked to sign with a key marked compromised."""


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    public: Ed25519PublicKey
    private: Ed25519PrivateKey | None = None
    compromised: bool = False

    @property
    def public_bytes(self) -> bytes:
        return self.public.public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def status(self) -> str:
        if self.compromised:
            return "compromised"
        return "active" if self.private is not None else "retired"

    def sign(self, data: bytes) -> bytes:
        """Ed25519 signature of ``data``; refused for a compromised key or one without its private half."""
        if self.compromised:
            raise KeyCompromised(
                f"The certificate signing key {self.kid!r} is marked compromised: nothing may be signed "
                "with it. Add a new key (manage.py generate_signing_key), make it "
                "CERTIFICATE_SIGNING_KEY_ID, then run manage.py resign_certificates."
            )
        if self.private is None:
            raise ValueError(f"No private key {self.kid!r} to sign with.")
        return self.private.sign(data)

    def jwk(self) -> dict:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "use": "sig",
            "kid": self.kid,
            "x": b64url_encode(self.public_bytes),
            "status": self.status,
        }


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, SigningKey]
    current_kid: str

    @property
    def current(self) -> SigningKey:
        return self.keys[self.current_kid]

    def get(self, kid: str) -> SigningKey | None:
        return self.keys.get(kid)


def _pairs(spec: str) -> list[tuple[str, str]]:
    pairs = []
    for entry in filter(None, (part.strip() for part in spec.split(";"))):
        kid, _, value = entry.partition("=")
        if not kid or not value or not kid.isascii() or len(kid) > 16:
            raise ImproperlyConfigured(f"Bad certificate key entry {kid!r}: expected kid=base64url.")
        pairs.append((kid.strip(), value.strip()))
    return pairs


def _dev_private_seed(path: Path) -> str:
    """Development only: a key generated once and kept in a git-ignored file."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        path.write_text(b64url_encode(seed), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


@functools.cache
def _build(private_spec: str, current: str, public_spec: str, compromised: tuple[str, ...]) -> Keyring:
    keys: dict[str, SigningKey] = {}
    for kid, value in _pairs(public_spec):
        keys[kid] = SigningKey(
            kid, Ed25519PublicKey.from_public_bytes(b64url_decode(value)), None, kid in compromised
        )
    for kid, value in _pairs(private_spec):
        private = Ed25519PrivateKey.from_private_bytes(b64url_decode(value))
        keys[kid] = SigningKey(kid, private.public_key(), private, kid in compromised)
    signing = [kid for kid, key in keys.items() if key.private is not None]
    if not signing:
        raise ImproperlyConfigured("No certificate signing key: set CERTIFICATE_SIGNING_KEYS.")
    current = current or signing[-1]
    if current not in signing:
        raise ImproperlyConfigured(f"CERTIFICATE_SIGNING_KEY_ID {current!r} has no private key.")
    return Keyring(keys, current)


def keyring() -> Keyring:
    private_spec = settings.CERTIFICATE_SIGNING_KEYS
    if not private_spec and settings.CERTIFICATE_DEV_KEY_FILE:
        private_spec = f"{DEV_KEY_ID}={_dev_private_seed(Path(settings.CERTIFICATE_DEV_KEY_FILE))}"
    return _build(
        private_spec,
        settings.CERTIFICATE_SIGNING_KEY_ID,
        settings.CERTIFICATE_PUBLIC_KEYS,
        tuple(settings.CERTIFICATE_COMPROMISED_KEY_IDS),
    )


def check_current_key() -> None:
    """At start-up of a production server (CertificatesConfig.ready): refuse to run while the key
    that signs new certificates is compromised, rather than fail on the first issue."""
    current = keyring().current
    if current.compromised:
        raise KeyCompromised(
            f"CERTIFICATE_SIGNING_KEY_ID {current.kid!r} is listed in CERTIFICATE_COMPROMISED_KEY_IDS. "
            "Add a new key (manage.py generate_signing_key), sign with it, then run "
            "manage.py resign_certificates."
        )


def jwks() -> dict:
    return {"keys": [key.jwk() for key in keyring().keys.values()]}
