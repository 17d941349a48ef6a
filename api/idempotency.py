"""Idempotency-Key handling (IETF draft, as Stripe does it) for requests a phone may send again:

- no key → 400; the same key while the first request is still running → 409;
- the same key with a different body → 422; the same key and body → the stored response again.

The record is committed before the work starts, so a concurrent retry sees it.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.errors import error_response
from members.models import IdempotencyRecord

KEEP_FOR = timedelta(days=30)
# A request that crashed without a trace leaves its key "processing"; after this it may be retried.
STALE_AFTER = timedelta(minutes=10)


def _hash(data) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


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
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=request.user, scope=scope, key=key, request_hash=digest
            )
    except IntegrityError:
        record = IdempotencyRecord.objects.get(user=request.user, scope=scope, key=key)
        if record.request_hash != digest:
            return error_response(
                422, "idempotency_key_reused", _("This key was already used with a different request.")
            )
        if record.state == IdempotencyRecord.State.PROCESSING:
            claimed = 0
            if record.created_at <= timezone.now() - STALE_AFTER:
                # Take over a stale key only if no other retry took it first: a conditional update.
                claimed = IdempotencyRecord.objects.filter(
                    pk=record.pk, state=IdempotencyRecord.State.PROCESSING, created_at=record.created_at
                ).update(created_at=timezone.now())
            if not claimed:
                return error_response(409, "in_progress", _("The same request is still being processed."))
        else:
            response = Response(record.response_body, status=record.response_status)
            response["Idempotent-Replayed"] = "true"
            return response
    try:
        response = work()
    except BaseException:
        record.delete()
        raise
    record.state = IdempotencyRecord.State.DONE
    record.response_status = response.status_code
    # Stored as the client saw it (UUIDs and dates as strings), so a replay is byte-for-byte the same.
    record.response_body = json.loads(JSONRenderer().render(response.data))
    record.save(update_fields=["state", "response_status", "response_body"])
    return response


def purge(now=None) -> int:
    """Forget keys older than the 30 days they are kept for."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _details = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
