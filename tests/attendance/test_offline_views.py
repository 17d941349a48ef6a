"""The server side of offline use: /sw.js, the manifest, the page of a session planned on the phone,
and what the leaders' templates give static/attendance/leader.js (tests/browser/ runs the scripts)."""

import gzip
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from attendance.models import Session
from members import services
from members.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"  # a new release reaches phones at once
    body = response.content.decode()
    assert body == (STATIC / "members" / "sw.js").read_text(encoding="utf-8")
    # What it imports and precaches exists.
    for path in re.findall(r'"/static/([^"]+)"', body):
        assert finders.find(path), path
    assert client.post("/sw.js").status_code == 405


def test_the_service_worker_never_keeps_posts_the_api_or_the_admins():
    body = (STATIC / "members" / "sw.js").read_text(encoding="utf-8")
    assert "const NEVER = /^\\/(?:api|admin|django-admin|documents)\\/|\\.pdf$/i;" in body
    # Caches are versioned and only its own old ones are deleted (the certificate scanner has its own).
    assert 'const PREFIX = "hocso-sw-";' in body and "const VERSION =" in body


def test_the_manifest_describes_an_installable_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["scope"] == "/" and manifest["start_url"] == "/to-cua-toi/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("leader_a", 200), ("officer_x", 200), ("leader_b", 403), ("resident", 403), ("officer_y", 403)],
)
def test_the_offline_session_page_is_for_those_who_manage_the_group(client, world, persona, expected):
    client.force_login(world.personas()[persona])
    url = reverse("attendance:session_offline", args=[world.group_a.code])
    assert client.get(url + "?uuid=0b7c2f1e-9a55-4a4e-8f3e-6a0f1a2b3c4d").status_code == expected


def test_the_offline_session_page_asks_anonymous_visitors_to_sign_in(client, world):
    response = client.get(reverse("attendance:session_offline", args=[world.group_a.code]))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_the_offline_session_page_has_todays_roster_and_no_session(client, world):
    services.membership_end(
        membership=Membership.objects.get(user=world.resident_a2, group=world.group_a),
        acting_user=world.leader_a,
    )
    client.force_login(world.leader_a)
    body = client.get(reverse("attendance:session_offline", args=[world.group_a.code])).content.decode()
    form = re.search(r'<form[^>]*id="attendance"[^>]*>', body).group(0)
    assert 'data-session=""' in form and 'data-offline="1"' in form
    assert f'data-group="{world.group_a.code}"' in form
    members = set(map(int, re.findall(r'data-member="(\d+)"', body)))
    assert members == {world.leader_a.pk, world.deputy_a.pk, world.resident_a.pk}  # resident_a2 left
    assert world.resident_b.full_name not in body
    assert 'id="session-title"' in body and 'id="session-when"' in body


def test_the_leaders_pages_load_the_offline_layer_without_inline_code(client, world):
    client.force_login(world.leader_a)
    planned = Session.objects.create(
        group=world.group_a, starts_at=timezone.now(), topic="Zalo", created_by=world.leader_a
    )
    code = world.group_a.code
    pages = [
        reverse("attendance:group", args=[code]),
        reverse("attendance:session_new", args=[code]),
        reverse("attendance:session", args=[code, planned.uuid]),
        reverse("attendance:session_offline", args=[code]),
        reverse("attendance:summary", args=[code]),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert '<link rel="manifest" href="/manifest.webmanifest">' in body, url
        assert '<script src="/static/attendance/outbox.js" defer></script>' in body, url
        assert body.index("attendance/outbox.js") < body.index("attendance/leader.js"), url
        assert 'href="/static/attendance/leader.css"' in body, url
        assert 'id="sync"' in body and "data-msg-sent=" in body, url
        # CSP: script-src 'self' and style-src 'self'.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url
        assert not re.search(r"\sstyle=", body), url
        assert not re.search(r"\son[a-z]+=", body), url

    group_page = client.get(pages[0]).content.decode()
    urls = re.search(r'data-offline-urls="([^"]*)"', group_page).group(1).split()
    assert set(urls) >= {
        reverse("attendance:my_groups"),
        pages[0],
        pages[1],
        pages[2],
        pages[3],
    }


def test_my_groups_lists_what_the_phone_should_keep(client, world):
    factories.MembershipFactory(user=world.leader_a, group=world.group_b, role=Membership.Role.DEPUTY)
    client.force_login(world.leader_a)
    body = client.get(reverse("attendance:my_groups")).content.decode()
    urls = re.search(r'data-offline-urls="([^"]*)"', body).group(1).split()
    for group in (world.group_a, world.group_b):
        assert reverse("attendance:group", args=[group.code]) in urls
        assert reverse("attendance:session_offline", args=[group.code]) in urls


def test_the_offline_learning_page_loads_its_script_and_nothing_inline(client):
    body = client.get(reverse("learning:offline_learning")).content.decode()
    assert '<script type="module" src="/static/learning/offline.js"></script>' in body
    assert 'id="offline-status"' in body and 'data-sw-url="/sw.js"' in body
    for name in ("saved-title", "saved-text", "saved-back", "msg-on", "msg-waiting"):
        assert f"data-{name}=" in body
    assert not re.search(r"\sstyle=", body)


def test_the_scripts_of_the_leaders_pages_stay_small():
    """The issue's budget: at most 30 KB of JavaScript (gzip) on a leader's page."""
    total = sum(
        len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9))
        for name in ("attendance/outbox.js", "attendance/leader.js")
    )
    assert total <= 30 * 1024, total
    everything = sum(
        len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9))
        for name in ("attendance/outbox.js", "attendance/leader.js", "members/sw.js", "learning/offline.js")
    )
    assert everything <= 30 * 1024, everything


def test_a_signed_in_learners_lesson_points_to_learning_offline_and_stays_script_free(client):
    lesson = factories.course(lessons=1, questions=2).lessons().first()
    offline = reverse("learning:offline_learning")
    assert f'href="{offline}"' not in client.get(lesson.url).content.decode()  # nothing to keep yet
    client.force_login(factories.UserFactory())
    body = client.get(lesson.url).content.decode()
    assert f'href="{offline}"' in body
    assert "<script" not in body
