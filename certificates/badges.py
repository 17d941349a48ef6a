"""Open Badges 3.0: each certificate as an ``OpenBadgeCredential`` (a W3C Verifiable Credential)
with a Data Integrity proof, cryptosuite ``eddsa-jcs-2022``:

    proof options + document  →  JCS (RFC 8785) each  →  SHA-256 each  →  options hash ‖ document hash
    →  Ed25519 signature  →  multibase base58btc ("z…")

``proof`` is an array (of one proof). Each credential names its bit in the issuer's revocation list
(``credentialStatus``, a W3C Bitstring Status List v1.0 entry); the list itself is a
``BitstringStatusListCredential`` signed the same way. The achievement ``id`` and each alignment's
``targetUrl`` are pages of this site (``achievement_document``).
"""

import base64
import gzip
import hashlib
from datetime import UTC

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from django.utils import timezone

from certificates import keys, services
from certificates.models import Certificate
from courses.models import BASIC_SKILLS_FRAMEWORK

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
FRAMEWORK = f"{BASIC_SKILLS_FRAMEWORK}; mã năng lực theo Thông tư 02/2025/TT-BGDĐT"
ED25519_MULTICODEC = b"\xed\x01"
STATUS_PURPOSE = "revocation"
CRITERIA = {
    "course": f"Hoàn thành mọi bài học và đạt bài kiểm tra của từng bài. {FRAMEWORK}.",
    "profile": f"Đạt mọi bậc năng lực yêu cầu của chuẩn. {FRAMEWORK}.",
}


def _iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_id(site_url: str) -> str:
    return f"{site_url.rstrip('/')}/certificates/issuer.json"


def status_list_id(site_url: str) -> str:
    return f"{site_url.rstrip('/')}/certificates/status/{STATUS_PURPOSE}"


def achievement_id(site_url: str, kind: str, code: str) -> str:
    return f"{site_url.rstrip('/')}/achievements/{kind}/{code}"


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


def _issuer(site_url: str, name: str) -> dict:
    return {"id": issuer_id(site_url), "type": ["Profile"], "name": name, "url": site_url.rstrip("/")}


def _alignment(site_url: str, code: str, name: str, level: int) -> dict:
    return {
        "type": ["Alignment"],
        "targetName": f"{code} {name} – bậc {level}",
        "targetCode": code,
        "targetFramework": FRAMEWORK,
        "targetUrl": achievement_id(site_url, "competency", code),
        "targetType": "CFItem",
    }


def credential_status(site_url: str, index: int) -> dict:
    return {
        "id": f"{status_list_id(site_url)}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": status_list_id(site_url),
    }


def credential(certificate: Certificate, site_url: str) -> dict:
    """The unsigned credential."""
    base = site_url.rstrip("/")
    index = services.certificate_status_index(certificate=certificate)
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{certificate.uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": _issuer(site_url, certificate.issuer_name),
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
                "id": achievement_id(site_url, certificate.kind, certificate.achievement_code),
                "type": ["Achievement"],
                "achievementType": "Certificate" if certificate.kind == "course" else "Competency",
                "name": certificate.achievement_title,
                "description": certificate.achievement_title,
                "criteria": {"narrative": CRITERIA[certificate.kind]},
                "alignment": [
                    _alignment(site_url, item["code"], item["name"], item["level"])
                    for item in certificate.competencies
                ],
            },
        },
        "credentialStatus": credential_status(site_url, index),
        "evidence": [
            {"id": f"{base}/v/{certificate.serial}/", "type": ["Evidence"], "name": certificate.serial}
        ],
    }


def _hash_data(proof_options: dict, document: dict) -> bytes:
    return (
        hashlib.sha256(rfc8785.dumps(proof_options)).digest()
        + hashlib.sha256(rfc8785.dumps(document)).digest()
    )


def sign(document: dict, site_url: str, created) -> dict:
    """The document with ``proof`` (an array of one eddsa-jcs-2022 proof) by the current key."""
    key = keys.keyring().current
    proof = {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": _iso(created),
        "verificationMethod": f"{issuer_id(site_url)}#{key.kid}",
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(proof, document))
    return {**document, "proof": [{**proof, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}]}


