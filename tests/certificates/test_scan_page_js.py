"""The "verify by camera" page in Chromium: templates/certificates/scan.html with
static/certificates/scan.js and its service worker, static/certificates/scan-sw.js.

The tests need no Django view: each one serves the rendered template, the static files and a key
set made here from a small http.server on 127.0.0.1, laid out like the site (/v/quet/,
/v/quet/sw.js, /static/…, /certificates/keys.json) and with the site's Content-Security-Policy.
Payloads come from the reference implementation, certificates/payload.py, which also judges every
altered payload, so that the browser and Python are held to the same answers.
"""

import datetime
import json
import random
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from PIL import Image

from certificates import keys, payload
from tests.browser.conftest import CHROMIUM_ARGS
from tests.conftest import CHROMIUM, require_browser

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "static"
PAGE_PATH = "/v/quet/"
SW_PATH = "/v/quet/sw.js"
KEYS_PATH = "/certificates/keys.json"
SITE_URL = "https://hocso.example.vn"
SERIAL = "CB-2026-000123"
NAME = "Nguyễn Thị Hồng Nhung"
HOLDER = {
    "serial": SERIAL,
    "issued_on": datetime.date(2026, 11, 28),
    "kind": payload.KIND_COURSE,
    "code": "BDHVS-02",
    "name": NAME,
}
# What Django's ManifestStaticFilesStorage does to names in production.
HASH = "0123456789ab"


def _seed(number: int) -> bytes:
    return bytes([number]) * 32


def _public(number: int) -> str:
    return keys.b64url_encode(
        Ed25519PrivateKey.from_private_bytes(_seed(number)).public_key().public_bytes_raw()
    )


# The published set: cb2026 signs today, ret2024 is retired (public half only), old2023 is compromised.
PUBLISHED = keys._build(
    f"old2023={keys.b64url_encode(_seed(1))};cb2026={keys.b64url_encode(_seed(2))}",
    "cb2026",
    f"ret2024={_public(3)}",
    ("old2023",),
)
# The private halves the published set lacks: ret2024's, and zz2099, which nobody published; and
# old2023 as it signed before it was compromised (nothing signs with a compromised key any more).
OTHER_SIGNERS = keys._build(
    f"ret2024={keys.b64url_encode(_seed(3))};zz2099={keys.b64url_encode(_seed(4))};"
    f"old2023={keys.b64url_encode(_seed(1))}",
    "",
    "",
    (),
)
KEY_SET = {"keys": [key.jwk() for key in PUBLISHED.keys.values()]}


def signed(kid: str = "cb2026", **changes) -> bytes:
    published = PUBLISHED.get(kid)
    keyring = PUBLISHED if published and published.private and not published.compromised else OTHER_SIGNERS
    return payload.sign(payload.Claims(**{**HOLDER, "kid": kid, **changes}), keyring)


def qr_text(data: bytes) -> str:
    return payload.qr_text(SITE_URL, SERIAL, data)


def reference_text_result(text: str) -> str:
    try:
        data = payload.payload_from_qr_text(text)
    except payload.PayloadError as error:
        return error.reason
    return reference_result(data)


def reference_result(data: bytes) -> str:
    """certificates/payload.py's verdict, in the page's words."""
    try:
        payload.verify(data, PUBLISHED)
    except payload.PayloadError as error:
        return {"bad_signature": "forged"}.get(error.reason, error.reason)
    return "valid"


# ---- The site, served from a temporary directory -----------------------------------------------


