"""Files that must not keep a server busy, and messages that name what is wrong with a file."""

import io
import time
import zipfile

import pytest
from django.utils import translation

from members.imports import FileProblem
from members.imports.files import read_upload
from members.imports.limits import MAX_LINES
from members.imports.xlsx import MAX_CELLS, MAX_COLUMNS, MAX_ELEMENTS, MAX_MERGED_CELLS, MAX_SHARED_STRINGS
from tests.factories import CommunityGroupFactory
from tests.members.test_imports import MEMBER_HEADERS, check, csv_file, member_row, xlsx_file
from tests.members.xlsx_files import MAIN as _MAIN
from tests.members.xlsx_files import eleven_million_tiny_texts, rewritten_xlsx, tiny_texts

pytestmark = pytest.mark.django_db


def refusal(content: bytes, name: str = "danh-sach.xlsx") -> tuple[str, float]:
    started = time.perf_counter()
    with translation.override("en"), pytest.raises(FileProblem) as refused:
        read_upload(content=content, file_name=name, kind="members")
    return refused.value.message, time.perf_counter() - started


# Bounded parsing -----------------------------------------------------------------------------------


def test_a_workbook_of_eleven_million_tiny_texts_is_refused_before_they_are_parsed():
    content = eleven_million_tiny_texts()
    assert len(content) < 600_000  # the 0.49 MB file that kept a process busy for 128 s
    message, seconds = refusal(content)
    assert f"more than {MAX_SHARED_STRINGS:,}".replace(",", ".") in message
    assert "shared strings" in message
    print(f"refused in {seconds:.3f} s")  # timings belong in bench/; shown with pytest -s


def test_texts_too_many_but_small_enough_to_count_are_counted():
    content = rewritten_xlsx({"xl/sharedStrings.xml": tiny_texts(MAX_SHARED_STRINGS + 1)})
    message, _seconds = refusal(content)
    assert "shared strings" in message


def test_a_sheet_of_too_many_cells_is_refused_before_its_rows_are_read():
    rows = "".join(
        f'<row r="{row}">'
        + "".join(f'<c r="{column}{row}"><v>{row}</v></c>' for column in "ABCDEFGHIJ")
        + "</row>"
        for row in range(1, MAX_CELLS // 10 + 2)
    )
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    )
    message, _seconds = refusal(rewritten_xlsx({"xl/worksheets/sheet1.xml": sheet}))
    assert f"more than {MAX_CELLS:,} cells".replace(",", ".") in message


def test_a_zip_bomb_is_called_a_compressed_file_that_expands():
    content = rewritten_xlsx({"xl/media/padding.bin": bytes(100 * 1024 * 1024)})
    assert len(content) < 1024 * 1024
    message, _seconds = refusal(content)
    assert "compressed" in message and "expand to 100 MB" in message
    assert "larger than" not in message


def test_a_list_just_within_the_bounds_is_read(world):
    rows = [member_row(world.group_a, f"03870{number:05d}", f"Nông Thị {number}") for number in range(300)]
    table, _kept = read_upload(content=xlsx_file(rows), file_name="danh-sach.xlsx", kind="members")
    assert len(table.rows) == 300
    assert table.headers == MEMBER_HEADERS


def worksheet(rows: bytes, *, before: bytes = b"", after: bytes = b"") -> bytes:
    return (
        f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}">'.encode()
        + before
        + b"<sheetData>"
        + rows
        + b"</sheetData>"
        + after
        + b"</worksheet>"
    )