def signed_credential(certificate: Certificate, site_url: str) -> dict:
    return sign(credential(certificate, site_url), site_url, certificate.issued_at)


def _verify_proof(proof: dict, document: dict) -> bool:
    proof = dict(proof)
    proof_value = proof.pop("proofValue", "")
    if proof.get("cryptosuite") != "eddsa-jcs-2022" or not str(proof_value).startswith("z"):
        return False
    # eddsa-jcs-2022: proof options that carry an @context must carry the document's.
    if "@context" in proof and proof["@context"] != document.get("@context"):
        return False
    key = keys.keyring().get(str(proof.get("verificationMethod", "")).rsplit("#", 1)[-1])
    if key is None or key.compromised:
        return False
    try:
        key.public.verify(base58.b58decode(proof_value[1:]), _hash_data(proof, document))
    except (InvalidSignature, ValueError):
        return False
    return True


def verify(secured: dict) -> bool:
    """Check a document's eddsa-jcs-2022 proofs, made by our keys (not compromised). ``proof`` may be
    one proof or an array; every proof in it must hold, and there must be one."""
    proofs = secured.get("proof")
    proofs = [proofs] if isinstance(proofs, dict) else proofs
    if not isinstance(proofs, list) or not proofs or not all(isinstance(p, dict) for p in proofs):
        return False
    document = {key: value for key, value in secured.items() if key != "proof"}
    return all(_verify_proof(proof, document) for proof in proofs)


# The revocation status list --------------------------------------------------------------------


def encode_bitstring(length: int, set_bits) -> str:
    """Bitstring Status List encoding: bit 0 is the left-most (most significant) bit of the first
    byte; the bytes are GZIP-compressed, then multibase base64url without padding ("u…")."""
    bits = bytearray(length // 8)
    for index in set_bits:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_bitstring(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("Not multibase base64url.")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def status_list_credential(site_url: str, bits: tuple[int, list[int]], issuing_body: str) -> dict:
    """The signed revocation list: bit ``i`` is 1 when the certificate with ``status_index`` i is no
    longer valid. Made on request (one query); its ``validFrom`` is the moment it was made."""
    length, set_bits = bits
    now = timezone.now()
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": status_list_id(site_url),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": _issuer(site_url, issuing_body),
        "validFrom": _iso(now),
        "credentialSubject": {
            "id": f"{status_list_id(site_url)}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_bitstring(length, set_bits),
        },
    }
    return sign(document, site_url, now)


# What a badge's achievement and alignments point to -------------------------------------------


def achievement_document(kind: str, item, site_url: str) -> dict:
    """A course, a competency profile or a competency as an Open Badges ``Achievement``."""
    document = {
        "@context": CONTEXT,
        "id": achievement_id(site_url, kind, item.code),
        "type": ["Achievement"],
        "humanCode": item.code,
        "creator": {"id": issuer_id(site_url), "type": ["Profile"]},
        "inLanguage": "vi",
    }
    if kind == "course":
        targets = [
            _alignment(site_url, t.competency.code, t.competency.name, t.level)
            for t in item.target_competencies.all()
        ]
        return {
            **document,
            "achievementType": "Certificate",
            "name": item.title,
            "description": item.summary or item.title,
            "criteria": {"narrative": CRITERIA["course"]},
            "alignment": targets,
        }
    if kind == "profile":
        targets = [
            _alignment(site_url, r.competency.code, r.competency.name, r.level)
            for r in item.requirements.all()
        ]
        return {
            **document,
            "achievementType": "Competency",
            "name": item.name,
            "description": item.description or item.name,
            "criteria": {"narrative": CRITERIA["profile"]},
            "alignment": targets,
        }
    framework = item.area.framework
    return {
        **document,
        "achievementType": "Competency",
        "name": item.name,
        "description": f"{item.code} {item.name} – {framework.name} ({framework.version})",
        "criteria": {"narrative": f"{FRAMEWORK}: {item.area.name}"},
        "tag": [item.area.name],
    }
