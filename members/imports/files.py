"""Reading the province's lists: CSV (UTF-8, with or without BOM; comma, semicolon or tab between
cells) and XLSX, as Excel makes them (a workbook's sheet is read by ``members.imports.xlsx``).

A file becomes a ``Table``: the header row as written and each data row with its number as Excel
shows it (the header is usually row 1, the first person row 2). A title line above the header
("DANH SÁCH THÀNH VIÊN TỔ ...") is skipped. Cells are text; numbers Excel made of codes and phone
numbers are written back as digits, dates as ISO dates.

An upload is read once (``read_upload``); its rows are kept as plain CSV until the commit and read
again from there (``read_kept``) with the same row numbers, without unpacking a workbook again.
"""

import csv
import io
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.imports.columns import COLUMNS, Column, header_key
from members.imports.limits import (
    MAX_BYTES,
    MAX_LINES,
    MAX_ROWS,
    FileProblem,
    not_a_list_message,
    number_text,
    too_large_message,
)
from members.imports.xlsx import xlsx_rows

HEADER_SEARCH_ROWS = 10

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


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
    return _within_lines(_rows_of(content, file_name))


def _within_lines(rows: Generator[list[str]]) -> Iterator[list[str]]:
    try:
        for number, cells in enumerate(rows, start=1):
            if number > MAX_LINES:
                raise FileProblem(
                    _(
                        "The file goes on past row %(limit)s, counting empty rows: more than a list of "
                        "%(rows)s people needs. Delete the empty rows below the list (in Excel, select "
                        "them, right-click → Delete), or split the file into smaller files."
                    )
                    % {"limit": number_text(MAX_LINES), "rows": number_text(MAX_ROWS)}
                )
            yield cells
    finally:
        rows.close()  # a workbook left half read is closed now, not when collected


def _rows_of(content: bytes, file_name: str) -> Generator[list[str]]:
    if not content.strip():
        raise FileProblem(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise FileProblem(too_large_message())
    if content.startswith(_XLSX_MAGIC):
        return xlsx_rows(content)
    if content.startswith(_XLS_MAGIC) or file_name.lower().endswith(".xls"):
        raise FileProblem(
            _("This is an old Excel file (.xls). In Excel, choose File → Save As → Excel Workbook (.xlsx).")
        )
    if b"\x00" in content[:4096] and not content.startswith(_UTF16_BOMS):
        encoding = _utf16_without_bom(content[:4096])
        if encoding is None:
            raise FileProblem(not_a_list_message())
        try:
            return _csv_rows(content.decode(encoding))
        except UnicodeDecodeError:
            raise FileProblem(
                _("This file is saved as UTF-16 (“Unicode Text”). In Excel, save it as “CSV UTF-8”.")
            ) from None
    return _csv_rows(_decode(content))


def _utf16_without_bom(head: bytes) -> str | None:
    """Text saved as UTF-16 without its byte order mark: Latin letters, digits and separators have a
    zero byte beside them, on the same side throughout."""
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


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


def _csv_rows(text: str) -> Generator[list[str]]:
    first_lines = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    # Excel writes ";" between cells where the decimal mark is a comma, as on Vietnamese Windows.
    delimiter = max([",", ";", "\t"], key=lambda mark: max(line.count(mark) for line in first_lines))
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise FileProblem(_("The CSV file is damaged: %(error)s") % {"error": error}) from None


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
