import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_resident_signs_in_on_a_phone_and_sees_their_group(live_server, phone_page):
    from tests.factories import build_world

    world = build_world()
    page = phone_page
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    # Nothing on a 360 px screen scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="Đăng nhập").first.click()
    page.fill("#id_username", world.resident_a.phone_display)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_text(world.group_a.name).is_visible()
    assert page.get_by_text(f"tổ trưởng: {world.leader_a.full_name}").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # System fonts only: the page asks for no web font.
    assert page.evaluate("document.fonts.size") == 0
