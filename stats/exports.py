"""The statistics' tables as files: CSV (UTF-8 with a byte-order mark, so that Excel shows Vietnamese
right) and XLSX (openpyxl, streaming). Text cells are made safe from formula injection."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from members.exports import safe_cell
from stats.tables import Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_name(table: Table, extension: str) -> str:
    return f"hocso-{table.slug}-{timezone.localdate():%Y%m%d}.{extension}"


def _cells(table: Table, row: list) -> list:
    return [
        safe_cell(value) if column.kind == "text" else value
        for column, value in zip(table.columns, row, strict=True)
    ]


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow(["" if value is None else value for value in _cells(table, row)])
    if table.footer:
        writer.writerow(["" if value is None else value for value in _cells(table, table.footer)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.slug[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns):
        letter = _letter(index)
        sheet.column_dimensions[letter].width = 34 if column.kind == "text" and index > 0 else 14
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=safe_cell(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append(_xlsx_row(sheet, table, row))
    if table.footer:
        sheet.append(_xlsx_row(sheet, table, table.footer, font=bold))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_row(sheet, table: Table, row: list, font=None) -> list:
    cells = []
    for column, value in zip(table.columns, _cells(table, row), strict=True):
        cell = WriteOnlyCell(sheet, value=value)
        if column.kind == "percent":
            cell.number_format = "0.0"
        elif column.kind == "int":
            cell.number_format = "#,##0"
        if font is not None:
            cell.font = font
        cells.append(cell)
    return cells


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def response(table: Table, file_format: str) -> HttpResponse:
    if file_format == "xlsx":
        body, content_type = xlsx_bytes(table), XLSX_TYPE
    else:
        body, content_type = csv_bytes(table), "text/csv; charset=utf-8"
    reply = HttpResponse(body, content_type=content_type)
    reply["Content-Disposition"] = f'attachment; filename="{file_name(table, file_format)}"'
    reply["Cache-Control"] = "private, no-store"
    return reply
