"""Media on S3-compatible object storage (MEDIA_STORAGE=s3), against a real S3 server (SeaweedFS on
loopback): pictures readable by anyone at S3_MEDIA_URL, lesson documents only through the app."""

import io
import json
import urllib.error
import urllib.request

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage, storages
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from lms.settings.env import env_s3_storages
from ops.storage import MediaStorage
from tests import factories
from tests.lms.test_settings import PRODUCTION, run_django
from tests.seaweed import MEDIA_BUCKET, PRIVATE_BUCKET

pytestmark = pytest.mark.django_db


def anonymous_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def stored_keys(server, bucket: str) -> set[str]:
    listing = server.client().list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listing.get("Contents", ())}


def picture(name="anh.png") -> ImageFile:
    buffer = io.BytesIO()
    PILImage.effect_noise((640, 480), 40).convert("RGB").save(buffer, format="PNG")
    return ImageFile(ContentFile(buffer.getvalue(), name=name), name=name)


def test_pictures_and_their_renditions_are_in_the_media_bucket_for_anyone_to_read(object_storage):
    image = get_image_model().objects.create(title="Màn hình VNeID", file=picture())
    rendition = image.get_rendition("width-360|format-webp")

    assert isinstance(storages["default"], MediaStorage)
    keys = stored_keys(object_storage, MEDIA_BUCKET)
    assert image.file.name in keys and rendition.file.name in keys
    assert rendition.url.startswith(object_storage.media_url)
    status, body = anonymous_get(rendition.url)
    assert status == 200 and body[:4] == b"RIFF"  # WebP, read without any credential


def test_two_pictures_with_one_name_keep_two_files(object_storage):
    first = get_image_model().objects.create(title="Một", file=picture("chup.png"))
    second = get_image_model().objects.create(title="Hai", file=picture("chup.png"))
    assert first.file.name != second.file.name
    assert {first.file.name, second.file.name} <= stored_keys(object_storage, MEDIA_BUCKET)


def test_a_lesson_document_is_kept_privately_and_served_only_by_the_app(object_storage, client):
    content = b"%PDF-1.4 huong dan nop ho so truc tuyen"
    document = get_document_model().objects.create(
        title="Hướng dẫn", file=ContentFile(content, name="huong-dan.pdf")
    )
    name = document.file.name
    assert name.startswith("documents/")
    assert name in stored_keys(object_storage, PRIVATE_BUCKET)
    assert name not in stored_keys(object_storage, MEDIA_BUCKET)

    # Its name is in its address (/documents/<id>/huong-dan.pdf): it must open nothing elsewhere.
    assert anonymous_get(f"{object_storage.media_url}{name}")[0] in (403, 404)
    assert anonymous_get(f"{object_storage.endpoint_url}/{PRIVATE_BUCKET}/{name}")[0] == 403

    # The app streams it to whoever may see it (here an administrator: it is in no page yet).
    client.force_login(factories.admin())
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content


def test_deleting_a_document_deletes_its_object(object_storage):
    document = get_document_model().objects.create(title="Cũ", file=ContentFile(b"%PDF-1.4", name="cu.pdf"))
    name = document.file.name
    document.file.delete(save=False)
    assert not default_storage.exists(name)
    assert name not in stored_keys(object_storage, PRIVATE_BUCKET)


def test_readiness_asks_both_buckets_and_fails_with_a_wrong_key(object_storage, client, settings):
    ready = json.loads(client.get("/readyz").content)
    assert ready["checks"]["storage"] == "ok"

    settings.STORAGES = {**settings.STORAGES, **object_storage.storages(secret_key="not-the-key")}
    response = client.get("/readyz")
    assert response.status_code == 503 and json.loads(response.content)["checks"]["storage"] == "fail"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({}, "MEDIA_STORAGE=s3 needs S3_MEDIA_BUCKET, S3_PRIVATE_BUCKET, S3_MEDIA_URL"),
        (
            {"S3_MEDIA_BUCKET": "a", "S3_PRIVATE_BUCKET": "a", "S3_MEDIA_URL": "https://x.vn/media/"},
            "must differ",
        ),
        (
            {"S3_MEDIA_BUCKET": "a", "S3_PRIVATE_BUCKET": "b", "S3_MEDIA_URL": "x.vn/media"},
            "S3_MEDIA_URL must be an http",
        ),
    ],
    ids=["nothing", "one-bucket", "no-scheme"],
)
def test_object_storage_settings_refuse_what_would_not_work(monkeypatch, environment, message):
    for name in ("S3_MEDIA_BUCKET", "S3_PRIVATE_BUCKET", "S3_MEDIA_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        env_s3_storages()


def test_production_settings_put_media_on_object_storage_when_asked():
    """MEDIA_STORAGE=s3 in a fresh process with the production settings (nothing contacted)."""
    program = (
        "from django.core.files.storage import storages;"
        "d, c = storages['default'], storages['certificates'];"
        "print(type(d).__name__, d.public.bucket_name, d.private.bucket_name, d.url('images/a.webp'),"
        " type(c).__name__, c.bucket_name, c.querystring_auth, c.querystring_expire, c.file_overwrite)"
    )
    result = run_django(
        ["shell", "--no-imports", "-c", program],
        **PRODUCTION,
        MEDIA_STORAGE="s3",
        S3_MEDIA_BUCKET="hocso-media",
        S3_PRIVATE_BUCKET="hocso-private",
        S3_MEDIA_URL="https://hocso.example.vn/media/",
        S3_ENDPOINT_URL="http://10.0.0.5:8333",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [
        "MediaStorage",
        "hocso-media",
        "hocso-private",
        "https://hocso.example.vn/media/images/a.webp",
        "S3Storage",
        "hocso-private",
        "True",
        "60",
        "False",
    ]
