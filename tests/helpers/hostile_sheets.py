"""Hostile spreadsheets, built byte by byte in the tests (tmp_path), small unless size is the
point: the workbooks attackers send to make a spreadsheet reader abort or exhaust the machine."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Daftar" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/>'
    b"</Relationships>"
)
SHEET = "xl/worksheets/sheet1.xml"


def sheet_xml(rows: bytes, dimension: str | None = None) -> bytes:
    """A worksheet part holding ``rows`` (``<row>`` elements) in its sheetData."""
    head = b'<dimension ref="%s"/>' % dimension.encode() if dimension else b""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + head
        + b"<sheetData>"
        + rows
        + b"</sheetData></worksheet>"
    )


def shared_strings_xml(texts: Iterable[str], declared: int | None = None) -> bytes:
    items = [t.encode() for t in texts]
    count = len(items) if declared is None else declared
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'count="%d" uniqueCount="%d">'
        % (count, count)
        + b"".join(b"<si><t>%s</t></si>" % text for text in items)
        + b"</sst>"
    )


def minimal_xlsx(
    path: Path,
    sheet: bytes,
    shared_strings: bytes | None = None,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """An xlsx with one worksheet ``sheet`` (and a shared-strings part), as calamine reads it."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr(SHEET, sheet)
        archive.writestr(
            "xl/sharedStrings.xml", shared_strings or shared_strings_xml(["NIK", "Nama"])
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def valid_rows(count: int) -> bytes:
    """``count`` rows of two plain cells, A and B, from row 1."""
    return b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>1</v></c></row>' % (n, n, n, n)
        for n in range(1, count + 1)
    )


def bomb_xlsx(path: Path, unpacked_mb: int) -> Path:
    """An xlsx whose worksheet unpacks to ``unpacked_mb`` MB of blanks (a few hundred KB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open(SHEET, "w", force_zip64=True) as member:
            member.write(sheet_xml(b"")[:-24])
            blank = b" " * (1 << 20)
            for _ in range(unpacked_mb):
                member.write(blank)
            member.write(b"</sheetData></worksheet>")
    return path


def declare_size(path: Path, member: str, size: int) -> Path:
    """Make the archive claim ``member`` unpacks to ``size`` bytes (a lie, in both headers)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    # The local header: sizes at offset 18 (compressed) and 22 (uncompressed), zip64 aside.
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    if struct.unpack_from("<I", data, local + 22)[0] != 0xFFFFFFFF:
        struct.pack_into("<I", data, local + 22, size)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            break
        central = data.find(b"PK\x01\x02", central + 4)
    assert central >= 0
    if struct.unpack_from("<I", data, central + 24)[0] == 0xFFFFFFFF:
        # zip64: the real size is in the extra field; point it at the lie too.
        extra_start = central + 46 + name_length
        extra_length = struct.unpack_from("<H", data, central + 30)[0]
        extra = bytes(data[extra_start : extra_start + extra_length])
        at = extra.find(b"\x01\x00")
        struct.pack_into("<Q", data, extra_start + at + 4, size)
    else:
        struct.pack_into("<I", data, central + 24, size)
    path.write_bytes(bytes(data))
    return path


def ods(path: Path, rows: bytes) -> Path:
    """An ODS whose only table holds ``rows`` (``<table:table-row>`` elements)."""
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        b'<office:body><office:spreadsheet><table:table table:name="Daftar">'
        + rows
        + b"</table:table></office:spreadsheet></office:body></office:document-content>"
    )  # fmt: skip
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        b'<manifest:file-entry manifest:full-path="/" '
        b'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        b"</manifest:manifest>"
    )  # fmt: skip
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def xls(path: Path, records: bytes) -> Path:
    """An OLE compound file (version 3, 512-byte sectors) whose Workbook stream is
    ``records`` (BIFF8 records), padded to 4096 bytes so it lives in ordinary sectors."""
    stream = records + b"\x00" * max(0, 4096 - len(records))
    stream += b"\x00" * (-len(stream) % 512)
    count = len(stream) // 512
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [2 + n + 1 for n in range(count - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    directory = bytearray(512)
    for index, (name, kind, start, size) in enumerate(
        [("Root Entry", 5, 0xFFFFFFFE, 0), ("Workbook", 2, 2, len(records))]
    ):
        entry = bytearray(128)
        encoded = (name + "\x00").encode("utf-16-le")
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 1 if index == 0 else 0xFFFFFFFF)
        struct.pack_into("<IQ", entry, 116, start, max(size, 4096) if kind == 2 else size)
        directory[index * 128 : (index + 1) * 128] = entry
    fat_sector = struct.pack("<128I", *fat)
    path.write_bytes(bytes(header) + fat_sector + bytes(directory) + stream)
    return path


def biff(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body
