"""A group leader's phone without signal, in Chromium: static/attendance/leader.js, outbox.js and sw.js.

Each test runs Chromium on a persistent profile (a temporary folder), so that the service worker's
caches and the IndexedDB outbox outlive a closed browser, as they do on a phone that was switched off.
The server is the real site (live_server); what must arrive exactly once is checked in its database.
"""

import datetime
import os
import re
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone, translation

from api.models import IdempotencyRecord
from attendance.models import AttendanceMark, Session
from attendance.selectors import current_statuses
from attendance.services import REASONS, MarkInput, attendance_sync
from members import services
from members.models import Membership
from tests import factories
from tests.browser.conftest import CHROMIUM_ARGS
from tests.conftest import CHROMIUM

SW = Path(django_settings.BASE_DIR) / "static" / "members" / "sw.js"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(os.environ.get("HOCSO_SCREENSHOTS", "/tmp/hocso-screenshots"))

# The phone's IndexedDB, read and changed from any page of the site (even one without scripts).
# A database that does not exist yet is not created here (outbox.js must create it with its stores).
# CHANGE is JavaScript run on each item (with its store), put into the source: no eval under the CSP.
IDB = """(name) => new Promise((resolve, reject) => {
    const opening = indexedDB.open("hocso-offline");
    opening.onupgradeneeded = () => opening.transaction.abort();
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
        const db = opening.result;
        const t = db.transaction(name, "readwrite");
        const store = t.objectStore(name);
        const all = store.getAll();
        all.onsuccess = () => { for (const item of all.result) { CHANGE } };
        t.oncomplete = () => { db.close(); resolve(all.result); };
        t.onerror = () => reject(t.error);
    };
})"""


def shot(page, name, full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


class Phone:
    """Chromium on a profile kept in a folder: close() and Phone(...) again is a phone restarted."""

    def __init__(self, browser, profile: Path, live_server, user, offline=False):
        """offline: a phone switched on where there is no signal, for good. context.set_offline
        reaches the service worker once the browser runs, but a worker already running when the
        browser starts (a pending Background Sync wakes it) keeps its network (the service worker
        part of microsoft/playwright#2311); so the network itself is cut, with a proxy that does not
        exist (Playwright sends even localhost through it), and the phone must be closed to get a
        signal back."""
        self.context = browser.browser_type.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport={"width": 360, "height": 740},
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            offline=offline,
            proxy={"server": "http://127.0.0.1:9"} if offline else None,
        )
        self.stranded = offline
        self.url = live_server.url
        self.problems = []
        self.log = []
        # Every request the browser sends, the service worker's own included (Playwright reports and
        # cuts those too: context.set_offline reaches the worker in Chromium).
        self.requests = []
        self.context.on("request", lambda request: self.requests.append((request.method, request.url)))
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.on("console", self._console)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
            # With an expiry, as Django sets it: the cookie outlives a restart of the browser.
            self.context.add_cookies(
                [
                    {
                        "name": django_settings.SESSION_COOKIE_NAME,
                        "value": cookie,
                        "url": self.url,
                        "expires": time.time() + 14 * 24 * 3600,
                    }
                ]
            )

    def _console(self, entry):
        self.log.append(entry.text)
        if entry.type == "error" and "Content Security Policy" in entry.text:
            self.problems.append(entry.text)

    def go(self, path):
        self.page.goto(self.url + path)

    def offline(self, value=True):
        assert not self.stranded, "a phone started without signal must be closed to get one"
        self.context.set_offline(value)

    def store(self, name, change=""):
        """Every item of an IndexedDB store; with change (JavaScript on item and store), changed."""
        return self.page.evaluate(IDB.replace("CHANGE", change), name)

    def wait_for_waiting(self, count):
        self.page.wait_for_selector(f'#sync[data-waiting="{count}"]', state="attached")

    def wait_until_all_sent(self, timeout=30000):
        try:
            # (a tap shows "waiting" on its person at once, before the status bar counts it)
            self.page.wait_for_function(
                """() => !document.querySelector("#sync[hidden], .tap-result.is-waiting")
                    && document.querySelector("#sync").dataset.state === "sent" """,
                timeout=timeout,
            )
        except Exception as error:
            bar = self.page.evaluate("document.getElementById('sync')?.outerHTML")
            batches = self.store("batches")
            raise AssertionError(f"not sent: {bar}, batches {batches}, log {self.log}") from error
        assert self.page.inner_text("#sync-text") == self.page.get_attribute("#sync", "data-msg-sent")

    def tap(self, member, times=1):
        for _ in range(times):
            self.page.click(f'button.tap[data-member="{member.pk}"]')

    def shown(self, member):
        """The status a person's button shows (its class), or "" when not marked."""
        classes = self.page.get_attribute(f'button.tap[data-member="{member.pk}"]', "class").split()
        return next((c[3:] for c in classes if c.startswith("is-")), "")

    def close(self):
        self.context.close()
        assert self.problems == []


