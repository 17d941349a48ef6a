"""Pictures, video and audio in lessons: light on the wire, never processed on the request path."""

import gzip
import io
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from courses.renditions import prepare_page_renditions
from tests import factories
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ALLOWED_HOSTS = ["testserver"]


def photo(width=2400, height=1600):
    """A phone photo: noisy enough that it does not compress to nothing."""
    image = PILImage.effect_noise((width, height), 40).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return get_image_model().objects.create(
        title="Ảnh chụp", file=ImageFile(ContentFile(buffer.getvalue(), name="anh.jpg"), name="anh.jpg")
    )


def document(name):
    return get_document_model().objects.create(title=name, file=ContentFile(b"\x00" * 2048, name=name))


def lesson_with(blocks, capture=None):
    lesson = factories.course(lessons=1, questions=1).lessons().get()
    lesson.body = blocks + list(lesson.body.raw_data)
    lesson.save()
    if capture is None:
        return factories.publish(lesson)
    with capture(execute=True):
        return factories.publish(lesson)


def test_a_lesson_with_a_photo_stays_within_60_kb_on_first_load(client):
    image = photo()
    value = {"image": image.pk, "alt": "Màn hình VNeID", "caption": "Mở ứng dụng"}
    lesson = lesson_with([{"type": "image", "value": value}])
    prepare_page_renditions(lesson)
    html = client.get(lesson.url).content.decode()
    sources = re.findall(r'src="([^"]+)"', html)
    assert len(sources) == 1 and sources[0].endswith(".webp")
    assert 'loading="lazy"' in html and "srcset=" in html and 'alt="Màn hình VNeID"' in html
    rendition = image.renditions.get(filter_spec="width-360|format-webp")
    with open(finders.find("css/site.css"), "rb") as handle:
        css = handle.read()
    total = len(gzip.compress(html.encode())) + len(gzip.compress(css)) + rendition.file.size
    assert total <= 60 * 1024, total


def test_renditions_are_made_at_publish_not_when_viewed(client, django_capture_on_commit_callbacks):
    image = photo(800, 600)
    blocks = [{"type": "image", "value": {"image": image.pk, "alt": "", "caption": ""}}]
    lesson = lesson_with(blocks, capture=django_capture_on_commit_callbacks)
    assert image.renditions.count() == 2  # made by the task that publishing enqueued
    before = set(image.renditions.values_list("pk", flat=True))
    client.get(lesson.url)
    assert set(image.renditions.values_list("pk", flat=True)) == before


def test_audio_narration_and_video_play_only_when_asked(client):
    narration = {
        "title": "Nghe bằng tiếng Tày",
        "file": document("bai-hoc.mp3").pk,
        "language": "tyz",
        "transcript": "",
    }
    uploaded = {
        "title": "Cài VNeID",
        "file": document("huong-dan.mp4").pk,
        "url": "",
        "poster": None,
        "minutes": 3,
        "transcript": "<p>Lời thoại</p>",
    }
    linked = {
        "title": "Trên YouTube",
        "file": None,
        "url": "https://www.youtube.com/watch?v=abc",
        "poster": None,
        "minutes": None,
        "transcript": "",
    }
    lesson = lesson_with(
        [
            {"type": "audio", "value": narration},
            {"type": "video", "value": uploaded},
            {"type": "video", "value": linked},
        ]
    )
    client.force_login(UserFactory())
    html = client.get(lesson.url).content.decode()
    assert '<audio controls preload="none"' in html and 'lang="tyz"' in html and "Tày" in html
    assert '<video controls preload="none"' in html and "Đọc lời nói trong video" in html
    assert 'href="https://www.youtube.com/watch?v=abc"' in html and "<iframe" not in html
