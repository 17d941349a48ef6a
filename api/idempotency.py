"""Idempotency-Key handling (IETF draft, as Stripe does it) for requests a phone may send again:

- no key → 400; the same key while the first request is still running → 409;
- the same key with a different body → 422; the same key and body → the stored response again.

The key's record is committed "processing" before the work starts, so that a retry finds it. The
work then runs in one transaction that holds the record's row lock and, in the same commit, turns
the record "done" with the response. The lock, not a clock, says whether the first request is still
running: a process that dies mid-request loses its database connection, PostgreSQL rolls its
transaction back and lets go of the lock, and the phone's next retry finds the key "processing" and
unlocked and does the work at once, instead of waiting out a timeout. A retry that finds the key
locked answers 409 without waiting. The work is never done twice: it runs only under the lock,
after checking the record is not done, and its effects commit with the "done".

SQLite takes no row locks, but its transactions here are IMMEDIATE: one writer at a time, so a
retry waits for the first request to finish and replays it; a dead process's transaction is rolled
back from the journal.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from api.errors import error_response
from api.models import IdempotencyRecord
from api.renderers import JSONRenderer

KEEP_FOR = timedelta(days=30)
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for FOR UPDATE NOWAIT on a locked row


class StillRunning(Exception):
    """Another request holds the key's lock: it is alive and doing the work."""


def _hash(data) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


def _in_progress():
    return error_response(409, "in_progress", _("The same request is still being processed."))


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def _lock(record: IdempotencyRecord) -> IdempotencyRecord:
    """The record, fresh and locked until the surrounding transaction ends; StillRunning if a live
    request holds it."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.select_for_update(nowait=True).get(pk=record.pk)
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise StillRunning from error
        raise


def run_once(request, scope: str, work):
    """Run ``work()`` (returning a DRF Response) at most once per (user, scope, key)."""
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key or len(key) > 255:
        return error_response(
            400,
            "idempotency_key_required",
            _("Send an Idempotency-Key header (at most 255 characters) with this request."),
        )
    digest = _hash(request.data)
    try:
        record, _created = IdempotencyRecord.objects.get_or_create(
            user=request.user, scope=scope, key=key, defaults={"request_hash": digest}
        )
    except IntegrityError:  # created by a twin and gone again (it failed) between two queries
        return _in_progress()
    if record.request_hash != digest:
        return error_response(
            422, "idempotency_key_reused", _("This key was already used with a different request.")
        )
    if record.state == IdempotencyRecord.State.DONE:
        return _replay(record)
    try:
        with transaction.atomic():
            record = _lock(record)
            if record.state == IdempotencyRecord.State.DONE:  # done while this request waited
                return _replay(record)
            response = work()
            record.state = IdempotencyRecord.State.DONE
            record.response_status = response.status_code
            # Stored as the client saw it (UUIDs and dates as strings): a replay is byte-for-byte the same.
            record.response_body = json.loads(JSONRenderer().render(response.data))
            record.save(update_fields=["state", "response_status", "response_body"])
    except StillRunning:
        return _in_progress()
    except BaseException:
        # The work failed (a 400, a bug): the key is free again for a corrected request. Unless a
        # retry has meanwhile done the work: then the record is "done" and stays.
        IdempotencyRecord.objects.filter(pk=record.pk, state=IdempotencyRecord.State.PROCESSING).delete()
        raise
    return response


def purge(now=None) -> int:
    """Forget keys older than the 30 days they are kept for."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _details = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
