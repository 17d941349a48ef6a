"""A public lookup in the register, as the verify page and the API make it: limited per client
address (fairness; a carrier may put a whole commune behind one address, so the limit is generous),
and limited per serial for wrong check codes, so that a code cannot be found by trying them all
(31⁶ codes, 10 tries a day)."""

import time
from dataclasses import dataclass

from django.utils.translation import gettext

from certificates import verification
from certificates.verification import Status, Verification
from members import throttling

LOOKUPS_PER_MINUTE = 60
WRONG_CODES_PER_DAY = 10
DAY = 24 * 60 * 60


@dataclass(frozen=True)
class Refusal:
    """Too many lookups: ``reason`` is ``address`` (this connection) or ``serial`` (wrong codes)."""

    reason: str
    retry_after: int

    @property
    def message(self) -> str:
        if self.reason == "serial":
            return gettext(
                "Too many wrong check codes were typed for this number today. Scan the QR code on the "
                "certificate instead, or try again tomorrow."
            )
        return gettext(
            "Many certificates were checked from this connection in the last minute. Please wait a minute "
            "and try again."
        )


def _seconds_left(period: int) -> int:
    return int(period - time.time() % period) + 1


def lookup(
    request, *, serial: str = "", code: str = "", payload: str | None = None
) -> Verification | Refusal:
    """Verify a QR payload, or a serial with its check code (already checked for shape)."""
    if not throttling.hit("verify", throttling.client_address(request), LOOKUPS_PER_MINUTE):
        return Refusal("address", _seconds_left(60))
    if payload:
        return verification.verify_payload(serial, payload)
    serial = verification.normalise_serial(serial)
    if not code:
        return Verification(Status.CODE_NEEDED, serial)
    # Every try is counted before the code is compared, and a right one given back: parallel guesses
    # cannot slip past the limit, and once the day's wrong codes are used up even the right code is
    # refused (otherwise the eleventh guess would still tell right from wrong).
    if not throttling.hit("verify-code", serial, WRONG_CODES_PER_DAY, DAY):
        return Refusal("serial", _seconds_left(DAY))
    result = verification.verify_code(serial, code)
    if result.status != Status.NO_MATCH:
        throttling.give_back("verify-code", serial, DAY)
    return result
