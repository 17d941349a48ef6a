"""OpenAPI schema helpers (drf-spectacular)."""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer", "example": 400},
                "code": {"type": "string", "example": "invalid"},
                "message": {
                    "type": "string",
                    "description": "For people, in the language asked for (Accept-Language).",
                },
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": (
                        "For an invalid request: the messages for each field. A field inside a list "
                        "is named by its path, e.g. marks[3].recorded_at."
                    ),
                },
                "id": {
                    "type": "string",
                    "description": "For a server error (500): quote it when you report the problem.",
                },
            },
        }
    },
}
ERRORS = {
    "400": "The request is not valid (see error.fields).",
    "401": "No valid token: sign in at /api/v1/auth/token/.",
    "403": "Signed in, but not allowed to do this.",
    "404": "Not found, or not in your scope.",
    "413": "The body is too large: send less at a time.",
    "429": "Too many requests: wait for the number of seconds in Retry-After.",
}


def only_public_api(endpoints):
    """Describe our own API only, not the Wagtail admin's internal endpoints."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def document_errors(result, generator, request, public):
    """Every operation may answer with the one error format: say so in the schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            public_operation = not operation.get("security")
            for status, description in ERRORS.items():
                if status == "401" and public_operation:
                    continue
                if status == "400" and method == "get" and "parameters" not in operation:
                    continue
                if status == "413" and "requestBody" not in operation:
                    continue
                response = operation["responses"].setdefault(status, {"description": description})
                response.setdefault("description", description)
                response.setdefault("content", reference)
    return result
