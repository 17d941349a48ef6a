"""Importing lists of groups and members: reading files, checking rows, committing all or nothing."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from members import extensions
from members.imports import FileProblem, check_batch, check_file
from members.imports import columns as C
from members.imports.limits import MAX_BYTES
from members.imports.samples import Example, template_file
from members.models import AuditEvent, CommunityGroup, ImportBatch, Membership, User, Village
from members.services.imports import (
    import_batch_commit,
    import_batch_create,
    import_batch_preview,
    import_files_purge,
)
from tests.factories import MembershipFactory, UserFactory
from tests.members import xlsx_files

pytestmark = pytest.mark.django_db

MEMBER_HEADERS = [column.header for column in C.COLUMNS["members"]]
GROUP_HEADERS = [column.header for column in C.COLUMNS["groups"]]


def member_row(of, phone, name="Nông Thị Hoa", **values) -> list[str]:
    """A members row for the group ``of``: phone, name, year, commune, village, group, role, joined,
    consent; ``values`` replace any of them."""
    row = {
        "birth": "1985",
        "commune": of.commune.code,
        "village": of.village.name,
        "group": of.code,
        "role": "Thành viên",
        "joined": "15/03/2026",
        "consent": "Có",
    } | values
    return [
        phone,
        name,
        row["birth"],
        row["commune"],
        row["village"],
        row["group"],
        row["role"],
        row["joined"],
        row["consent"],
    ]


def csv_file(rows, headers=MEMBER_HEADERS, *, bom=False, delimiter=",") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_file(rows, headers=MEMBER_HEADERS, *, title=None) -> bytes:
    return xlsx_files.xlsx_file(rows, headers, title=title)


def check(content, user, kind="members", name="danh-sach.csv"):
    with translation.override("en"):
        return check_file(content=content, file_name=name, kind=kind, user=user)


def commit(content, user, kind="members", name="danh-sach.csv"):
    with translation.override("en"):
        batch = import_batch_create(content=content, file_name=name, kind=kind, acting_user=user)
        return batch, import_batch_commit(batch=batch, acting_user=user)


def three_people(world):
    return [
        member_row(world.group_a, "0387 000 001", "Nông Thị Hoa"),
        member_row(world.group_a, "0387000002", "Hoàng Văn Nam", role="Tổ phó"),
        member_row(world.group_b, "+84 387 000 003", "Lý Thị Mai", birth=""),
    ]


# Reading files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encode", "name"),
    [
        (lambda rows: csv_file(rows), "utf8.csv"),
        (lambda rows: csv_file(rows, bom=True), "bom.csv"),
        (lambda rows: csv_file(rows, bom=True, delimiter=";"), "semicolon.csv"),
        (lambda rows: csv_file(rows, delimiter="\t"), "tabs.txt"),
        (lambda rows: xlsx_file(rows), "excel.xlsx"),
        (lambda rows: xlsx_file(rows, title="DANH SÁCH THÀNH VIÊN TỔ CÔNG NGHỆ SỐ"), "title.xlsx"),
    ],
)
def test_csv_and_xlsx_files_read_the_same(world, encode, name):
    plan = check(encode(three_people(world)), world.trainer, name=name)
    assert plan.ok, plan.problems
    assert plan.counts()["create"] == 3 and plan.counts()["people_created"] == 3
    assert next(iter(plan.new_people.values())).full_name == "Nông Thị Hoa"
    assert set(plan.new_people) == {"+84387000001", "+84387000002", "+84387000003"}
    first_row = 3 if "title" in name else 2
    assert [row.number for row in plan.rows] == [first_row, first_row + 1, first_row + 2]


def test_an_upload_keeps_its_rows_as_csv_with_the_row_numbers_of_the_file(world):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "DANH SÁCH THÀNH VIÊN"
    sheet.append(MEMBER_HEADERS)  # row 2
    people = three_people(world)
    people[1][1] = 'Hoàng Văn "Nam", Tổ 2\nThôn trên'
    for number, row in zip((4, 5, 9), people, strict=True):  # rows 3, 6, 7 and 8 are empty
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = import_batch_create(
        content=buffer.getvalue(), file_name="a.xlsx", kind="members", acting_user=world.trainer
    )
    assert not bytes(batch.content).startswith(b"PK") and batch.summary == {"rows": 3}
    kept = check_batch(batch=batch, user=world.trainer)
    read = check(buffer.getvalue(), world.trainer, name="a.xlsx")
    assert [row.number for row in kept.rows] == [row.number for row in read.rows] == [4, 5, 9]
    assert kept.new_people["+84387000002"].full_name == 'Hoàng Văn "Nam", Tổ 2 Thôn trên'


def test_headers_match_without_accents_case_or_notes_and_other_columns_are_ignored(world):
    headers = ["STT", "so_dien_thoai", "HỌ VÀ TÊN", "Năm sinh (không bắt buộc)", "ma xa", "Thôn", "Mã tổ"]
    headers += ["Vai trò", "Ngày tham gia", "Đồng ý (*)"]
    rows = [["1", *row] for row in three_people(world)]
    plan = check(csv_file(rows, headers), world.trainer)
    assert plan.ok, plan.problems
    assert plan.table.ignored_headers == ["STT"]


def test_excel_numbers_keep_their_leading_zeros_and_dates_their_day(world):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(MEMBER_HEADERS)
    # What Excel stores when the columns are not formatted as text: numbers and a date.
    sheet.append(
        [
            387000001,
            "Nông Thị Hoa",
            1985,
            1477,
            "Đàm Thủy Thượng",
            world.group_a.code,
            "Tổ trưởng",
            datetime.datetime(2026, 3, 15),
            "x",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    Membership.objects.filter(group=world.group_a, role="leader").update(role="member")
    plan = check(buffer.getvalue(), world.trainer, name="so.xlsx")
    assert plan.ok, plan.problems
    membership = plan.new_memberships[0]
    assert membership.role == Membership.Role.LEADER and membership.joined_on == datetime.date(2026, 3, 15)
    assert "+84387000001" in plan.new_people


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "photo.csv", "not a CSV or an Excel"),
        (b"PK\x03\x04" + bytes(100), "broken.xlsx", "not a CSV or an Excel"),
        (b"\xd0\xcf\x11\xe0" + bytes(100), "old.xls", "old Excel file (.xls)"),
        ("Số điện thoại,Họ và tên\n0387000001,Hoa\n".encode(), "few.csv", "required columns are missing"),
        ("Mã xã,Tên\n01477,Bản Giốc\n".encode("cp1252", "replace"), "ansi.csv", "not saved in UTF-8"),
        (",".join(MEMBER_HEADERS).encode() + b"\n", "headers.csv", "no rows below them"),
        (b"x" * (MAX_BYTES + 1), "big.csv", "larger than 5 MB"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(world, content, name, expected):
    with pytest.raises(FileProblem) as caught:
        check(content, world.trainer, name=name)
    assert expected in caught.value.message


# Checking rows ----------------------------------------------------------------------------------


def test_each_problem_names_its_row_and_column(world):
    rows = [
        member_row(world.group_a, "0387000001"),
        member_row(world.group_a, "0123 456"),  # row 3: not a mobile number
        member_row(world.group_a, "0387000003", commune="99999"),  # row 4: no such commune
        member_row(world.group_a, "0387000001"),  # row 5: the same person and group as row 2
        member_row(world.group_a, "0387000005", group="NO-SUCH"),  # row 6: no such group
        member_row(world.group_a, "0387000006", birth="85", joined="2026-13-01", consent="Không"),
        member_row(world.group_a, "0387000007", name="Hoa", village="Nowhere"),  # row 8
    ]
    plan = check(csv_file(rows, bom=True), world.trainer)
    assert not plan.ok
    found = {(problem.row, problem.column) for problem in plan.problems}
    assert found == {
        (3, "Số điện thoại"),
        (4, "Mã xã"),
        (5, "Số điện thoại"),
        (6, "Mã tổ"),
        (7, "Năm sinh"),
        (7, "Ngày tham gia"),
        (7, "Đồng ý xử lý dữ liệu"),
        (8, "Họ và tên"),
        (8, "Thôn/xóm"),
    }
    messages = {(problem.row, problem.column): problem.message for problem in plan.problems}
    assert "not a valid Vietnamese mobile number" in messages[(3, "Số điện thoại")]
    assert "No commune has the code 99999" in messages[(4, "Mã xã")]
    assert "Rows 2 and 5 have the same mobile number and group" in messages[(5, "Số điện thoại")]
    assert "No group has the code NO-SUCH" in messages[(6, "Mã tổ")]
    with translation.override("en"):
        assert str(plan.problems[0]).startswith("Row 3, column “Số điện thoại”: ")
    assert [row.action for row in plan.rows][:2] == ["create", "error"]


def test_the_column_is_named_as_the_file_writes_it(world):
    headers = ["SĐT", *MEMBER_HEADERS[1:]]
    plan = check(csv_file([member_row(world.group_a, "12345")], headers), world.trainer)
    assert [(problem.row, problem.column) for problem in plan.problems] == [(2, "SĐT")]


def test_one_person_in_two_groups_is_fine_but_rows_must_agree(world):
    home = world.group_b.village.name
    rows = [
        member_row(world.group_a, "0387000001", village=home),
        member_row(world.group_b, "0387000001"),
        member_row(world.group_b, "0387000002", "Lý Thị Mai"),
        member_row(world.group_a, "0387000002", "Lý Thị Mái", village=home),
    ]
    plan = check(csv_file(rows), world.trainer)
    assert [(problem.row, problem.column) for problem in plan.problems] == [(5, "Họ và tên")]
    assert "Row 4 gives the same mobile number" in plan.problems[0].message


def test_a_group_has_one_leader(world):
    rows = [
        member_row(world.group_c, "0387000001", role="Tổ trưởng"),  # group C has a leader already
        member_row(world.group_a, "0387000002", role="Tổ trưởng"),
        member_row(world.group_a, "0387000003", role="Tổ trưởng"),
    ]
    plan = check(csv_file(rows), world.trainer)
    found = [(problem.row, problem.column) for problem in plan.problems]
    assert (2, "Vai trò") in found and (4, "Vai trò") in found
    assert "already has a leader" in plan.problems[0].message


def test_a_new_leader_takes_over_when_the_file_steps_the_old_one_down(world):
    old = world.leader_c
    rows = [
        member_row(world.group_c, "0387000001", role="Tổ trưởng"),
        member_row(
            world.group_c,
            old.phone,
            old.full_name,
            birth="",
            village=old.village.name,
            role="Tổ phó",
            joined="",
        ),
    ]
    commit(csv_file(rows), world.trainer)
    leaders = Membership.objects.active().filter(group=world.group_c, role="leader")
    assert [membership.user.phone for membership in leaders] == ["+84387000001"]
    assert Membership.objects.get(user=old, group=world.group_c).role == Membership.Role.DEPUTY


def test_changes_are_described_and_a_move_between_communes_pointed_out(world):
    person = world.resident_a
    village_y = world.group_c.village
    rows = [
        member_row(
            world.group_c,
            person.phone,
            "Nông Thị Hoà Bình",
            birth="1990",
            role="Thành viên",
            joined="",
            village=village_y.name,
        )
    ]
    plan = check(csv_file(rows), world.trainer)
    assert plan.ok, plan.problems
    row = plan.rows[0]
    assert row.action == "create"  # the membership of group C is new
    assert any("Full name" in change for change in row.changes)
    assert any("Village" in change for change in row.changes)
    assert row.notes and "Moves from" in row.notes[0]
    assert plan.counts()["people_moved"] == 1
    assert plan.commune_ids == {world.commune_x.pk, world.commune_y.pk}


# Scope ------------------------------------------------------------------------------------------


def test_an_officer_imports_rows_of_their_own_commune_only(world):
    rows = [member_row(world.group_a, "0387000001"), member_row(world.group_c, "0387000002")]
    plan = check(csv_file(rows), world.officer_x)
    assert [(problem.row, problem.column) for problem in plan.problems] == [(3, "Mã xã")]
    assert "outside your commune" in plan.problems[0].message
    # The officer of Y may import that row, and not the other.
    plan = check(csv_file(rows), world.officer_y)
    assert [(problem.row, problem.column) for problem in plan.problems] == [(2, "Mã xã")]


def test_an_officer_cannot_change_someone_registered_in_another_commune(world):
    person = world.resident_c  # lives in Y, member of group C in Y
    rows = [member_row(world.group_a, person.phone, person.full_name, birth="")]
    plan = check(csv_file(rows), world.officer_x)
    assert [(problem.row, problem.column) for problem in plan.problems] == [(2, "Số điện thoại")]
    assert check(csv_file(rows), world.trainer).problems == []


def test_an_officer_adds_someone_of_another_commune_to_a_group_but_does_not_rewrite_them(world):
    person = world.resident_c  # lives in Y, member of group C in Y
    MembershipFactory(user=person, group=world.group_b)  # and of group B in X: officer X reaches them
    village_y = person.village
    rows = [member_row(world.group_a, person.phone, "Tên Đã Đổi", birth="1970")]
    plan = check(csv_file(rows), world.officer_x)
    assert [(problem.row, problem.column) for problem in plan.problems] == [(2, "Họ và tên"), (2, "Năm sinh")]
    assert all("registered in" in problem.message for problem in plan.problems)
    # The officer of Y, or a trainer, may change them.
    assert check(csv_file(rows), world.trainer).ok
    # As HọcSố has them, the row adds them to group A; they stay registered in Y.
    rows = [member_row(world.group_a, person.phone, person.full_name, birth="")]
    _batch, plan = commit(csv_file(rows), world.officer_x)
    assert plan.ok and plan.rows[0].action == "create"
    assert any("stays registered" in note for note in plan.rows[0].notes)
    person.refresh_from_db()
    assert person.village == village_y and person.full_name == rows[0][1]
    assert Membership.objects.active().filter(user=person, group=world.group_a).exists()
    assert plan.counts()["people_moved"] == 0


def test_people_without_import_rights_cannot_upload(world):
    for person in (world.resident_a, world.leader_a):
        with pytest.raises(PermissionDenied):
            import_batch_create(content=csv_file([]), file_name="x.csv", kind="members", acting_user=person)


def test_only_the_uploader_commits(world):
    batch = import_batch_create(
        content=csv_file(three_people(world)), file_name="x.csv", kind="members", acting_user=world.trainer
    )
    with pytest.raises(PermissionDenied):
        import_batch_commit(batch=batch, acting_user=world.admin)
    assert not User.objects.filter(phone="+84387000001").exists()


# Committing -------------------------------------------------------------------------------------


def test_commit_writes_people_and_memberships_and_records_consent(world):
    before = timezone.now()
    batch, _plan = commit(csv_file(three_people(world), bom=True), world.officer_x)
    hoa = User.objects.get(phone="+84387000001")
    assert hoa.full_name == "Nông Thị Hoa" and hoa.birth_year == 1985
    assert hoa.village == world.group_a.village
    assert hoa.consent_at >= before and hoa.consent_recorded_by == world.officer_x
    assert not hoa.has_usable_password()
    nam = Membership.objects.get(user__phone="+84387000002")
    assert (nam.group, nam.role, nam.joined_on) == (world.group_a, "deputy", datetime.date(2026, 3, 15))
    assert User.objects.get(phone="+84387000003").birth_year is None
    batch.refresh_from_db()
    assert batch.status == "committed" and batch.committed_at is not None
    assert bytes(batch.content) == b"" and batch.purged_at is not None
    assert batch.summary["people_created"] == 3 and batch.summary["memberships_created"] == 3


def test_an_audit_event_records_the_import_without_personal_data(world):
    batch, _plan = commit(csv_file(three_people(world)), world.trainer)
    event = AuditEvent.objects.get(action="import.commit")
    assert event.actor == world.trainer
    assert (event.target_type, event.target_id) == ("members.importbatch", str(batch.pk))
    assert event.changes["people_created"] == [None, 3] and event.changes["kind"] == [None, "members"]
    logged = str(event.changes)
    for secret in ("387", "Nông", "Hoa", world.group_a.village.name):
        assert secret not in logged
    # One event per import: the people themselves are not audited one by one.
    assert AuditEvent.objects.filter(action__startswith="user.").count() == 0


def test_one_bad_row_and_nothing_is_written(world):
    rows = [*three_people(world), member_row(world.group_a, "0387000009", consent="")]
    before = (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    with translation.override("en"):
        batch = import_batch_create(
            content=csv_file(rows), file_name="x.csv", kind="members", acting_user=world.trainer
        )
        assert check_batch(batch=batch, user=world.trainer).counts()["error"] == 1
        with pytest.raises(ValidationError) as caught:
            import_batch_commit(batch=batch, acting_user=world.trainer)
    assert "nothing was imported" in caught.value.messages[0]
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.content


def test_the_commit_checks_again_what_changed_since_the_preview(world):
    rows = [member_row(world.group_a, "0387000001", role="Tổ trưởng")]
    Membership.objects.filter(group=world.group_a, role="leader").update(role="member")
    batch = import_batch_create(
        content=csv_file(rows), file_name="x.csv", kind="members", acting_user=world.trainer
    )
    assert check_batch(batch=batch, user=world.trainer).ok
    MembershipFactory(group=world.group_a, role="leader")  # someone was made leader meanwhile
    with pytest.raises(ValidationError):
        import_batch_commit(batch=batch, acting_user=world.trainer)
    assert not User.objects.filter(phone="+84387000001").exists()


def test_a_database_error_midway_rolls_everything_back(world, monkeypatch):
    from members.services import imports

    def fail(*args, **kwargs):
        from django.db import IntegrityError

        raise IntegrityError("simulated")

    monkeypatch.setattr(imports.Membership.objects, "bulk_create", fail)
    batch = import_batch_create(
        content=csv_file(three_people(world)), file_name="x.csv", kind="members", acting_user=world.trainer
    )
    with pytest.raises(ValidationError):
        import_batch_commit(batch=batch, acting_user=world.trainer)
    assert not User.objects.filter(phone__startswith="+84387").exists()
    assert not AuditEvent.objects.filter(action="import.commit").exists()
    batch.refresh_from_db()
    assert batch.status == "failed"
    monkeypatch.undo()
    import_batch_commit(batch=batch, acting_user=world.trainer)  # the rows are checked again
    assert User.objects.filter(phone__startswith="+84387").count() == 3


def preview(content, user, *, again=False):
    with translation.override("en"):
        batch = import_batch_create(content=content, file_name="x.csv", kind="members", acting_user=user)
        return batch, import_batch_preview(batch=batch, acting_user=user, again=again)


def test_the_preview_is_checked_once_and_kept(world, django_assert_num_queries):
    rows = [*three_people(world), member_row(world.group_a, world.resident_a.phone, "Nông Văn Đổi", birth="")]
    batch, plan = preview(csv_file(rows), world.trainer)
    assert plan.counts()["update"] == 1
    with translation.override("en"), django_assert_num_queries(0):
        again = import_batch_preview(batch=batch, acting_user=world.trainer)
    shown = [(row.number, row.action, row.changes, row.notes, row.problems, row.values) for row in plan.rows]
    assert [
        (row.number, row.action, row.changes, row.notes, row.problems, row.values) for row in again.rows
    ] == shown
    assert again.counts() == plan.counts() and again.table.headers == plan.table.headers
    # Another language, or "Check again", checks afresh.
    with translation.override("vi"):
        assert "Họ và tên" in import_batch_preview(batch=batch, acting_user=world.trainer).rows[3].changes[0]
    with translation.override("en"):
        assert (
            import_batch_preview(batch=batch, acting_user=world.trainer, again=True).counts() == plan.counts()
        )
    with pytest.raises(PermissionDenied):
        import_batch_preview(batch=batch, acting_user=world.officer_x)


def test_a_preview_audits_its_number_lookups_as_one_event_without_the_numbers(world):
    rows = [
        *three_people(world),
        member_row(world.group_a, world.resident_a.phone, world.resident_a.full_name),
    ]
    batch, _plan = preview(csv_file(rows), world.officer_x)
    with translation.override("en"):
        import_batch_preview(batch=batch, acting_user=world.officer_x)  # shown again: nothing looked up
    event = AuditEvent.objects.get(action="import.lookup")
    assert event.actor == world.officer_x
    assert (event.target_type, event.target_id) == ("members.importbatch", str(batch.pk))
    assert event.changes == {"kind": [None, "members"], "numbers": [None, 4], "found": [None, 1]}
    for secret in ("387", world.resident_a.phone[3:], world.resident_a.full_name):
        assert secret not in str(event.changes)


def test_the_commit_imports_nothing_the_preview_did_not_show(world):
    person = world.resident_a
    rows = [member_row(world.group_a, person.phone, "Nông Văn Đổi", birth="")]
    batch, plan = preview(csv_file(rows), world.trainer)
    assert plan.rows[0].action == "update"
    User.objects.filter(pk=person.pk).update(full_name="Nông Văn Khác")  # someone else renamed them
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        import_batch_commit(batch=batch, acting_user=world.trainer)
    assert caught.value.code == "changed"
    batch.refresh_from_db()
    assert batch.status == "previewed" and not AuditEvent.objects.filter(action="import.commit").exists()
    person.refresh_from_db()
    assert person.full_name == "Nông Văn Khác"
    # The preview now shows the new check, and importing it imports what it shows.
    with translation.override("en"):
        shown = import_batch_preview(batch=batch, acting_user=world.trainer)
        assert "Nông Văn Khác" in shown.rows[0].changes[0]
        import_batch_commit(batch=batch, acting_user=world.trainer)
    person.refresh_from_db()
    assert person.full_name == "Nông Văn Đổi"
    batch.refresh_from_db()
    assert batch.plan is None and bytes(batch.content) == b""


def test_importing_the_same_file_again_changes_nothing(world):
    content = xlsx_file(three_people(world))
    commit(content, world.trainer, name="a.xlsx")
    snapshot = list(User.objects.order_by("pk").values()), list(Membership.objects.order_by("pk").values())
    _batch, plan = commit(content, world.trainer, name="a.xlsx")
    assert plan.counts()["unchanged"] == 3 and plan.counts()["create"] == plan.counts()["update"] == 0
    assert (
        list(User.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
    ) == snapshot
    assert AuditEvent.objects.filter(action="import.commit").count() == 2


def test_a_changed_row_updates_the_person_and_role(world):
    commit(csv_file(three_people(world)), world.trainer)
    rows = three_people(world)
    rows[0] = member_row(world.group_a, "0387000001", "Nông Thị Hoa Mai", role="Tổ phó")
    _batch, plan = commit(csv_file(rows), world.trainer)
    assert plan.counts()["update"] == 1 and plan.counts()["unchanged"] == 2
    membership = Membership.objects.get(user__phone="+84387000001")
    assert membership.user.full_name == "Nông Thị Hoa Mai" and membership.role == "deputy"


def test_committing_twice_imports_once(world):
    batch, _plan = commit(csv_file(three_people(world)), world.trainer)
    with pytest.raises(ValidationError) as caught:
        import_batch_commit(batch=batch, acting_user=world.trainer)
    assert caught.value.code == "done"
    assert User.objects.filter(phone__startswith="+84387").count() == 3


def test_the_statistics_hear_which_communes_changed(world):
    heard = []
    handler = extensions.on_community_changed(heard.append)
    try:
        commit(csv_file(three_people(world)), world.trainer)
    finally:
        extensions._community_changed.remove(handler)
    assert heard == [{world.commune_x.pk}]


def test_an_existing_person_without_consent_gets_it_recorded(world):
    person = UserFactory(village=world.group_a.village, consent_at=None)
    rows = [member_row(world.group_a, person.phone, person.full_name, birth="", role="", joined="")]
    commit(csv_file(rows), world.officer_x)
    person.refresh_from_db()
    assert person.consent_at is not None and person.consent_recorded_by == world.officer_x


# Groups -----------------------------------------------------------------------------------------


def test_groups_are_created_with_new_villages_then_left_alone(world):
    rows = [
        ["01477", "Bản Giốc", "01477-901", "Tổ công nghệ số Bản Giốc 2"],
        ["1477", "Nà Lầu Mới", "01477-902", "Tổ công nghệ số Nà Lầu"],
        ["01477", "nà lầu  mới", "01477-903", "Tổ công nghệ số Nà Lầu 2"],
        ["01477", "", "01477-904", "Tổ không có thôn"],
    ]
    content = csv_file(rows, GROUP_HEADERS)
    _batch, plan = commit(content, world.officer_x, kind="groups")
    assert plan.counts()["groups_created"] == 4 and plan.counts()["villages_created"] == 1
    new_village = Village.objects.get(commune=world.commune_x, name="Nà Lầu Mới")
    assert set(CommunityGroup.objects.filter(village=new_village).values_list("code", flat=True)) == {
        "01477-902",
        "01477-903",
    }
    assert CommunityGroup.objects.get(code="01477-904").village is None
    _batch, plan = commit(content, world.officer_x, kind="groups")
    assert plan.counts()["unchanged"] == 4 and Village.objects.filter(name__icontains="Nà Lầu").count() == 1


def test_group_rows_are_checked(world):
    rows = [
        ["01477", "Bản Giốc", world.group_a.code, "Tên mới"],  # renames group A
        ["01477", "Bản Giốc", world.group_c.code, "Tổ C"],  # group C is in commune Y
        ["01477", "Bản Giốc", "01477-950", "Tổ mới"],
        ["01477", "Bản Giốc", "01477-950", "Tổ mới lần hai"],
        ["123456", "Bản Giốc", "01477-951", "Tổ"],
    ]
    plan = check(csv_file(rows, GROUP_HEADERS), world.trainer, kind="groups")
    found = [(problem.row, problem.column) for problem in plan.problems]
    assert found == [(3, "Mã xã"), (5, "Mã tổ"), (6, "Mã xã")]
    assert plan.rows[0].action == "update"
    assert "does not move groups" in plan.problems[0].message


def test_an_officer_cannot_touch_groups_of_another_commune(world):
    rows = [[world.commune_y.code, "", world.group_c.code, "Tên khác"]]
    plan = check(csv_file(rows, GROUP_HEADERS), world.officer_x, kind="groups")
    assert [(problem.row, problem.column) for problem in plan.problems] == [(2, "Mã xã")]


# Templates and files kept -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["members", "groups"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_files_have_vietnamese_headers_and_an_example_row_that_imports(world, kind, file_format):
    group = world.group_a
    example = Example(group.commune.code, group.village.name, group.code, group.name)
    content, _content_type, name = template_file(kind=kind, file_format=file_format, example=example)
    assert name.endswith(f".{file_format}")
    headers = GROUP_HEADERS if kind == "groups" else MEMBER_HEADERS
    if file_format == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        assert content.decode("utf-8-sig").splitlines()[0] == ",".join(headers)
    else:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content))
        assert [cell.value for cell in workbook.worksheets[0][1]] == headers
        assert len(workbook.worksheets) == 2  # the second explains the columns
    plan = check(content, world.trainer, kind=kind, name=name)
    assert plan.ok, plan.problems
    assert len(plan.rows) == 1


def test_files_of_uncommitted_uploads_are_purged(world):
    old = import_batch_create(
        content=csv_file(three_people(world)), file_name="x.csv", kind="members", acting_user=world.trainer
    )
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    import_batch_preview(batch=old, acting_user=world.trainer)
    recent = import_batch_create(
        content=csv_file(three_people(world)), file_name="y.csv", kind="members", acting_user=world.trainer
    )
    out = io.StringIO()
    call_command("purge_import_files", stdout=out)
    assert "1" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert bytes(old.content) == b"" and old.plan is None and old.purged_at is not None
    assert recent.content and recent.purged_at is None
    assert import_files_purge() == 0
    with pytest.raises(ValidationError):
        import_batch_commit(batch=old, acting_user=world.trainer)
