"""Workbooks built for the import tests and the import benchmarks (bench/bench_hostile_import.py):
the members template, the same with parts written by hand, and the hostile file of issue 14.

Plain functions (openpyxl and zipfile only), so that a benchmark can build the same files as the
tests; the headers come from ``members.imports.columns`` (Django must be set up)."""

import io
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def member_headers() -> list[str]:
    from members.imports import columns as C

    return [column.header for column in C.COLUMNS["members"]]


def xlsx_file(rows, headers=None, *, title=None) -> bytes:
    """A workbook of ``rows`` under ``headers`` (the members template's by default)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(member_headers() if headers is None else headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewritten_xlsx(
    replace: dict[str, bytes | None], *, compression=zipfile.ZIP_DEFLATED, content_types: bytes = b""
) -> bytes:
    """A members template workbook with some of its parts written by hand (``None`` drops a part)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_file([])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for info in source.infolist():
            if info.filename in replace:
                continue
            data = source.read(info.filename)
            adds_texts = replace.get("xl/sharedStrings.xml") is not None
            if info.filename == "[Content_Types].xml" and adds_texts and b"sharedStrings" not in data:
                data = data.replace(b"</Types>", _SHARED_STRINGS_TYPE + b"</Types>")
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", content_types + b"</Types>")
            archive.writestr(info.filename, data)
        for name, data in replace.items():
            if data is not None:
                with archive.open(name, "w", force_zip64=True) as part:
                    part.write(data)
    return buffer.getvalue()


def tiny_texts(count: int) -> bytes:
    """A shared strings table of ``count`` one-letter texts: 17 bytes each, packed 400 to 1."""
    head = f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'
    return head.encode() + b"<si><t>a</t></si>" * count + b"</sst>"


def eleven_million_tiny_texts() -> bytes:
    """The 0.49 MB workbook of issue 14 that kept a server process busy for 128 s."""
    return rewritten_xlsx({"xl/sharedStrings.xml": tiny_texts(11_000_000)})
