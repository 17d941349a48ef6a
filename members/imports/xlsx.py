"""Reading the first sheet of an XLSX workbook into rows of text, bounded so that no file keeps a
server busy: what a workbook unpacks to, and what openpyxl would build of it, is counted on its bytes
before openpyxl parses anything. Cells that read as empty for a reason the person can fix are marked
(``MERGED``, ``FORMULA``) so that the check of the rows can name the reason."""

import datetime
import io
import re
import zipfile
from collections.abc import Generator

from django.utils.translation import gettext as _

from members.imports.limits import MAX_LINES, MAX_ROWS, FileProblem, not_a_list_message, number_text

# An XLSX is a zip of XML parts. What it unpacks to is checked before anything is parsed: openpyxl
# takes about 9 µs per shared text and 15 µs per cell, so a 0.5 MB file of 11 million one-letter
# texts kept a process busy for two minutes. These bounds keep the worst file under about 6 s and
# refuse a hostile one in milliseconds; a real list of 20,000 rows uses a fifth of each.
MAX_COLUMNS = 30
MAX_CELLS = 400_000
MAX_SHARED_STRINGS = 120_000
# Merged cells are marked one by one (``_empty_cells_explained``).
MAX_MERGED_CELLS = MAX_CELLS
# What openpyxl builds whole, as objects, before and after the rows: the parts it parses at once
# (content types, workbook, relations, styles, properties, chart sheets) and a sheet's settings
# around its rows (merged cells, formats, links). It takes about 20 µs an element: a styles part of
# 900,000 empty formats (4.5 MB, stored) kept a process busy for 21 s. Excel's own list of a
# province, with its formats, holds a few thousand.
MAX_ELEMENTS = 100_000
MAX_PART_BYTES = 32 * 1024 * 1024  # one part (a sheet, the shared texts) unpacked
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # all parts
MAX_PARTS = 1_000
# Excel's XML packs about 10:1; a part packed far tighter is repetition made to be unpacked.
MAX_RATIO = 100
_MB = 1024 * 1024


def xlsx_rows(content: bytes) -> Generator[list[str]]:
    """The first sheet's rows, as text, or ``FileProblem`` before openpyxl parses a workbook that
    holds far more than a list."""
    from openpyxl import load_workbook  # ~0.2 s to import: only when someone uploads a workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise FileProblem(not_a_list_message()) from None
    with archive:
        _check_parts(archive, len(content))
        try:
            # Links to other workbooks carry copies of their sheets; a list needs none of them.
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
            sheet = workbook.worksheets[0]
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise FileProblem(not_a_list_message()) from None
        sheet_xml = _read_part(archive, sheet._worksheet_path)
    _check_sheet(sheet_xml)
    marks = _empty_cells_explained(sheet_xml)
    try:
        # The size a workbook declares can be wrong (files from other programs): read every row, but
        # no further right than a list goes (a cell in column XFD would make each row 16,384 wide).
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for number, values in enumerate(rows, start=1):
            width = len(values)
            while width and values[width - 1] is None:
                width -= 1
            cells = [_cell_text(value) for value in values[:width]]
            for column, mark in marks.get(number, {}).items():
                if column >= len(cells):
                    cells.extend([""] * (column + 1 - len(cells)))
                if not cells[column]:
                    cells[column] = mark
            yield cells
    finally:
        workbook.close()


# Cells that read as empty for a reason the person can fix, kept in the rows in place of the empty
# text (after a private-use character no list holds) so that the check of the rows can name the reason.
MERGED = "\ue000merged"
FORMULA = "\ue000formula"
MARKS = (MERGED, FORMULA)
_MERGED_RANGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+):([A-Z]+[0-9]+)\"")