def _csp() -> str:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class _Handler(SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Content-Security-Policy", _csp())
        self.send_header("Cache-Control", "no-cache")
        if self.path.split("?")[0] == SW_PATH:
            self.send_header("Service-Worker-Allowed", PAGE_PATH)
        super().end_headers()

    def log_message(self, *args):
        pass


def _render_page() -> str:
    request = RequestFactory().get(PAGE_PATH)
    request.user = AnonymousUser()
    context = {"keys_url": KEYS_PATH, "sw_url": SW_PATH}
    return render_to_string("certificates/scan.html", context, request=request)


@dataclass
class Site:
    url: str
    server: ThreadingHTTPServer
    stopped: bool = False

    def stop(self):
        """Take the site off the network: only the service worker can answer now."""
        if not self.stopped:
            self.stopped = True
            self.server.shutdown()
            self.server.server_close()


def _serve(root: Path, html: str):
    (root / "v" / "quet").mkdir(parents=True)
    (root / "v" / "quet" / "index.html").write_text(html, encoding="utf-8")
    shutil.copy(STATIC / "certificates" / "scan-sw.js", root / "v" / "quet" / "sw.js")
    (root / "certificates").mkdir()
    (root / "certificates" / "keys.json").write_text(json.dumps(KEY_SET), encoding="utf-8")
    for folder in ("certificates", "vendor", "css"):
        shutil.copytree(STATIC / folder, root / "static" / folder)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Site(f"http://127.0.0.1:{server.server_address[1]}", server)


@pytest.fixture
def site(tmp_path):
    served = _serve(tmp_path / "site", _render_page())
    yield served
    served.stop()


@pytest.fixture
def hashed_site(tmp_path):
    """The page as production serves it: stylesheets and scan.js under hashed names."""
    html = _render_page()
    root = tmp_path / "site"
    served = _serve(root, "")
    for name in ("certificates/scan.js", "certificates/scan.css", "css/site.css"):
        stem, _, extension = name.rpartition(".")
        hashed = f"{stem}.{HASH}.{extension}"
        assert f"/static/{name}" in html
        html = html.replace(f"/static/{name}", f"/static/{hashed}")
        shutil.copy(root / "static" / name, root / "static" / hashed)
    (root / "v" / "quet" / "index.html").write_text(html, encoding="utf-8")
    yield served
    served.stop()


# ---- Chromium --------------------------------------------------------------------------------------


class Chromium:
    """Chromium driven from one thread of its own.

    tests/browser/conftest.py's `browser` and `phone_page` fixtures are only visible under
    tests/browser/, and Playwright's sync API cannot start a second time in a thread where it already
    runs (it does, for the whole session, once tests/browser/ has run). So this module starts its
    own, in a worker thread, with the same Chromium and flags, and runs each test's steps there.
    """

    def __init__(self):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan-chromium")
        self._playwright, self._browser = self._run(self._start)

    def _run(self, function, *args):
        return self._thread.submit(function, *args).result()

    def _start(self):
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        return playwright, playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def close(self):
        def stop():
            self._browser.close()
            self._playwright.stop()

        self._run(stop)
        self._thread.shutdown()

    def on_phone(self, steps, browser_args=(), **context_options):
        """Run steps(page) on a 360 × 740 page in Vietnamese, like tests/browser's phone_page.
        browser_args start a separate Chromium with those extra flags, for this test only."""

        def run():
            browser = self._browser
            if browser_args:
                browser = browser.browser_type.launch(
                    executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *browser_args]
                )
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, locale="vi-VN", **context_options
            )
            page = context.new_page()
            # Script errors and anything the Content-Security-Policy blocked fail the test.
            problems = []

            def on_console(entry):
                if entry.type == "error" and "Content Security Policy" in entry.text:
                    problems.append(entry.text)

            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("console", on_console)
            try:
                steps(page)
            finally:
                context.close()
                if browser is not self._browser:
                    browser.close()
            assert problems == []

        self._run(run)


@pytest.fixture(scope="module")
def chromium():
    require_browser()
    instance = Chromium()
    yield instance
    instance.close()


# ---- Using the page ----------------------------------------------------------------------------------


def open_scan(page, site):
    page.goto(site.url + PAGE_PATH)


# Each result and the data-* attribute holding what the page then says.
VERDICTS = {
    "valid": "msg-valid",
    "malformed": "msg-malformed",
    "unknown_key": "msg-unknown-key",
    "compromised_key": "msg-compromised",
    "forged": "msg-forged",
}


def check(page, text: str) -> str:
    """Paste the text, press Check, and return document.body.dataset.scanResult."""
    page.evaluate("delete document.body.dataset.scanResult")
    page.fill("#scan-text", text)
    page.click("#scan-paste [type=submit]")
    result = wait_for_result(page)
    assert verdict(page) == message(page, VERDICTS[result])
    return result


def choose_photo(page, path: Path) -> str:
    page.evaluate("delete document.body.dataset.scanResult")
    page.set_input_files("#scan-photo", path)
    return wait_for_result(page)


