"""A public lookup in the register, as the verify page and the API make it: limited per client
address (fairness; a carrier may put a whole commune behind one address, so the limit is generous),
and limited for wrong check codes, so that a code cannot be found by trying them all (31⁶ codes):
10 wrong ones a day for a serial from one address (``verify_code``), and 100 a day for a serial
from all addresses (``verify_code_serial``). The first is the one people meet: whoever types wrong
codes uses up their own tries, and a connection cannot lock a serial (serials are sequential: all of
them) for everyone; the ceiling bounds guessing from many addresses. The QR address needs no code."""

from dataclasses import dataclass

from django.utils.translation import gettext

from certificates import verification
from certificates.verification import Status, Verification
from members import throttling


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


def lookup(
    request, *, serial: str = "", code: str = "", payload: str | None = None
) -> Verification | Refusal:
    """Verify a QR payload, or a serial with its check code (already checked for shape)."""
    if not throttling.hit("verify", throttling.client_address(request)):
        return Refusal("address", throttling.retry_after("verify"))
    if payload:
        return verification.verify_payload(serial, payload)
    serial = verification.normalise_serial(serial)
    if not code:
        return Verification(Status.CODE_NEEDED, serial)
    # Every try is counted before the code is compared, and a right one given back: parallel guesses
    # cannot slip past the limit, and once the day's wrong codes are used up even the right code is
    # refused (otherwise the eleventh guess would still tell right from wrong).
    counters = {"verify_code": f"{serial}|{throttling.client_address(request)}", "verify_code_serial": serial}
    allowed = [throttling.hit(scope, ident) for scope, ident in counters.items()]
    if not all(allowed):
        for scope, ident in counters.items():
            throttling.give_back(scope, ident)  # a refused try is not a guess: it never reached a code
        scope = "verify_code" if not allowed[0] else "verify_code_serial"
        return Refusal("serial", throttling.retry_after(scope))
    result = verification.verify_code(serial, code)
    if result.status != Status.NO_MATCH:
        for scope, ident in counters.items():
            throttling.give_back(scope, ident)
    return result