def sheet_row(number: int, values: list[str], *, columns: str = "ABCDEFGHI") -> bytes:
    cells = "".join(
        f'<c r="{column}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for column, value in zip(columns, values, strict=False)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def header_and(*rows: bytes) -> bytes:
    return sheet_row(1, MEMBER_HEADERS) + b"".join(rows)


def person(number: int) -> list[str]:
    return [f"03870{number:05d}", f"Nông Thị {number}", "1985", "X", "Bản", "T", "Thành viên", "", "Có"]


def past_the_last_line(message: str) -> bool:
    return f"past row {MAX_LINES:,}".replace(",", ".") in message and "empty rows" in message


@pytest.mark.parametrize("blank", [b"\n", b",,,\n"], ids=["line breaks", "empty cells"])
def test_a_csv_of_millions_of_blank_lines_is_refused_at_the_bound(blank):
    header = (",".join(MEMBER_HEADERS) + "\n").encode()
    content = header + blank * ((5_000_000 - len(header)) // len(blank))
    message, seconds = refusal(content, "danh-sach.csv")
    assert past_the_last_line(message)
    print(f"refused in {seconds:.3f} s")  # 8 s and 338 MB (tracemalloc) before the bound; 0.2 s now


def test_blank_lines_above_the_header_count_too():
    row = ",".join(person(1)).encode()
    content = b"\n" * 4_000_000 + (",".join(MEMBER_HEADERS) + "\n").encode() + row
    message, _seconds = refusal(content, "danh-sach.csv")
    assert past_the_last_line(message)


def test_a_workbook_whose_one_row_is_numbered_1048576_is_refused():
    sheet = worksheet(header_and(sheet_row(1_048_576, person(1))))
    message, seconds = refusal(rewritten_xlsx({"xl/worksheets/sheet1.xml": sheet}))
    assert past_the_last_line(message)
    print(f"refused in {seconds:.3f} s")  # openpyxl yielded a million empty rows: 2 s, kept 1 MB


def test_blank_rows_within_the_bound_are_read_and_kept(world):
    rows = [member_row(world.group_a, "0387000001", "Nông Thị Hoa")]
    content = csv_file(rows) + b"\n" * (MAX_LINES - 3) + ",".join(rows[0]).replace("01,", "02,", 1).encode()
    table, kept = read_upload(content=content, file_name="danh-sach.csv", kind="members")
    assert [number for number, _cells in table.rows] == [2, MAX_LINES]
    assert kept.count(b"\n") == MAX_LINES  # every line kept, so rows keep their numbers


def test_a_sheet_claiming_every_cell_of_excel_is_read_as_the_rows_it_has():
    sheet = worksheet(header_and(sheet_row(2, person(1))), before=b'<dimension ref="A1:XFD1048576"/>')
    table, kept = read_upload(
        content=rewritten_xlsx({"xl/worksheets/sheet1.xml": sheet}), file_name="d.xlsx", kind="members"
    )
    assert [number for number, _cells in table.rows] == [2]
    assert kept.count(b"\n") == 2


def test_a_cell_in_the_last_column_does_not_make_rows_thousands_wide():
    far = b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c>'
    sheet = worksheet(header_and(sheet_row(2, person(1))[: -len(b"</row>")] + far + b"</row>"))
    table, kept = read_upload(
        content=rewritten_xlsx({"xl/worksheets/sheet1.xml": sheet}), file_name="d.xlsx", kind="members"
    )
    assert table.rows[0][1] == person(1)
    assert max(line.count(b",") for line in kept.splitlines()) < MAX_COLUMNS


def merged(*ranges: str) -> bytes:
    cells = "".join(f'<mergeCell ref="{cell_range}"/>' for cell_range in ranges)
    return f'<mergeCells count="{len(ranges)}">{cells}</mergeCells>'.encode()


def test_merged_ranges_marking_too_many_cells_are_refused():
    # 200 ranges of 100 rows × 30 columns: 600,000 cells; thousands of ranges of 25,000 rows made
    # billions of steps.
    rows = header_and(sheet_row(2, person(2)), sheet_row(100, person(100)))
    sheet = worksheet(rows, after=merged(*["A1:AD100"] * 200))
    message, _seconds = refusal(rewritten_xlsx({"xl/worksheets/sheet1.xml": sheet}))
    assert f"more than {MAX_MERGED_CELLS:,} merged cells".replace(",", ".") in message
    assert "unmerge its cells" in message


def test_a_merged_range_down_to_row_1048576_marks_only_the_rows_there_are():
    sheet = worksheet(header_and(sheet_row(2, person(2))), after=merged(*["J2:AD1048576"] * 20))
    table, _kept = read_upload(
        content=rewritten_xlsx({"xl/worksheets/sheet1.xml": sheet}), file_name="d.xlsx", kind="members"
    )
    assert [number for number, _cells in table.rows] == [2]


_TEXTS_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def test_shared_texts_under_another_name_are_counted():
    # Stored, not packed: a part of 5 MB passes the test of what unpacks to more than it packs.
    content = rewritten_xlsx(
        {"xl/t.xml": tiny_texts(290_000)},
        compression=zipfile.ZIP_STORED,
        content_types=b'<Override PartName="/xl/t.xml" ContentType="' + _TEXTS_TYPE + b'"/>',
    )
    message, seconds = refusal(content)
    assert f"more than {MAX_SHARED_STRINGS:,}".replace(",", ".") in message
    assert "shared strings" in message
    print(f"refused in {seconds:.3f} s")  # read whole before: 5 s


def test_a_styles_part_of_a_million_formats_is_refused_before_openpyxl_reads_it():
    styles = (
        f'<?xml version="1.0"?><styleSheet xmlns="{_MAIN}"><cellXfs count="900000">'.encode()
        + b"<xf/>" * 900_000
        + b"</cellXfs></styleSheet>"
    )
    content = rewritten_xlsx({"xl/styles.xml": styles}, compression=zipfile.ZIP_STORED)
    message, seconds = refusal(content)
    assert f"more than {MAX_ELEMENTS:,} settings".replace(",", ".") in message
    print(f"refused in {seconds:.3f} s")  # openpyxl took 21 s


def test_a_workbook_of_150_000_defined_names_is_refused():
    names = b"".join(b'<definedName name="n%d">1</definedName>' % number for number in range(150_000))
    source = zipfile.ZipFile(io.BytesIO(xlsx_file([])))
    workbook = source.read("xl/workbook.xml").replace(
        b"</workbook>", b"<definedNames>" + names + b"</definedNames></workbook>"
    )
    message, _seconds = refusal(rewritten_xlsx({"xl/workbook.xml": workbook}))
    assert "settings" in message


# Messages that name the cause --------------------------------------------------------------------


def test_a_csv_saved_as_utf16_without_its_mark_is_read(world):
    rows = [member_row(world.group_a, "0387000001", "Nông Thị Hoa")]
    text = csv_file(rows).decode("utf-8")
    for encoding in ("utf-16-le", "utf-16-be"):
        plan = check(text.encode(encoding), world.trainer, name="danh-sach.csv")
        assert plan.ok, plan.problems
        assert plan.rows[0].values["ho_ten"] == "Nông Thị Hoa"


def test_a_merged_cell_is_named_and_not_read_as_empty(world):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(MEMBER_HEADERS)
    sheet.append(member_row(world.group_a, "0387000001", "Nông Thị Hoa"))
    sheet.append(member_row(world.group_a, "0387000002", "Hoàng Văn Nam", commune=""))
    sheet.merge_cells("D2:D3")  # the commune code, written once for both rows
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = check(buffer.getvalue(), world.trainer, name="danh-sach.xlsx")
    assert [(problem.row, problem.column) for problem in plan.problems] == [(3, "Mã xã")]
    assert "merged" in plan.problems[0].message and "Unmerge" in plan.problems[0].message


def test_a_formula_without_a_saved_value_is_named_and_a_year_not_dropped_silently(world):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(MEMBER_HEADERS)
    sheet.append(member_row(world.group_a, "0387000001", "Nông Thị Hoa", birth="=2026-41"))
    buffer = io.BytesIO()
    workbook.save(buffer)  # openpyxl saves formulas without their value, as some programs do
    plan = check(buffer.getvalue(), world.trainer, name="danh-sach.xlsx")
    assert [(problem.row, problem.column) for problem in plan.problems] == [(2, "Năm sinh")]
    assert "formula" in plan.problems[0].message and "paste it as values" in plan.problems[0].message


# What the preview points out ----------------------------------------------------------------------


def test_making_a_leader_lead_a_second_group_is_pointed_out(world):
    leader = world.leader_a  # leads group A
    new_group = CommunityGroupFactory(village=world.group_a.village)  # no leader yet
    rows = [
        member_row(
            new_group, leader.phone, leader.full_name, birth="", village=leader.village.name, role="Tổ trưởng"
        )
    ]
    plan = check(csv_file(rows), world.trainer)
    assert plan.ok, plan.problems
    assert plan.rows[0].notes == [
        f"Already leads group {world.group_a.code}; will lead group {new_group.code} too."
    ]
