"""Open Badges 3.0: each certificate as an ``OpenBadgeCredential`` (a W3C Verifiable Credential)
with a Data Integrity proof, cryptosuite ``eddsa-jcs-2022``:

    proof options + document  →  JCS (RFC 8785) each  →  SHA-256 each  →  options hash ‖ document hash
    →  Ed25519 signature  →  multibase base58btc ("z…")
"""

import hashlib
from datetime import UTC

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature

from certificates import keys
from certificates.models import Certificate

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
FRAMEWORK = "Thông tư 02/2025/TT-BGDĐT – Khung năng lực số"
ED25519_MULTICODEC = b"\xed\x01"


def _iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_id(site_url: str) -> str:
    return f"{site_url.rstrip('/')}/certificates/issuer.json"


def multikey(site_url: str, key: keys.SigningKey) -> dict:
    return {
        "id": f"{issuer_id(site_url)}#{key.kid}",
        "type": "Multikey",
        "controller": issuer_id(site_url),
        "publicKeyMultibase": "z" + base58.b58encode(ED25519_MULTICODEC + key.public_bytes).decode("ascii"),
    }


def issuer_profile(site_url: str, issuing_body: str) -> dict:
    ring = keys.keyring()
    usable = [key for key in ring.keys.values() if not key.compromised]
    return {
        "@context": CONTEXT,
        "id": issuer_id(site_url),
        "type": ["Profile"],
        "name": issuing_body,
        "url": site_url,
        "verificationMethod": [multikey(site_url, key) for key in usable],
        "assertionMethod": [f"{issuer_id(site_url)}#{key.kid}" for key in usable],
    }


def credential(certificate: Certificate, site_url: str) -> dict:
    """The unsigned credential."""
    base = site_url.rstrip("/")
    achievement_url = f"{base}/v/{certificate.serial}/"
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{certificate.uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer_id(site_url),
            "type": ["Profile"],
            "name": certificate.issuer_name,
            "url": base,
        },
        "validFrom": _iso(certificate.issued_at),
        "name": certificate.achievement_title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                }
            ],
            "achievement": {
                "id": f"{base}/achievements/{certificate.kind}/{certificate.achievement_code}",
                "type": ["Achievement"],
                "achievementType": "Certificate" if certificate.kind == "course" else "Competency",
                "name": certificate.achievement_title,
                "description": certificate.achievement_title,
                "criteria": {
                    "narrative": "Hoàn thành mọi bài học và đạt bài kiểm tra của từng bài."
                    if certificate.kind == "course"
                    else "Đạt mọi mức năng lực yêu cầu của chuẩn."
                },
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": f"{item['code']} {item['name']} – mức {item['level']}",
                        "targetCode": item["code"],
                        "targetFramework": FRAMEWORK,
                        "targetUrl": f"{base}/achievements/competency/{item['code']}",
                        "targetType": "CFItem",
                    }
                    for item in certificate.competencies
                ],
            },
        },
        "evidence": [{"id": achievement_url, "type": ["Evidence"], "name": certificate.serial}],
    }


def _hash_data(proof_options: dict, document: dict) -> bytes:
    return (
        hashlib.sha256(rfc8785.dumps(proof_options)).digest()
        + hashlib.sha256(rfc8785.dumps(document)).digest()
    )


def sign(document: dict, site_url: str, created) -> dict:
    ring = keys.keyring()
    key = ring.current
    proof = {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": _iso(created),
        "verificationMethod": f"{issuer_id(site_url)}#{key.kid}",
        "proofPurpose": "assertionMethod",
    }
    signature = key.private.sign(_hash_data(proof, document))
    return {**document, "proof": {**proof, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}}


def signed_credential(certificate: Certificate, site_url: str) -> dict:
    return sign(credential(certificate, site_url), site_url, certificate.issued_at)


def verify(secured: dict) -> bool:
    """Check an eddsa-jcs-2022 proof made by one of our keys (not compromised)."""
    proof = dict(secured.get("proof") or {})
    proof_value = proof.pop("proofValue", "")
    document = {key: value for key, value in secured.items() if key != "proof"}
    if proof.get("cryptosuite") != "eddsa-jcs-2022" or not proof_value.startswith("z"):
        return False
    key = keys.keyring().get(proof.get("verificationMethod", "").rsplit("#", 1)[-1])
    if key is None or key.compromised:
        return False
    try:
        key.public.verify(base58.b58decode(proof_value[1:]), _hash_data(proof, document))
    except (InvalidSignature, ValueError):
        return False
    return True