def _empty_cells_explained(xml: bytes) -> dict[int, dict[int, str]]:
    """row number → column index → ``MERGED`` or ``FORMULA``: the cells of merged ranges below or
    right of the one that holds the value, and formulas Excel never calculated (files written by
    programs; openpyxl's ``data_only`` gives ``None`` for them)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    def position(reference: str) -> tuple[int, int]:
        letters, row = coordinate_from_string(reference)
        return row, column_index_from_string(letters) - 1

    marks: dict[int, dict[int, str]] = {}
    if _count_elements(xml, b"mergeCell") > MAX_MERGED_CELLS:
        raise FileProblem(too_many_merged_message())
    # Rows below the last are never read: a range reaching row 1048576 marks only the rows there are.
    last_row = min(_last_row(xml), MAX_LINES)
    marked = 0
    for first, last in _MERGED_RANGE.findall(xml):
        top, left = position(first.decode())
        bottom, right = position(last.decode())
        bottom, right = min(bottom, last_row), min(right, MAX_COLUMNS - 1)
        if bottom < top or right < left:
            continue
        marked += (bottom - top + 1) * (right - left + 1) - 1
        if marked > MAX_MERGED_CELLS:
            raise FileProblem(too_many_merged_message())
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                if (row, column) != (top, left):
                    marks.setdefault(row, {})[column] = MERGED
    if b"<f" in xml or b":f>" in xml or b":f " in xml:
        from defusedxml.ElementTree import iterparse

        for _event, element in iterparse(io.BytesIO(xml)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "c":
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                value = children.get("v")
                if "f" in children and (value is None or not (value.text or "").strip()):
                    row, column = position(element.get("r", "A1"))
                    if column < MAX_COLUMNS:
                        marks.setdefault(row, {})[column] = FORMULA
            elif tag == "row":
                element.clear()
    return marks


def too_many_merged_message() -> str:
    return _(
        "The first sheet has more than %(limit)s merged cells: more than a list of %(rows)s rows needs. "
        "Select the whole sheet and unmerge its cells (Home → Merge & Center), then upload "
        "the file again."
    ) % {"limit": number_text(MAX_MERGED_CELLS), "rows": number_text(MAX_ROWS)}


_ROW_NUMBER = re.compile(rb"\sr=\"([0-9]+)\"")


def _last_row(xml: bytes) -> int:
    """The number of the sheet's last row (rows come in order), or ``MAX_LINES`` if it has none."""
    opening = b"<" + _prefix(xml) + b"row"
    start = max(xml.rfind(opening + end) for end in (b" ", b">", b"\t", b"\n", b"\r"))
    end = xml.find(b">", start)
    if start < 0 or end < 0:
        return MAX_LINES
    found = _ROW_NUMBER.search(xml, start, end)
    return int(found.group(1)) if found else MAX_LINES


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        # ``zipfile`` stops at the size the part declares, which ``_check_parts`` bounded.
        return archive.read(name)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError):
        raise FileProblem(not_a_list_message()) from None


def _check_parts(archive: zipfile.ZipFile, packed: int) -> None:
    """Refuse, from the zip's directory alone, a workbook that unpacks to far more than a list; then
    count, on their bytes (milliseconds), what openpyxl would parse (seconds) before it parses it."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise FileProblem(not_a_list_message())
    manifest = _manifest(archive)
    # openpyxl finds the shared texts by their content type, whatever the part is called.
    text_names = {override.PartName[1:] for override in manifest.findall(SHARED_STRINGS_TYPE)}
    texts = [part for part in parts if part.filename in text_names]
    for part in texts:
        # Far more bytes than the texts of a list take: too many texts, without unpacking them.
        if part.file_size > MAX_PART_BYTES:
            raise FileProblem(too_many_message(_("different texts (shared strings)"), MAX_SHARED_STRINGS))
    unpacked = sum(part.file_size for part in parts)
    if (
        unpacked > MAX_UNPACKED_BYTES
        or any(part.file_size > MAX_PART_BYTES for part in parts)
        or any(
            part.file_size > _MB and part.file_size > MAX_RATIO * part.compress_size
            for part in parts
            if part not in texts  # counted below, which names the cause better
        )
    ):
        raise FileProblem(
            _(
                "This file is compressed: its %(packed)s MB expand to %(unpacked)s MB, far more than a "
                "list of %(rows)s rows holds. It was not made by saving a list in Excel; save the list "
                "again as .xlsx or as CSV UTF-8."
            )
            % {"packed": _megabytes(packed), "unpacked": _megabytes(unpacked), "rows": number_text(MAX_ROWS)}
        )
    for part in texts:
        if _count_elements(_read_part(archive, part.filename), b"si") > MAX_SHARED_STRINGS:
            raise FileProblem(too_many_message(_("different texts (shared strings)"), MAX_SHARED_STRINGS))
    _check_parsed_whole(archive, manifest, text_names)


SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_CONTENT_TYPES = "[Content_Types].xml"


def _manifest(archive: zipfile.ZipFile):
    """The package's content types, as openpyxl reads them (after counting them)."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.functions import fromstring

    try:
        part = archive.getinfo(_CONTENT_TYPES)
    except KeyError:
        raise FileProblem(not_a_list_message()) from None
    if part.file_size > MAX_PART_BYTES:
        raise FileProblem(too_many_settings_message())
    xml = _read_part(archive, _CONTENT_TYPES)
    if _count_start_tags(xml) > MAX_ELEMENTS:
        raise FileProblem(too_many_settings_message())
    try:
        return Manifest.from_tree(fromstring(xml))
    except Exception:  # as in ``load_workbook``: many kinds for a file that is not a workbook
        raise FileProblem(not_a_list_message()) from None


