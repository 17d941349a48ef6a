"""Reading the province's lists: CSV (UTF-8, with or without BOM; comma, semicolon or tab between
cells) and XLSX, as Excel makes them.

A file becomes a ``Table``: the header row as written and each data row with its number as Excel
shows it (the header is usually row 1, the first person row 2). A title line above the header
("DANH SÁCH THÀNH VIÊN TỔ ...") is skipped. Cells are text; numbers Excel made of codes and phone
numbers are written back as digits, dates as ISO dates.

An upload is read once (``read_upload``); its rows are kept as plain CSV until the commit and read
again from there (``read_kept``) with the same row numbers, without unpacking a workbook again.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.imports.columns import COLUMNS, Column, header_key

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# An XLSX is a zip: refuse one that would unpack to far more than any real list (a "zip bomb").
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
HEADER_SEARCH_ROWS = 10

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class FileProblem(Exception):
    """The file as a whole cannot be imported; ``message`` says why, for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    header_row: int
    headers: list[str]
    # column key → index of that column in each row
    positions: dict[str, int]
    ignored_headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def header_of(self, key: str) -> str:
        """The column's header as the file writes it, for messages."""
        return self.headers[self.positions[key]]


def read_table(*, content: bytes, file_name: str, kind: str) -> Table:
    """Parse ``content`` into a ``Table`` of ``kind`` (groups or members) or raise ``FileProblem``."""
    return _table(_rows(content, file_name), kind)


def read_upload(*, content: bytes, file_name: str, kind: str) -> tuple[Table, bytes]:
    """``read_table``, and the rows of the file to keep until the commit, as CSV for ``read_kept``:
    unpacking a workbook of 20,000 rows takes seconds, reading them back as CSV a fraction of that."""
    kept: list[list[str]] = []

    def recording(rows: Iterator[list[str]]) -> Iterator[list[str]]:
        for cells in rows:
            kept.append(cells)
            yield cells

    table = _table(recording(_rows(content, file_name)), kind)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(kept)
    return table, buffer.getvalue().encode("utf-8")


def read_kept(*, content: bytes, kind: str) -> Table:
    """The table of rows ``read_upload`` kept; a row keeps its number in the uploaded file."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise FileProblem(not_a_list_message()) from None
    return _table(csv.reader(io.StringIO(text, newline="")), kind)


def _rows(content: bytes, file_name: str) -> Iterator[list[str]]:
    if not content.strip():
        raise FileProblem(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise FileProblem(too_large_message())
    if content.startswith(_XLSX_MAGIC):
        return _xlsx_rows(content)
    if content.startswith(_XLS_MAGIC) or file_name.lower().endswith(".xls"):
        raise FileProblem(
            _("This is an old Excel file (.xls). In Excel, choose File → Save As → Excel Workbook (.xlsx).")
        )
    if b"\x00" in content[:4096] and not content.startswith(_UTF16_BOMS):
        raise FileProblem(not_a_list_message())
    return _csv_rows(_decode(content))


def too_large_message() -> str:
    return _("The file is larger than %(limit)d MB. Split it into smaller files.") % {
        "limit": MAX_BYTES // (1024 * 1024)
    }


def not_a_list_message() -> str:
    return _("This is not a CSV or an Excel (.xlsx) file.")


def _decode(content: bytes) -> str:
    if content.startswith(_UTF8_BOM):
        content = content[len(_UTF8_BOM) :]
    elif content.startswith(_UTF16_BOMS):
        # Excel's "Unicode Text": UTF-16, tab-separated.
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise FileProblem(not_a_list_message()) from None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise FileProblem(
            _(
                "This CSV file is not saved in UTF-8, so its Vietnamese letters cannot be read (first on "
                "line %(line)d). In Excel, choose File → Save As → “CSV UTF-8 (Comma delimited)”, or "
                "upload the .xlsx file itself."
            )
            % {"line": line}
        ) from None


def _csv_rows(text: str) -> Iterator[list[str]]:
    first_lines = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    # Excel writes ";" between cells where the decimal mark is a comma, as on Vietnamese Windows.
    delimiter = max([",", ";", "\t"], key=lambda mark: max(line.count(mark) for line in first_lines))
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise FileProblem(_("The CSV file is damaged: %(error)s") % {"error": error}) from None


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # ~0.2 s to import: only when someone uploads a workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileProblem(not_a_list_message()) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileProblem(too_large_message())
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileProblem(not_a_list_message()) from None
    try:
        sheet = workbook.worksheets[0]
        # The size a workbook declares can be wrong (files from other programs): read every row.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _recognise(headers: list[str], columns: Iterable[Column]) -> tuple[dict[str, int], list[str], list[str]]:
    """Map column keys to positions; return also the duplicated and the ignored headers."""
    by_name = {name: column.key for column in columns for name in column.names()}
    positions: dict[str, int] = {}
    duplicated, ignored = [], []
    for index, header in enumerate(headers):
        key = by_name.get(header_key(header))
        if key is None:
            if header:
                ignored.append(header)
        elif key in positions:
            duplicated.append(header)
        else:
            positions[key] = index
    return positions, duplicated, ignored


def _table(rows: Iterable[list[str]], kind: str) -> Table:
    columns = COLUMNS[kind]
    required = [column for column in columns if column.required]
    table = None
    best: dict[str, int] | None = None  # the recognised columns of the likeliest header row
    for number, cells in enumerate(rows, start=1):
        cells = [cell.strip() for cell in cells]
        if table is None:
            if not any(cells):
                continue
            positions, duplicated, ignored = _recognise(cells, columns)
            if all(column.key in positions for column in required):
                if duplicated:
                    raise FileProblem(
                        _("These columns appear twice: %(columns)s. Keep one of each.")
                        % {"columns": ", ".join(f"“{header}”" for header in duplicated)}
                    )
                table = Table(number, cells, positions, ignored)
                continue
            if best is None or len(positions) > len(best):
                best = positions
            if number >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(cells):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise FileProblem(
                ngettext(
                    "The file has more than %(limit)d row. Split it into smaller files.",
                    "The file has more than %(limit)d rows. Split it into smaller files.",
                    MAX_ROWS,
                )
                % {"limit": MAX_ROWS}
            )
        table.rows.append((number, cells))
    if table is None:
        if best is None:
            raise FileProblem(_("The file is empty."))
        missing = [column for column in required if column.key not in best]
        raise FileProblem(
            _(
                "These required columns are missing: %(columns)s. The first row must hold the column "
                "headers; download a template to see them."
            )
            % {"columns": ", ".join(f"“{column.header}” ({column.key})" for column in missing)}
        )
    if not table.rows:
        raise FileProblem(_("The file has column headers but no rows below them."))
    return table