def wait_for_result(page) -> str:
    page.wait_for_function("() => 'scanResult' in document.body.dataset")
    return page.evaluate("document.body.dataset.scanResult")


def message(page, name: str) -> str:
    """A string the page shows, as the template gave it (in whatever language is active)."""
    return page.get_attribute("#scan", f"data-{name}")


def verdict(page) -> str:
    return page.inner_text("#scan-result .scan-verdict")


def photo_of(tmp_path, text: str, *, name="qr.png", canvas=None) -> Path:
    """A PNG of the QR code; with canvas=(width, height), a JPEG "photo" with the code in it."""
    path = tmp_path / name
    segno.make_qr(text, error="m").save(path, kind="png", scale=6, border=4)
    if canvas:
        code = Image.open(path).convert("RGB")
        photo = Image.new("RGB", canvas, (228, 224, 214))
        photo.paste(code, (canvas[0] // 3, canvas[1] // 4))
        path = path.with_suffix(".jpg")
        photo.save(path, quality=85)
    return path


def _y4m(image: Image.Image, path: Path, frames: int = 5):
    """A few frames of raw video for Chromium's fake camera (--use-file-for-fake-video-capture)."""
    width, height = image.size
    y, cb, cr = image.convert("YCbCr").split()
    half = (width // 2, height // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            video.write(b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes())


# ---- The tests --------------------------------------------------------------------------------------


def test_a_pasted_code_shows_who_holds_the_certificate(site, chromium):
    course, profile = signed(), signed(kind=payload.KIND_PROFILE, code="can-bo-so")

    def steps(page):
        open_scan(page, site)
        assert check(page, qr_text(course)) == "valid"
        assert verdict(page) == message(page, "msg-valid")
        shown = page.inner_text("#scan-result")
        for expected in (
            NAME,
            SERIAL,
            "BDHVS-02",
            message(page, "label-kind-course"),
            "28/11/2026",
            "cb2026",
        ):
            assert expected in shown
        # The QR's own address: the register answers it without the check code.
        assert page.get_attribute("#scan-result a", "href") == f"/V/{SERIAL}/{payload.to_text(course)}"
        assert page.inner_text("#scan-result a") == message(page, "msg-check-online")
        # A long Vietnamese name and the code's 250 characters fit a 360 px screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        assert check(page, qr_text(profile)) == "valid"
        assert message(page, "label-kind-profile") in page.inner_text("#scan-result")

    chromium.on_phone(steps)


def test_the_whole_text_the_address_or_the_bare_payload_all_verify(site, chromium):
    data = signed()
    bare = payload.to_text(data)
    spellings = [
        qr_text(data),
        qr_text(data).lower(),
        f"{SITE_URL}/v/{SERIAL}/{bare}/",
        bare,
        "  " + "\n".join(bare[i : i + 40] for i in range(0, len(bare), 40)) + "\n",
        bare + "=" * (-len(bare) % 8),
    ]

    def steps(page):
        open_scan(page, site)
        for text in spellings:
            assert check(page, text) == "valid", text

    chromium.on_phone(steps)


def test_no_single_changed_byte_verifies_and_the_page_agrees_with_python(site, chromium):
    data = signed()
    rng = random.Random(20261128)
    altered = []
    for _ in range(20):
        copy = bytearray(data)
        copy[rng.randrange(len(copy))] ^= rng.randrange(1, 256)
        altered.append(bytes(copy))

    def steps(page):
        open_scan(page, site)
        for changed in altered:
            result = check(page, qr_text(changed))
            assert result != "valid"
            assert result == reference_result(changed), changed.hex()

    chromium.on_phone(steps)


@pytest.mark.parametrize(
    ("kid", "expected"),
    [("old2023", "compromised_key"), ("zz2099", "unknown_key"), ("ret2024", "valid")],
)
def test_compromised_and_unknown_keys_are_refused_retired_ones_verify(site, chromium, kid, expected):
    data = signed(kid)
    assert reference_result(data) == expected

    def steps(page):
        open_scan(page, site)
        assert check(page, qr_text(data)) == expected

    chromium.on_phone(steps)


def test_garbage_is_malformed(site, chromium):
    good = signed()
    version_2 = bytes([2]) + good[1:]
    garbage = [
        "",
        "xin chào",
        "https://example.com/",
        "HTTPS://HOCSO.EXAMPLE.VN/V/CB-2026-000123/NOT-BASE32!",
        payload.to_text(good)[:-3],  # cut short
        payload.to_text(good[:-1]),  # a byte short
        payload.to_text(good + b"\0"),  # a byte too many
        payload.to_text(version_2),
        payload.to_text(random.Random(1).randbytes(130)),
    ]
    assert {reference_text_result(text) for text in garbage} == {"malformed"}

    def steps(page):
        open_scan(page, site)
        for text in garbage:
            assert check(page, text) == "malformed", text

    chromium.on_phone(steps)


@pytest.mark.parametrize("canvas", [None, (3000, 2250)], ids=["qr-image", "phone-photo"])
def test_a_chosen_photo_of_the_code_verifies(site, chromium, tmp_path, canvas):
    photo = photo_of(tmp_path, qr_text(signed()), canvas=canvas)

    def steps(page):
        open_scan(page, site)
        assert choose_photo(page, photo) == "valid"
        assert NAME in page.inner_text("#scan-result")
        assert page.input_value("#scan-text") == qr_text(signed())

    chromium.on_phone(steps)


def test_a_photo_without_a_code_says_so(site, chromium, tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("RGB", (800, 600), (200, 210, 220)).save(blank)

    def steps(page):
        open_scan(page, site)
        page.set_input_files("#scan-photo", blank)
        page.wait_for_selector("#scan-result .scan-verdict")
        assert verdict(page) == message(page, "msg-no-code")
        assert page.evaluate("'scanResult' in document.body.dataset") is False

    chromium.on_phone(steps)


def test_the_camera_reads_the_code_and_then_stops(site, chromium, tmp_path):
    frame = Image.new("RGB", (640, 480), (235, 232, 225))
    code = Image.open(photo_of(tmp_path, qr_text(signed()))).convert("RGB")
    code.thumbnail((420, 420))
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    video = tmp_path / "camera.y4m"
    _y4m(frame, video)
    fake_camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]

    def steps(page):
        open_scan(page, site)
        assert page.is_hidden("#scan-video")
        page.click("#scan-camera-start")
        assert wait_for_result(page) == "valid"
        assert NAME in page.inner_text("#scan-result")
        # Once the code is read the camera is off: no stream, the start button is back.
        assert page.evaluate("document.getElementById('scan-video').srcObject") is None
        assert page.is_hidden("#scan-video")
        assert page.is_visible("#scan-camera-start")

    chromium.on_phone(steps, browser_args=fake_camera, permissions=["camera"])


def test_a_refused_camera_points_to_the_other_ways(site, chromium):
    def steps(page):
        open_scan(page, site)
        page.click("#scan-camera-start")
        page.wait_for_selector("#scan-result .scan-verdict")
        assert verdict(page) == message(page, "msg-camera-denied")

    # Headless Chromium with no camera flags has no camera to give.
    chromium.on_phone(steps)


@pytest.mark.parametrize("site_fixture", ["site", "hashed_site"])
def test_after_one_visit_the_page_checks_offline(request, chromium, tmp_path, site_fixture):
    served = request.getfixturevalue(site_fixture)
    good, compromised = qr_text(signed()), qr_text(signed("old2023"))
    photo = photo_of(tmp_path, good)

    def steps(page):
        open_scan(page, served)
        # The service worker is active once it has cached the page, its files and the key set.
        assert page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.scope)") == (
            served.url + PAGE_PATH
        )
        assert check(page, good) == "valid"
        assert page.inner_text("#scan-keys") == ""

        served.stop()
        page.context.set_offline(True)
        page.reload()
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.scan-result')).borderTopWidth") == "2px"
        )
        assert check(page, good) == "valid"
        assert NAME in page.inner_text("#scan-result")
        assert check(page, compromised) == "compromised_key"
        assert page.inner_text("#scan-keys") == message(page, "msg-offline-keys")
        # jsQR is loaded on first use: the service worker has it too.
        assert choose_photo(page, photo) == "valid"

    chromium.on_phone(steps)