@pytest.fixture
def village():
    """Group A of the test world with seven more neighbours, and last evening's session."""
    world = factories.build_world()
    month_ago = timezone.localdate() - datetime.timedelta(days=30)
    Membership.objects.filter(group=world.group_a).update(joined_on=month_ago)
    neighbours = [
        factories.MembershipFactory(
            group=world.group_a,
            user=factories.UserFactory(village=world.group_a.village, full_name=f"Hoàng Văn Láng {i}"),
            joined_on=month_ago,
        ).user
        for i in range(7)
    ]
    # Held last evening: marks are taken for sessions that have started (a future one refuses them).
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    session = Session.objects.create(
        group=world.group_a,
        starts_at=timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(19, 0))),
        topic="Cài đặt VNeID",
        place="Nhà văn hóa thôn",
        created_by=world.leader_a,
    )
    world.neighbours = neighbours
    world.session = session
    return world


def group_url(world):
    return f"/to/{world.group_a.code}/"


def session_url(world, session=None):
    return f"/to/{world.group_a.code}/buoi/{(session or world.session).uuid}/"


def warm(phone, world):
    """The leader opens the group page with signal: the phone keeps what a session needs."""
    phone.go(group_url(world))
    phone.page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=60000)


def test_marks_taken_offline_survive_a_restart_and_arrive_once(browser, live_server, village, tmp_path):
    world = village
    first, second, third = world.neighbours[:3]
    phone = Phone(browser, tmp_path / "profile", live_server, world.leader_a)
    warm(phone, world)
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone.page, "leader-group")

    phone.offline()
    # Renamed on the server meanwhile: the page that opens is the copy on the phone, not the server's.
    Session.objects.filter(pk=world.session.pk).update(topic="Renamed on the server")
    phone.go(session_url(world))  # from the phone: there is no network
    assert phone.page.inner_text("#session-title") == "Cài đặt VNeID"
    phone.tap(first)  # present
    phone.tap(second, 2)  # late
    phone.tap(third, 4)  # absent
    phone.page.click("#everyone")  # everyone not marked yet: present
    others = Membership.objects.filter(group=world.group_a).count() - 3
    taps = 1 + 2 + 4 + others
    phone.wait_for_waiting(taps)
    assert phone.page.get_attribute("#sync", "data-state") == "offline"
    assert (
        phone.shown(first) == "present" and phone.shown(second) == "late" and phone.shown(third) == "absent"
    )
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 360
    # Thumb-sized: every person's button is at least 48 px high and as wide as the screen allows.
    heights = phone.page.eval_on_selector_all("button.tap", "els => els.map(e => e.offsetHeight)")
    assert min(heights) >= 48
    shot(phone.page, "leader-attendance-offline")

    phone.page.reload()  # still offline: the page and the taps come from the phone
    phone.wait_for_waiting(taps)
    assert phone.shown(second) == "late" and phone.shown(third) == "absent"
    assert phone.page.inner_text("#sync-text") == phone.page.get_attribute(
        "#sync", "data-msg-waiting"
    ).replace("{n}", str(taps))
    assert AttendanceMark.objects.count() == 0
    phone.close()  # the phone is switched off with everything unsent

    # Switched on again, still without signal: everything is still on the phone.
    phone = Phone(browser, tmp_path / "profile", live_server, None, offline=True)
    phone.go(session_url(world))
    phone.wait_for_waiting(taps)
    assert phone.page.inner_text("#session-title") == "Cài đặt VNeID"
    assert phone.shown(first) == "present" and phone.shown(third) == "absent"
    assert AttendanceMark.objects.count() == 0
    shot(phone.page, "leader-restarted-offline")
    phone.close()

    # The next day, with signal: the outbox drains while the leader watches.
    phone = Phone(browser, tmp_path / "profile", live_server, None)
    phone.go(session_url(world))
    phone.wait_until_all_sent()
    shot(phone.page, "leader-all-sent")
    marks = AttendanceMark.objects.filter(session=world.session)
    sent = phone.store("sent")
    assert marks.count() == taps == len(sent)
    assert {str(m.uuid) for m in marks} == {m["uuid"] for m in sent}
    assert len({m.device_id for m in marks}) == 1 and marks[0].device_id.startswith("phone-")
    current = {member: mark.status for (_s, member), mark in current_statuses([world.session.pk]).items()}
    assert current[first.pk] == "present" and current[second.pk] == "late" and current[third.pk] == "absent"
    assert IdempotencyRecord.objects.count() == 1  # one frozen batch, one key

    # The phone sends an acknowledged batch again, with its key: the server answers as the first time.
    phone.page.evaluate(
        """() => HocSoOutbox.tx(["done", "batches", "marks"], "readwrite", async (t) => {
            for (const done of await HocSoOutbox.req(t.objectStore("done").getAll())) {
                const batch = { key: done.key, created: 0, tries: 0, next: 0, body: done.body };
                t.objectStore("batches").put(batch);
                for (const mark of done.body.marks) t.objectStore("marks").put({ ...mark, batch: done.key });
            }
        })"""
    )
    phone.page.reload()
    phone.wait_until_all_sent()
    assert marks.count() == taps and IdempotencyRecord.objects.count() == 1

    # … and forgets that its marks were acknowledged: a new batch of the same marks changes nothing.
    phone.page.evaluate(
        """() => HocSoOutbox.tx(["sent", "marks"], "readwrite", async (t) => {
            for (const mark of await HocSoOutbox.req(t.objectStore("sent").getAll())) {
                t.objectStore("sent").delete(mark.uuid);
                delete mark.outcome;
                t.objectStore("marks").put(mark);
            }
        })"""
    )
    phone.page.reload()
    phone.wait_until_all_sent()
    assert marks.count() == taps and IdempotencyRecord.objects.count() == 2
    done = sorted(phone.store("done"), key=lambda batch: batch["at"])
    assert done[-1]["reply"]["counts"] == {"accepted": 0, "duplicate": taps, "rejected": 0}
    assert phone.shown(third) == "absent"  # the server's page agrees with the phone
    phone.close()


