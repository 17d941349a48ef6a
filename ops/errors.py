"""Error reports to Sentry (or a compatible service) when SENTRY_DSN is set: the exception, its
stack and the request's method and path, and nothing that names a person.

The SDK is told to collect no personal data (`data_collection`, which replaces `send_default_pii`
in this SDK: no user, cookies, headers, query strings, bodies, SQL parameters, frame variables).
`scrub_event` is the second lock, for whatever an integration still attaches and for what no
option covers: an exception's message can quote a phone number (a unique-constraint error does).
Imported by the production settings: it must not import Django models.
"""

from typing import Any

from .logs import redact, request_id

OFF = {"mode": "off"}
NOTHING_PERSONAL = {
    "user_info": False,
    "cookies": OFF,
    "http_headers": {"request": OFF},
    "http_bodies": [],
    "url_query_params": OFF,
    "graphql": {"document": False, "variables": False},
    "gen_ai": {"inputs": False, "outputs": False},
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
}

# Kept from the request: enough to find the view again, nothing its sender typed or sent.
REQUEST_KEPT = ("method", "url")


def init_sentry(*, dsn: str, environment: str, release: str | None, **overrides: Any):
    """Starts the SDK. `overrides` are for tests (a transport that records)."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    return sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        # What send_default_pii=False meant, and stricter: this SDK deprecates that flag for this
        # table, where every kind of collected data is named and here turned off.
        data_collection=NOTHING_PERSONAL,
        max_request_body_size="never",
        traces_sample_rate=0,
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        integrations=[DjangoIntegration(transaction_style="url")],
        **overrides,
    )


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    event.pop("user", None)
    event.pop("server_name", None)
    request = event.get("request")
    if request is not None:
        kept = {key: request[key] for key in REQUEST_KEPT if key in request}
        if "url" in kept:
            kept["url"] = redact(kept["url"].split("?", 1)[0])
        event["request"] = kept
    for exception in event.get("exception", {}).get("values", []):
        if isinstance(exception.get("value"), str):
            exception["value"] = redact(exception["value"])
    if isinstance(event.get("logentry"), dict):
        logentry = event["logentry"]
        for key in ("message", "formatted"):
            if isinstance(logentry.get(key), str):
                logentry[key] = redact(logentry[key])
        logentry.pop("params", None)
    if isinstance(event.get("message"), str):
        event["message"] = redact(event["message"])
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        scrub_breadcrumb(crumb)
    event.setdefault("tags", {})["request_id"] = request_id.get()
    return event


def scrub_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    if isinstance(crumb.get("message"), str):
        crumb["message"] = redact(crumb["message"])
    crumb.pop("data", None)  # SQL parameters, log arguments, HTTP URLs with their query strings
    return crumb
