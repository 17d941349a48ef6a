"""The short code of an invitation: six characters the invited person reads out to their group leader.

The code proves the person agreed, so only they may see it, and it must not be guessable. It is not
stored: it is an HMAC (keyed with ``SECRET_KEY``) of a random salt kept on the invitation, so the
database alone does not give it away, and a new salt makes a new code. Checking it compares in
constant time. The alphabet leaves out characters that are easy to confuse when read aloud or
written down (0/O, 1/I/L, 5/S, 8/B, 2/Z): 25⁶ ≈ 244 million codes, and an invitation stops accepting
codes after a few wrong ones (``models.invitations.MAX_CODE_FAILURES``).
"""

import hmac
import secrets

from django.utils.crypto import salted_hmac

ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LENGTH = 6
_KEY_SALT = "members.GroupInvitation.code"


def new_salt() -> str:
    return secrets.token_hex(16)


def code_for(invitation) -> str:
    """The code, without separator: ``K7M4QX``."""
    number = int.from_bytes(salted_hmac(_KEY_SALT, invitation.code_salt, algorithm="sha256").digest())
    characters = []
    for _position in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        characters.append(ALPHABET[index])
    return "".join(characters)


def display(invitation) -> str:
    """The code as people read it: ``K7M-4QX``."""
    code = code_for(invitation)
    return f"{code[:3]}-{code[3:]}"


def normalise(typed: str) -> str:
    """What someone typed, the way it is compared: capitals, no spaces or dashes."""
    return "".join(character for character in (typed or "").upper() if character.isalnum())


def matches(invitation, typed: str) -> bool:
    return hmac.compare_digest(normalise(typed).encode(), code_for(invitation).encode())