def test_a_mark_for_someone_who_left_is_shown_rejected_with_its_reason(
    browser, live_server, village, tmp_path
):
    world = village
    staying, leaving = world.neighbours[:2]
    phone = Phone(browser, tmp_path / "profile", live_server, world.leader_a)
    warm(phone, world)
    # Recorded today, the phone does not know yet: a neighbour left the group two days ago, before
    # last evening's session.
    membership = Membership.objects.get(group=world.group_a, user=leaving)
    services.membership_end(membership=membership, acting_user=world.leader_a)
    Membership.objects.filter(pk=membership.pk).update(
        left_on=timezone.localdate() - datetime.timedelta(days=2)
    )

    phone.offline()
    phone.go(session_url(world))
    phone.tap(staying)
    phone.tap(leaving)
    phone.wait_for_waiting(2)
    phone.offline(False)  # signal: the "online" event sends the batch
    phone.wait_until_all_sent()
    phone.page.wait_for_selector("#rejected", state="visible")
    with translation.override("vi"):
        reason = str(REASONS["not_on_roster"])
    assert leaving.full_name in phone.page.inner_text("#rejected")
    assert reason in phone.page.inner_text("#rejected")
    result = phone.page.locator(f'button.tap[data-member="{leaving.pk}"] + .tap-result')
    assert "is-rejected" in result.get_attribute("class") and reason in result.inner_text()
    assert phone.shown(leaving) == ""  # back to what the server knows
    assert phone.page.get_attribute("#sync", "data-rejected") == "1"
    shot(phone.page, "leader-rejected")
    assert AttendanceMark.objects.filter(member=staying).count() == 1
    assert not AttendanceMark.objects.filter(member=leaving).exists()
    assert len(phone.store("rejected")) == 1

    phone.page.reload()  # a rejected mark stays on the phone until the leader has seen it
    phone.page.wait_for_selector("#rejected", state="visible")
    phone.page.click("#rejected button[data-dismiss]")
    phone.page.wait_for_selector("#rejected", state="hidden")
    assert phone.store("rejected") == []
    phone.close()


