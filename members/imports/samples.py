"""The template files offered on the import page: the headers of each kind and one example row.

CSV templates are written in UTF-8 with a BOM, the form Excel recognises as UTF-8 when it opens them.
In the XLSX template, the columns of codes and phone numbers are text, so that Excel keeps their
leading zeros; a second sheet explains each column (only the first sheet is ever read).
"""

import csv
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from members import consent as consent_texts
from members.exports import safe_cell
from members.imports import columns as C
from members.models import ImportBatch

TEXT_COLUMNS = {C.COMMUNE.key, C.PHONE.key, C.GROUP_CODE.key}
FILE_NAMES = {ImportBatch.Kind.GROUPS: "mau-nhap-to", ImportBatch.Kind.MEMBERS: "mau-nhap-thanh-vien"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Example:
    commune_code: str
    village_name: str
    group_code: str
    group_name: str


def example_row(kind: str, example: Example) -> dict[str, str]:
    if kind == ImportBatch.Kind.GROUPS:
        return {
            C.COMMUNE.key: example.commune_code,
            C.VILLAGE.key: example.village_name,
            C.GROUP_CODE.key: example.group_code,
            C.GROUP_NAME.key: example.group_name,
        }
    return {
        C.PHONE.key: "0912 345 678",
        C.FULL_NAME.key: "Nông Thị Hoa",
        C.BIRTH_YEAR.key: "1985",
        C.COMMUNE.key: example.commune_code,
        C.VILLAGE.key: example.village_name,
        C.GROUP_CODE.key: example.group_code,
        C.ROLE.key: "Thành viên",
        C.JOINED.key: timezone.localdate().strftime("%d/%m/%Y"),
        C.CONSENT.key: "Có",
    }


def column_notes(kind: str) -> list[tuple[str, str, str]]:
    """(header, short header, what to write) for every column of ``kind``."""
    notes = {
        C.COMMUNE.key: _("Required. The commune's 5-digit unit code, for example 01477."),
        C.VILLAGE.key: _("The village, residential group or hamlet, written as in Community → Villages."),
        C.GROUP_CODE.key: _("The community group's code, for example 01477-001."),
        C.GROUP_NAME.key: _("Required. The group's name."),
        C.PHONE.key: _("Required. The person's mobile number: it is how they sign in."),
        C.FULL_NAME.key: _("Required. Family name first, for example Nông Thị Hoa."),
        C.BIRTH_YEAR.key: _("Optional. Four digits, for example 1985."),
        C.ROLE.key: _("Optional: Tổ trưởng, Tổ phó or Thành viên (the default)."),
        C.JOINED.key: _("Optional. Day/month/year, for example 15/03/2026."),
        C.CONSENT.key: str(consent_texts.IMPORTED.text),
    }
    result = []
    for column in C.COLUMNS[kind]:
        note = notes[column.key]
        if kind == ImportBatch.Kind.GROUPS and column.key == C.VILLAGE.key:
            note = _("Optional. A village the commune does not have yet is added.")
        elif kind == ImportBatch.Kind.GROUPS and column.key == C.GROUP_CODE.key:
            note = _("Required. The group's code, unique in the province, for example 01477-001.")
        elif kind == ImportBatch.Kind.MEMBERS and column.key == C.VILLAGE.key:
            note = _("Required. The person's village; it must exist in the commune.")
        elif kind == ImportBatch.Kind.MEMBERS and column.key == C.GROUP_CODE.key:
            note = _("Optional. The group the person belongs to; it must exist already.")
        result.append((column.header, column.key, note))
    return result


def template_file(*, kind: str, file_format: str, example: Example) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the template of ``kind`` in ``file_format``."""
    headers = [column.header for column in C.COLUMNS[kind]]
    values = example_row(kind, example)
    row = [values[column.key] for column in C.COLUMNS[kind]]
    name = f"{FILE_NAMES[kind]}.{file_format}"
    if file_format == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerow([safe_cell(value) for value in row])
        return buffer.getvalue().encode("utf-8-sig"), CONTENT_TYPES["csv"], name
    return _xlsx(kind, headers, row), CONTENT_TYPES["xlsx"], name


def _xlsx(kind: str, headers: list[str], row: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("List")[:31]
    sheet.append(headers)
    sheet.append(
        [
            int(value) if column.key == C.BIRTH_YEAR.key else value
            for column, value in zip(C.COLUMNS[kind], row, strict=True)
        ]
    )
    for index, column in enumerate(C.COLUMNS[kind], start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, len(column.header) + 4)
        if column.key in TEXT_COLUMNS:
            # Text format for the whole column, so that numbers typed later keep their leading zero.
            sheet.column_dimensions[letter].number_format = "@"
            for cell_row in (1, 2):
                sheet.cell(row=cell_row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(_("Instructions")[:31])
    help_sheet.append([_("Column"), _("Short header"), _("What to write")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for note in column_notes(kind):
        help_sheet.append(list(note))
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["B"].width = 16
    help_sheet.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
