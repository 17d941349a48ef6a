"""An invitation on two phones: the invited person reads their code out, the leader types it."""

import pytest

from members import invitation_codes, services
from members.models import Membership
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sign_in(page, base, person):
    page.goto(base + "/dang-nhap/")
    page.fill("#id_username", person.phone_display)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/")


def test_the_person_reads_the_code_and_the_leader_types_it_on_a_360px_screen(live_server, browser):
    from tests.factories import build_world

    world = build_world()
    invitation = services.invitation_invite(
        group=world.group_a, person=world.resident_c, acting_user=world.leader_a
    )
    phone = {"viewport": {"width": 360, "height": 740}, "locale": "vi-VN", "java_script_enabled": False}
    person = browser.new_context(**phone).new_page()
    leader = browser.new_context(**phone).new_page()
    try:
        _sign_in(person, live_server.url, world.resident_c)
        card = person.locator("section.invitation")
        assert card.get_by_role("heading", name="Lời mời vào tổ").is_visible()
        code = card.locator(".code").inner_text()
        assert code == invitation_codes.display(invitation)
        assert card.get_by_role("button", name="Đồng ý vào tổ").is_visible()
        assert card.get_by_role("button", name="Từ chối").is_visible()
        assert person.evaluate("document.documentElement.scrollWidth") <= 360

        _sign_in(leader, live_server.url, world.leader_a)
        leader.goto(f"{live_server.url}/to/{world.group_a.code}/")
        assert leader.get_by_text(invitation.phone_hint).is_visible()
        assert leader.evaluate("document.documentElement.scrollWidth") <= 360
        leader.get_by_label("Nhập mã").fill(code.lower())
        leader.get_by_role("button", name="Xác nhận").click()
        assert leader.get_by_text("Mã đúng: người này đã vào tổ.").is_visible()
        assert leader.get_by_text(world.resident_c.full_name).is_visible()
        assert Membership.objects.filter(user=world.resident_c, group=world.group_a, left_on=None).exists()

        person.reload()
        assert person.locator("section.invitation").count() == 0
        assert person.get_by_text(world.group_a.name).first.is_visible()
    finally:
        person.context.close()
        leader.context.close()
