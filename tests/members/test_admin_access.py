"""Staff see people in the admin only through the scoped views (members.admin_views); Wagtail's own
user and group views, and the site history of accounts, are an administrator's. (Every admin view,
walked with out-of-scope ids: tests/members/test_admin_scope.py.)"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.log_actions import log
from wagtail.models import GroupCollectionPermission

from members import roles
from members.models import StaffScope
from tests import factories

pytestmark = pytest.mark.django_db

# Pinned: the same with 2 rows or 22 (an N+1 would add one or more per row).
GROUPS_LIST_QUERIES = 14


@pytest.mark.parametrize("role", ["officer_x", "trainer"])
def test_staff_hold_no_model_permission_on_people_places_or_certificates(world, role):
    user = world.personas()[role]
    for permission in ("members.view_user", "members.change_communitygroup", "certificates.view_certificate"):
        assert not user.has_perm(permission)
    assert user.has_perm("wagtailadmin.access_admin")
    for role in StaffScope.Role:
        held = roles.group_for(role).permissions
        assert not held.filter(content_type__app_label__in=["members", "certificates"]).exists()
    # Officers author no content: no picture or document permission either, in any collection (whatever
    # order the migrations ran in: Wagtail's give "choose" to every group that enters the admin).
    if role == "officer_x":
        assert not user.has_perm("wagtailimages.choose_image") and not user.has_perm(
            "wagtaildocs.choose_document"
        )
        assert not GroupCollectionPermission.objects.filter(group__user=user).exists()


@pytest.mark.parametrize(("role", "expected"), [("officer_x", 302), ("trainer", 302), ("admin", 200)])
def test_wagtail_user_and_group_views_are_for_administrators(client, world, role, expected):
    client.force_login(world.personas()[role])
    for url in (
        "/admin/users/",
        f"/admin/users/edit/{world.resident_a.pk}/",
        f"/admin/users/history/{world.resident_a.pk}/",
        "/admin/groups/",
    ):
        assert client.get(url).status_code == expected, url


def test_the_menu_leads_staff_to_people_not_to_accounts(client, world):
    client.force_login(world.officer_x)
    menu = client.get("/admin/").content.decode()
    assert "/admin/people/" in menu and "/admin/communitygroup/" in menu
    assert "/admin/users/" not in menu and "/admin/groups/" not in menu
    client.force_login(world.admin)
    assert "/admin/users/" in client.get("/admin/").content.decode()


def test_object_views_answer_404_outside_the_territory_and_403_without_the_right(client, world):
    client.force_login(world.officer_x)
    for view in ("history", "usage", "inspect", "edit"):
        assert client.get(f"/admin/communitygroup/{view}/{world.group_c.pk}/").status_code == 404, view
        assert client.get(f"/admin/communitygroup/{view}/{world.group_a.pk}/").status_code == 200, view
    # People are read-only here: their history is an administrator's (Settings → Users).
    assert client.get(f"/admin/people/history/{world.resident_c.pk}/").status_code == 404
    assert client.get(f"/admin/people/history/{world.resident_a.pk}/").status_code in {302, 403}
    assert client.get(f"/admin/village/inspect/{world.group_c.village_id}/").status_code == 404
    assert client.get(f"/admin/village/inspect/{world.group_a.village_id}/").status_code == 200
    client.force_login(world.admin)
    assert client.get(f"/admin/people/history/{world.resident_c.pk}/").status_code == 200


def test_an_officer_who_belongs_to_a_group_elsewhere_sees_it_but_cannot_change_it(client, world):
    factories.MembershipFactory(user=world.officer_x, group=world.group_c)
    client.force_login(world.officer_x)
    assert client.get(f"/admin/communitygroup/inspect/{world.group_c.pk}/").status_code == 200
    for view in ("edit", "history", "usage"):
        response = client.get(f"/admin/communitygroup/{view}/{world.group_c.pk}/")
        assert response.status_code in {302, 403}, view
    listing = client.get("/admin/communitygroup/").content.decode()
    assert f"/admin/communitygroup/edit/{world.group_a.pk}/" in listing
    assert f"/admin/communitygroup/edit/{world.group_c.pk}/" not in listing


def test_the_site_history_names_people_to_administrators_only(client, world):
    log(instance=world.resident_c, action="wagtail.edit", user=world.admin)
    log(instance=world.group_c, action="wagtail.edit", user=world.admin)
    for role in ("officer_x", "trainer"):
        client.force_login(world.personas()[role])
        body = client.get("/admin/reports/site-history/").content.decode()
        assert world.resident_c.full_name not in body and world.group_c.name not in body, role
    client.force_login(world.admin)
    body = client.get("/admin/reports/site-history/").content.decode()
    assert world.resident_c.full_name in body and world.group_c.name in body


def test_the_groups_list_costs_the_same_whatever_its_length(client, world):
    client.force_login(world.officer_x)
    client.get("/admin/communitygroup/")
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/communitygroup/")
    factories.CommunityGroupFactory.create_batch(15, village=world.group_a.village)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/admin/communitygroup/").content.decode()
    assert body.count("/admin/communitygroup/edit/") >= 17
    assert len(many) == len(few) == GROUPS_LIST_QUERIES, [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize(("role", "sees"), [("officer_x", False), ("leader_a", False), ("trainer", True)])
def test_the_admin_choosers_show_content_to_its_authors_only(client, world, role, sees):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    from courses.models import CoursePage

    get_image_model().objects.create(title="Ảnh-bí-mật", file=get_test_image_file())
    get_document_model().objects.create(title="Tài-liệu-bí-mật", file=ContentFile(b"x", name="bi-mat.pdf"))
    factories.catalogue().add_child(
        instance=CoursePage(title="Nháp-bí-mật", slug="nhap-bi-mat", code="NHAP-01", summary="x", live=False)
    )
    client.force_login(getattr(world, role))
    for url, title in [
        ("/admin/images/chooser/results/", "Ảnh-bí-mật"),
        ("/admin/documents/chooser/results/", "Tài-liệu-bí-mật"),
        ("/admin/choose-page/search/?q=Nháp", "Nháp-bí-mật"),
        ("/admin/api/main/images/", "Ảnh-bí-mật"),
        ("/admin/api/main/documents/", "Tài-liệu-bí-mật"),
    ]:
        response = client.get(url)
        text = response.content.decode()
        shown = response.status_code == 200 and (title in text or json.dumps(title)[1:-1] in text)
        assert shown is sees, (url, response.status_code)


def _draft_page():
    from courses.models import CoursePage

    return factories.catalogue().add_child(
        instance=CoursePage(title="Nháp-bí-mật", slug="nhap-bi-mat", code="NHAP-01", summary="x", live=False)
    )


def _names_the_draft(response) -> bool:
    text = response.content.decode()
    return "Nháp-bí-mật" in text or json.dumps("Nháp-bí-mật")[1:-1] in text


def _page_chooser_urls(draft) -> list[str]:
    parent = draft.get_parent()
    return [
        "/admin/choose-page/",
        f"/admin/choose-page/{draft.pk}/",  # the draft itself, as the parent of the list
        f"/admin/choose-page/{parent.pk}/",  # the draft among its parent's children
        f"/admin/choose-page/{parent.pk}/?page_type=courses.coursepage&multiple=1",
        "/admin/choose-page/search/?q=Nháp",
        "/admin/choose-page/search/?q=Nháp&results=true",
        f"/admin/choose-page/chosen-multiple/?id={draft.pk}",
        "/admin/choose-external-link/",
    ]


@pytest.mark.parametrize("role", ["officer_x", "officer_y", "leader_a"])
def test_the_page_chooser_is_refused_to_people_who_author_nothing(client, world, role):
    draft = _draft_page()
    client.force_login(world.personas()[role])
    for url in _page_chooser_urls(draft):
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert not _names_the_draft(response), url


def test_the_page_chooser_still_serves_authors(client, world):
    draft = _draft_page()
    client.force_login(world.trainer)
    for url in _page_chooser_urls(draft):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    for url in _page_chooser_urls(draft)[1:4]:
        assert _names_the_draft(client.get(url)), url
    client.logout()
    assert client.get(f"/admin/choose-page/{draft.pk}/").status_code == 302  # to sign in
