"""OpenAPI schema helpers (drf-spectacular)."""


def only_public_api(endpoints):
    """Describe our own API only, not the Wagtail admin's internal endpoints."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