def test_a_session_planned_offline_and_its_marks_arrive_once(browser, live_server, village, tmp_path):
    from playwright.sync_api import expect

    world = village
    phone = Phone(browser, tmp_path / "profile", live_server, world.leader_a)
    warm(phone, world)
    phone.offline()
    # The app's start page (the manifest's start_url) sends a leader of one group to its page.
    phone.go("/to-cua-toi/")
    phone.page.wait_for_url(f"**{group_url(world)}")
    assert phone.page.inner_text("h1") == world.group_a.name
    phone.page.click(f'a[href="/to/{world.group_a.code}/buoi-moi/"]')
    # Planned after the fact, the morning of the day before: its marks are for a session held.
    day = timezone.localdate() - datetime.timedelta(days=1)
    phone.page.fill("#id_date", day.isoformat())
    phone.page.fill("#id_time", "08:30")
    phone.page.fill("#id_topic", "Dùng Zalo an toàn")
    phone.page.fill("#id_place", "Sân nhà ông Dương")
    phone.page.click("#session-form button[type=submit]")
    phone.page.wait_for_url("**/buoi/moi/?uuid=*")
    planned = phone.page.url.rsplit("uuid=", 1)[1]
    expect(phone.page.locator("#session-title")).to_have_text("Dùng Zalo an toàn")
    assert day.strftime("%d/%m/%Y") in phone.page.inner_text("#session-when")
    phone.tap(world.neighbours[0])
    phone.tap(world.neighbours[1], 3)  # excused
    phone.wait_for_waiting(1 + 4)  # four marks and the session
    phone.page.reload()
    phone.wait_for_waiting(5)
    assert phone.shown(world.neighbours[1]) == "excused"
    shot(phone.page, "leader-session-planned-offline")

    phone.go(group_url(world))  # the group page lists it under "planned on this phone"
    phone.page.wait_for_selector("#local-sessions", state="visible")
    assert "Dùng Zalo an toàn" in phone.page.inner_text("#local-sessions")
    assert not Session.objects.filter(uuid=planned).exists()

    phone.offline(False)
    phone.wait_until_all_sent()
    session = Session.objects.get(uuid=planned)
    assert session.topic == "Dùng Zalo an toàn" and session.place == "Sân nhà ông Dương"
    assert timezone.localtime(session.starts_at).replace(tzinfo=None) == datetime.datetime.combine(
        day, datetime.time(8, 30)
    )
    assert session.created_by == world.leader_a
    assert AttendanceMark.objects.filter(session=session).count() == 4
    statuses = {member: mark.status for (_s, member), mark in current_statuses([session.pk]).items()}
    assert statuses == {world.neighbours[0].pk: "present", world.neighbours[1].pk: "excused"}

    # With signal, the phone's page for that session now opens the server's.
    phone.page.goto(f"{phone.url}/to/{world.group_a.code}/buoi/moi/?uuid={planned}")
    phone.page.wait_for_url(f"**/buoi/{planned}/")
    phone.page.wait_for_selector(f'button.tap.is-excused[data-member="{world.neighbours[1].pk}"]')
    phone.page.reload()
    phone.wait_until_all_sent()
    assert Session.objects.filter(uuid=planned).count() == 1
    assert AttendanceMark.objects.filter(session=session).count() == 4
    phone.close()


def test_online_taps_are_sent_at_once_and_the_form_still_works_without_script(
    browser, live_server, village, tmp_path
):
    world = village
    phone = Phone(browser, tmp_path / "profile", live_server, world.leader_a)
    warm(phone, world)
    phone.go(session_url(world))
    phone.tap(world.neighbours[0], 2)
    phone.wait_until_all_sent()
    result = phone.page.locator(f'button.tap[data-member="{world.neighbours[0].pk}"] + .tap-result')
    assert result.inner_text() == phone.page.get_attribute("#attendance", "data-msg-sent")
    assert AttendanceMark.objects.filter(session=world.session).count() == 2

    # Signing out still works through the service worker, and the pages kept on the phone go.
    version = re.search(r'const VERSION = "(\w+)";', SW.read_text())[1]
    assert phone.page.evaluate("caches.keys()") == [f"hocso-sw-static-{version}", f"hocso-sw-pages-{version}"]
    phone.page.get_by_role("button", name="Đăng xuất").click()
    phone.page.wait_for_selector("text=Đăng nhập")
    assert phone.page.evaluate("caches.keys()") == [f"hocso-sw-static-{version}"]
    phone.go(session_url(world))
    assert "/dang-nhap/" in phone.page.url
    phone.close()

    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    context.add_cookies(
        [{"name": "sessionid", "value": _session_cookie(world.leader_a), "url": live_server.url}]
    )
    page.goto(live_server.url + session_url(world))
    assert page.is_hidden("#sync") and page.is_visible("fieldset.person")
    page.check(f'input[name="m-{world.neighbours[1].pk}"][value="absent"]')
    page.click("#attendance button[type=submit]")
    assert AttendanceMark.objects.filter(session=world.session, member=world.neighbours[1]).count() == 1
    context.close()