def _check_parsed_whole(archive: zipfile.ZipFile, manifest, text_names: set[str]) -> None:
    """Count the elements of what openpyxl (3.1, ``reader/excel.py``) builds whole with
    ``read_only=True, keep_links=False``: the content types, the workbook part and its relations,
    ``xl/styles.xml`` (the path is fixed there), ``docProps/core.xml`` and ``custom.xml``; for each
    sheet the workbook relates, its relations, and the sheet itself up to its size. A read-only
    worksheet's drawings, charts, comments, tables and pivot tables are skipped, but a chart sheet is
    read with its drawings and charts: a workbook with one has every part counted. The first sheet's
    rows are bounded by ``_check_sheet``, other sheets are only read to their size, streamed."""
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.reader.excel import _find_workbook_part  # openpyxl's own way to the workbook part

    names = set(archive.namelist())
    counted: set[str] = set()
    total = in_rows = 0

    def count(name: str, *, sheet: bool = False) -> None:
        nonlocal total
        if name in counted or name not in names or name in text_names:
            return
        counted.add(name)
        xml = _read_part(archive, name)
        elements = _count_start_tags(xml)
        if sheet:
            # openpyxl streams a sheet without a <dimension> to its end to learn its size.
            nonlocal in_rows
            settings = sum(1 for _found in _SETTING.finditer(xml))
            elements, in_rows = settings, in_rows + elements - settings
            if in_rows > MAX_ROW_ELEMENTS:
                raise FileProblem(too_many_message(_("cells"), MAX_CELLS))
        total += elements
        if total > MAX_ELEMENTS:
            raise FileProblem(too_many_settings_message())

    try:
        workbook = _find_workbook_part(manifest).PartName[1:]
    except OSError:
        raise FileProblem(not_a_list_message()) from None
    workbook_relations = get_rels_path(workbook)
    for name in (_CONTENT_TYPES, workbook, workbook_relations, "xl/styles.xml"):
        count(name)
    for name in ("docProps/core.xml", "docProps/custom.xml"):
        count(name)
    if workbook_relations not in names:
        return
    try:
        relations = get_dependents(archive, workbook_relations)
    except Exception:
        raise FileProblem(not_a_list_message()) from None
    chart_sheets = False
    for relation in relations:
        if relation.TargetMode == "External":
            continue
        if "chartsheet" in (relation.Type or ""):
            chart_sheets = True
            continue
        count(relation.target, sheet=True)
        count(get_rels_path(relation.target))
    if chart_sheets:
        for name in sorted(names):
            count(name)


def _count_start_tags(xml: bytes) -> int:
    return xml.count(b"<") - xml.count(b"</") - xml.count(b"<?") - xml.count(b"<!")


# The start of an element of a sheet other than its rows and cells (<row>, <c>, <v>, <f>, <is>, <t>):
# openpyxl makes an object of each. One pass of a regular expression: 40 ms for 20,000 rows.
_SETTING = re.compile(rb"<(?![/?!])(?!(?:\w+:)?(?:row|c|v|f|is|t)[\s/>])")
# A cell is two to four of them (<c><is><t>, <c><f><v>), in all the sheets of a workbook.
MAX_ROW_ELEMENTS = 4 * MAX_CELLS + MAX_LINES


def too_many_settings_message() -> str:
    return _(
        "The file holds more than %(limit)s settings besides its cells (formats, merged cells, names, "
        "links): more than a list needs. Copy the list into a new workbook (Paste Special → Values) "
        "and upload that file."
    ) % {"limit": number_text(MAX_ELEMENTS)}


def _check_sheet(xml: bytes) -> None:
    if _count_elements(xml, b"c") > MAX_CELLS:
        raise FileProblem(too_many_message(_("cells"), MAX_CELLS))


_ROOT_PREFIX = re.compile(rb"<(\w+:)?(?:sst|worksheet)[\s>]")


def _count_elements(xml: bytes, tag: bytes) -> int:
    """How many ``<tag>`` elements the XML holds, counted on its bytes (no parsing)."""
    opening = b"<" + _prefix(xml) + tag
    return sum(xml.count(opening + end) for end in (b" ", b">", b"/>", b"\t", b"\n", b"\r"))


def _prefix(xml: bytes) -> bytes:
    found = _ROOT_PREFIX.search(xml, 0, 4096)
    return (found.group(1) or b"") if found else b""


def _megabytes(size: int) -> str:
    if size >= 10 * _MB:
        return number_text(round(size / _MB))
    return f"{size / _MB:.{1 if size >= _MB else 2}f}".replace(".", ",")


def too_many_message(what: str, limit: int) -> str:
    return _(
        "The file holds more than %(limit)s %(what)s: more than a list of %(rows)s rows needs. Keep only "
        "the list in the first sheet, or split it into smaller files."
    ) % {"limit": number_text(limit), "what": what, "rows": number_text(MAX_ROWS)}


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
