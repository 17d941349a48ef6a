import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _hosts(settings, tmp_path):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.MEDIA_ROOT = tmp_path / "media"


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