def _session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_each_screen_fits_a_360_px_phone(browser, live_server, village, tmp_path):
    """Every leader's screen (and the residents' offline page) at 360 px: nothing wider than the
    screen, buttons a thumb can hit; a screenshot of each (HOCSO_SCREENSHOTS) to look at."""
    world = village
    # Deputy of a second group: "My groups" lists both instead of opening the only one.
    factories.MembershipFactory(user=world.leader_a, group=world.group_b, role=Membership.Role.DEPUTY)
    week_ago = timezone.localdate() - datetime.timedelta(days=7)
    held = Session.objects.create(
        group=world.group_a,
        starts_at=timezone.make_aware(datetime.datetime.combine(week_ago, datetime.time(19, 0))),
        topic="Dùng Zalo an toàn",
        place="Sân nhà ông Dương",
        created_by=world.leader_a,
    )
    members = list(Membership.objects.filter(group=world.group_a).values_list("user_id", flat=True))
    statuses = ["present", "present", "late", "excused", "absent"]
    attendance_sync(
        user=world.leader_a,
        sessions=[],
        marks=[
            MarkInput(uuid.uuid4(), held.uuid, member, statuses[i % 5], timezone.now(), "phone-test")
            for i, member in enumerate(members)
        ],
    )
    phone = Phone(browser, tmp_path / "profile", live_server, world.leader_a)

    def check(name, path):
        phone.go(path)
        phone.page.wait_for_selector("#sync:not([hidden]), #offline[data-state]", state="attached")
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= 360, path
        heights = phone.page.eval_on_selector_all(
            "main a.button, main button.button, button.tap",
            "els => els.filter(e => e.offsetParent).map(e => e.offsetHeight)",
        )
        assert not heights or min(heights) >= 44, (path, heights)
        shot(phone.page, f"{name}-screen", full_page=False)
        shot(phone.page, name)

    check("1-groups", "/to-cua-toi/")
    assert world.group_b.name in phone.page.inner_text("main")
    check("2-group-roster", group_url(world))
    phone.page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=60000)
    # Installable: Chromium finds nothing missing in the manifest and the service worker.
    cdp = phone.context.new_cdp_session(phone.page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]
    cdp.detach()
    phone.go(session_url(world))
    phone.tap(world.neighbours[0])
    phone.tap(world.neighbours[1], 2)
    phone.wait_until_all_sent()
    check("3-session-attendance", session_url(world))
    check("4-session-new", f"/to/{world.group_a.code}/buoi-moi/")
    check("5-summary", f"/to/{world.group_a.code}/diem-danh/")
    check("6-offline-learning", "/hoc-khong-can-mang/")
    phone.page.click("#offline-on")
    phone.page.wait_for_selector('#offline[data-state="on"]', state="attached")
    check("6-offline-learning-on", "/hoc-khong-can-mang/")
    phone.offline()
    check("7-session-offline", session_url(world))

    # "Has left the group" is not kept on the phone: without signal it says so and does nothing.
    phone.go(group_url(world))
    leaving = Membership.objects.get(group=world.group_a, user=world.neighbours[6])
    dialogs = []
    phone.page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    button = phone.page.locator(f'form[action$="/roi-to/{leaving.pk}/"] button')
    button.click()
    assert dialogs == ["alert"] and phone.page.url.endswith(group_url(world))
    phone.offline(False)
    button.click()  # with signal, it asks first
    phone.page.wait_for_selector(".messages")
    assert dialogs == ["alert", "confirm"]
    leaving.refresh_from_db()
    assert leaving.left_on == timezone.localdate()
    phone.close()
