"""The Wagtail admin pages of an import: upload, preview, import, done; who may use them."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from members.imports.limits import MAX_BYTES, not_a_list_message, too_large_message
from members.models import AuditEvent, ImportBatch, Membership, User
from tests.members.test_imports import GROUP_HEADERS, csv_file, member_row, three_people, xlsx_file

pytestmark = pytest.mark.django_db

START = "/admin/import/"


def upload(client, content: bytes, name="danh-sach.csv", kind="members"):
    return client.post(START, {"kind": kind, "file": SimpleUploadedFile(name, content)})


def uploaded(client, content: bytes, **kwargs) -> ImportBatch:
    response = upload(client, content, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.latest("pk")


def vi(function, *args):
    """A message as the (Vietnamese) admin shows it, whether or not it is translated yet."""
    with translation.override("vi"):
        return function(*args)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# Who ---------------------------------------------------------------------------------------------


def test_the_menu_offers_import_to_staff_only(world, client_for):
    # The sidebar is JSON for Wagtail's script: the label is there with its letters escaped.
    label = json.dumps(vi(gettext, "Import lists"))
    for persona in ("trainer", "officer_x", "admin"):
        body = text_of(client_for(getattr(world, persona)).get("/admin/"))
        assert START in body and label in body


@pytest.mark.parametrize("persona", ["anonymous", "resident", "leader_a"])
def test_people_without_import_rights_are_turned_away(world, persona, client_for):
    client = client_for(world.personas()[persona])
    batch = uploaded(client_for(world.trainer), csv_file(three_people(world)))
    for response in (
        client.get(START),
        upload(client, csv_file(three_people(world))),
        client.get(reverse("members_import:preview", args=[batch.pk])),
        client.post(reverse("members_import:commit", args=[batch.pk])),
        client.get(reverse("members_import:template", args=["members", "csv"])),
    ):
        assert response.status_code in {302, 403}
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/") or response["Location"] == "/admin/"
    assert ImportBatch.objects.count() == 1
    assert not User.objects.filter(phone__startswith="+84387").exists()


@pytest.mark.parametrize("persona", ["trainer", "officer_x", "admin"])
def test_staff_open_the_upload_page_with_its_templates(world, persona, client_for):
    response = client_for(getattr(world, persona)).get(START)
    assert response.status_code == 200
    body = text_of(response)
    for kind in ("members", "groups"):
        for file_format in ("csv", "xlsx"):
            assert reverse("members_import:template", args=[kind, file_format]) in body
    assert "Số điện thoại" in body and "Mã xã" in body and "Đồng ý xử lý dữ liệu" in body


def test_an_upload_is_seen_only_by_its_uploader(world, client_for):
    batch = uploaded(client_for(world.officer_x), csv_file(three_people(world)))
    other = client_for(world.trainer)
    assert other.get(reverse("members_import:preview", args=[batch.pk])).status_code == 404
    assert other.get(reverse("members_import:problems", args=[batch.pk])).status_code == 404
    assert other.post(reverse("members_import:commit", args=[batch.pk])).status_code == 404
    assert not User.objects.filter(phone__startswith="+84387").exists()


# The flow ----------------------------------------------------------------------------------------


def test_upload_preview_import_done(world, client_for):
    client = client_for(world.officer_x, enforce_csrf_checks=True)
    # Built once: a workbook records the second it was written, so two builds can differ.
    workbook = xlsx_file(three_people(world))
    page = client.get(START)
    token = page.context["csrf_token"]
    response = client.post(
        START,
        {
            "kind": "members",
            "file": SimpleUploadedFile("danh-sach.xlsx", workbook),
            "csrfmiddlewaretoken": token,
        },
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("members_import:preview", args=[batch.pk])

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    counts = preview.context["counts"]
    assert (counts["rows"], counts["create"], counts["update"], counts["unchanged"]) == (3, 3, 0, 0)
    body = text_of(preview)
    assert "Nông Thị Hoa" in body and reverse("members_import:commit", args=[batch.pk]) in body
    assert not User.objects.filter(phone__startswith="+84387").exists()  # a preview writes nothing

    done = client.post(
        reverse("members_import:commit", args=[batch.pk]),
        {"csrfmiddlewaretoken": preview.context["csrf_token"]},
        follow=True,
    )
    assert done.status_code == 200
    assert done.templates[0].name == "members/admin/import_done.html"
    assert User.objects.filter(phone__startswith="+84387").count() == 3
    assert AuditEvent.objects.filter(action="import.commit", actor=world.officer_x).count() == 1
    assert done.context["counts"]["people_created"] == 3

    # The same file again: the preview says nothing would change.
    again = uploaded(client_for(world.officer_x), workbook, name="danh-sach.xlsx")
    preview = client_for(world.officer_x).get(reverse("members_import:preview", args=[again.pk]))
    counts = preview.context["counts"]
    assert (counts["create"], counts["update"], counts["unchanged"]) == (0, 0, 3)
    assert preview.context["same_file_imported"] is not None


def test_the_import_needs_the_csrf_token(world, client_for):
    batch = uploaded(client_for(world.trainer), csv_file(three_people(world)))
    client = client_for(world.trainer, enforce_csrf_checks=True)
    response = client.post(reverse("members_import:commit", args=[batch.pk]))
    assert response.status_code == 403
    assert not User.objects.filter(phone__startswith="+84387").exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED


def test_the_import_is_a_post(world, client_for):
    batch = uploaded(client_for(world.trainer), csv_file(three_people(world)))
    assert client_for(world.trainer).get(reverse("members_import:commit", args=[batch.pk])).status_code == 405


def test_problems_are_listed_by_row_and_column_and_block_the_import(world, client_for):
    client = client_for(world.officer_x)
    rows = [*three_people(world), member_row(world.group_c, "0387000009"), member_row(world.group_a, "12")]
    batch = uploaded(client, csv_file(rows, bom=True, delimiter=";"))
    preview = client.get(reverse("members_import:preview", args=[batch.pk]))
    problems = preview.context["problems"]
    assert [(problem.row, problem.column) for problem in problems] == [(5, "Mã xã"), (6, "Số điện thoại")]
    body = text_of(preview)
    for problem in problems:
        assert str(problem).replace("“", "&ldquo;") in body or str(problem) in body
    assert re.search(r"<button[^>]*disabled", body)

    response = client.post(reverse("members_import:commit", args=[batch.pk]), follow=True)
    assert response.status_code == 200
    assert not User.objects.filter(phone__startswith="+84387").exists()
    assert not AuditEvent.objects.filter(action="import.commit").exists()

    listing = client.get(reverse("members_import:problems", args=[batch.pk]))
    assert listing["Content-Type"].startswith("text/csv")
    lines = listing.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[1].startswith("5,Mã xã,") and lines[2].startswith("6,Số điện thoại,")


def test_rows_can_be_filtered_by_what_happens_to_them(world, client_for):
    client = client_for(world.trainer)
    rows = [*three_people(world), member_row(world.group_a, "12")]
    batch = uploaded(client, csv_file(rows))
    url = reverse("members_import:preview", args=[batch.pk])
    shown = client.get(url, {"show": "error"}).context["table_rows"]
    assert [row.number for row, _cells in shown] == [5]
    shown = client.get(url, {"show": "create"}).context["table_rows"]
    assert [row.number for row, _cells in shown] == [2, 3, 4]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"x" * (MAX_BYTES + 1), "big.csv", too_large_message),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100), "photo.csv", not_a_list_message),
        (b"GIF89a", "photo.gif", not_a_list_message),
        (b"PK\x03\x04" + bytes(100), "broken.xlsx", not_a_list_message),
    ],
)
def test_a_file_too_big_or_not_a_spreadsheet_is_refused_on_the_form(
    world, content, name, message, client_for
):
    response = upload(client_for(world.trainer), content, name=name)
    assert response.status_code == 200
    assert vi(message) in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_groups_file_is_imported_through_the_same_pages(world, client_for):
    client = client_for(world.trainer)
    rows = [["01477", "Nà Lầu Mới", "01477-901", "Tổ công nghệ số Nà Lầu"]]
    batch = uploaded(client, csv_file(rows, GROUP_HEADERS), kind="groups")
    assert client.get(reverse("members_import:preview", args=[batch.pk])).context["counts"]["create"] == 1
    done = client.post(reverse("members_import:commit", args=[batch.pk]), follow=True)
    assert done.context["counts"]["groups_created"] == 1
    assert world.commune_x.groups.filter(code="01477-901", village__name="Nà Lầu Mới").exists()


@pytest.mark.parametrize(("kind", "file_format"), [("members", "csv"), ("groups", "xlsx")])
def test_template_downloads(world, kind, file_format, client_for):
    response = client_for(world.officer_x).get(reverse("members_import:template", args=[kind, file_format]))
    assert response.status_code == 200
    assert f".{file_format}" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf" if file_format == "csv" else b"PK")
    if file_format == "csv":
        # The example row is from the officer's own commune.
        assert world.commune_x.code in response.content.decode("utf-8-sig")
    assert client_for(world.officer_x).get("/admin/import/template/people.csv").status_code == 404


# Query budgets -----------------------------------------------------------------------------------


def test_the_preview_costs_the_same_queries_whatever_the_length_of_the_file(world, client_for):
    client = client_for(world.officer_x)

    def queries(count: int) -> int:
        rows = [
            member_row(
                world.group_a if number % 2 else world.group_b, f"0387{number:06d}", f"Nông Thị Số {number}"
            )
            for number in range(count)
        ]
        rows.append(member_row(world.group_a, world.resident_a.phone, world.resident_a.full_name, birth=""))
        batch = uploaded(client, csv_file(rows))
        url = reverse("members_import:preview", args=[batch.pk])
        client.get(url)  # warm the caches Wagtail keeps per process
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small, large = queries(5), queries(120)
    assert small == large
    assert large <= 20


def test_the_import_costs_the_same_queries_whatever_the_length_of_the_file(world, client_for):
    client = client_for(world.trainer)

    def queries(count: int, prefix: str) -> int:
        rows = [
            member_row(world.group_a, f"{prefix}{number:06d}", f"Nông Thị Số {number}")
            for number in range(count)
        ]
        batch = uploaded(client, csv_file(rows))
        with CaptureQueriesContext(connection) as captured:
            client.post(reverse("members_import:commit", args=[batch.pk]))
        assert Membership.objects.filter(user__phone__startswith=f"+84{prefix[1:]}").count() == count
        return len(captured)

    # Rows are written in batches (the database decides how many fit in one statement), never one by one.
    small, large = queries(5, "0387"), queries(150, "0388")
    assert large - small < 10
