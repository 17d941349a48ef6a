import datetime
import uuid

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from attendance.services import MarkInput, SessionInput


@pytest.fixture(autouse=True)
def _media(isolated_media):
    """Each API test writes its files (PDFs, uploads) in its own folders."""


@pytest.fixture
def api():
    """``api(user)``: a client that sends ``user``'s token (``api(None)``: anonymous)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            _instance, token = AuthToken.objects.create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return make


def sync_inputs(body: dict) -> dict:
    """A sync request body as the view hands it to ``attendance_sync`` after parsing it."""
    parse = datetime.datetime.fromisoformat
    sessions = [
        SessionInput(uuid.UUID(s["uuid"]), s["group"], parse(s["starts_at"]), s["topic"], s["place"])
        for s in body["sessions"]
    ]
    marks = [
        MarkInput(
            uuid.UUID(m["uuid"]),
            uuid.UUID(m["session"]),
            m["member"],
            m["status"],
            parse(m["recorded_at"]),
            m["device_id"],
        )
        for m in body["marks"]
    ]
    return {"sessions": sessions, "marks": marks}
