"""The API's rows in the personal-data registry (``members.personal_data``), registered through
``members.extensions.on_personal_data`` in ApiConfig.ready()."""

from members.personal_data import Erase, Part, names

SYNC_REQUESTS = Part(
    "sync_requests",
    "api.IdempotencyRecord",
    by=names("user"),
    fields=names("id user key scope request_hash state response_status response_body created_at"),
    erase=Erase.DELETE,
    why="Replies kept for the person's phone to retry a sending: no use without them.",
)
