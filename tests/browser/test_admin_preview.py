"""The page editor's live preview, in Chromium: a trainer editing a lesson sees it rendered in the
preview panel's frame, while the site's pages still refuse to be framed (``frame-ancestors 'none'``).
"""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LESSON_TEXT = "Đoạn văn 0 về VNeID."


def _signed_in_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    return context, context.new_page()


FRAME_TEXT = """async (src) => {
    const frame = document.createElement("iframe");
    frame.src = src;
    document.body.appendChild(frame);
    await new Promise((resolve) => { frame.onload = resolve; setTimeout(resolve, 10000); });
    try { return frame.contentDocument ? frame.contentDocument.body.innerText : null; }
    catch (error) { return null; }
}"""


def test_a_trainer_sees_the_lesson_in_the_live_preview(browser, live_server):
    trainer = factories.trainer()
    lesson = factories.course(lessons=1).lessons().get()
    context, page = _signed_in_page(browser, live_server, trainer)
    refused = []
    page.on("console", lambda message: "frame-ancestors" in message.text and refused.append(message.text))
    try:
        page.goto(f"{live_server.url}/admin/pages/{lesson.pk}/edit/")
        page.locator('[data-side-panel-toggle="preview"]').click()
        preview = page.frame_locator("#w-preview-iframe")
        preview.get_by_text(LESSON_TEXT).wait_for(timeout=15000)
        assert preview.get_by_text(LESSON_TEXT).is_visible()
        assert refused == []

        # The public lesson, framed by the same admin page, is refused: only previews may be framed.
        assert page.evaluate(FRAME_TEXT, live_server.url + lesson.url) in (None, "")
        assert any("frame-ancestors 'none'" in text for text in refused)
    finally:
        context.close()
