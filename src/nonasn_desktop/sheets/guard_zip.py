"""Checking an xlsx or ods archive, member by member, before the spreadsheet reader sees it.

See :mod:`nonasn_desktop.sheets.guard` for what is checked and why. Here: the archive's
members (count, names, methods), what each really unpacks to, and what the XML inside reaches:
the rows, columns and cells of every worksheet, the shared strings, and ODS repetitions.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from nonasn_desktop.policy.model import RosterFileLimits
from nonasn_desktop.sheets.errors import SpreadsheetError
from nonasn_desktop.sheets.guard import Area, Deadline, broken, column_number, megabytes, too_much

# Bytes unpacked per step: small enough to stop early, large enough to be fast.
_INFLATE_STEP = 1 << 20
# The first bytes of a member, where the root element and its attributes are.
_HEAD = 4096
# The longest tag carried from one piece to the next (a real one is well under 1 KB).
_LONGEST_TAG = 1 << 20
# A whole tag, its quoted values included (they may hold ">").
_TAG = re.compile(rb"""<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
_COUNT_ATTR = re.compile(rb"""(?:uniqueCount|count)\s*=\s*["']\s*(\d{1,20})""")
_ODS_ELEMENT = re.compile(rb"<table:(table-row|table-cell|covered-table-cell|table)\b([^>]*)>")
_ODS_REPEAT = re.compile(rb"""number-(?:rows|columns)-repeated\s*=\s*["'](\d{1,20})""")
_ODS_VALUE = re.compile(rb"office:value-type")


# --- ZIP archives (xlsx, ods) -------------------------------------------------------------------


def check_archive(
    data: bytes, file_name: str, limits: RosterFileLimits, deadline: Deadline
) -> None:
    """Check every member of the xlsx/ods archive in ``data`` (see the module's description).

    Raises SpreadsheetError for an exceeded bound or a damaged archive; zipfile.BadZipFile
    and the like are left to the caller, which knows how to word "not a complete archive".
    """
    infos = _members(data, file_name, limits)
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_unpacked_bytes:
        _unpacked_too_much(file_name, declared, limits)
    area = Area(file_name, limits)
    unpacked = 0
    for info in infos:
        # The reader takes shared strings from the part named so, beside the workbook.
        strings = info.filename.lower().endswith("sharedstrings.xml")
        scan = _OdsScan(area) if info.filename == "content.xml" else _XmlScan(area, strings)
        unpacked = _unpack(data, info, file_name, unpacked, limits, deadline, scan.feed)
        scan.close()


def _members(data: bytes, file_name: str, limits: RosterFileLimits) -> list[zipfile.ZipInfo]:
    size_cd = _central_directory_size(data)
    # zipfile reads the whole central directory into objects: its size is bounded first, by
    # what max_members members with generous names and extra fields can take.
    if size_cd is not None and size_cd > limits.max_members * 1024:
        too_much(
            file_name,
            "daftar isi arsip",
            f"{size_cd} byte",
            limits.max_members,
            "archive.max_members",
        )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    if len(infos) > limits.max_members:
        too_much(
            file_name, "jumlah bagian arsip", len(infos), limits.max_members, "archive.max_members"
        )
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        # Two members with one name: which one a reader takes is up to the reader.
        raise broken(file_name, "arsipnya memuat dua bagian dengan nama yang sama")
    for info in infos:
        if info.flag_bits & 0x1:
            raise SpreadsheetError(
                f"Berkas {file_name} dilindungi kata sandi, sehingga isinya tidak dapat dibaca.",
                hint="Buka di Excel dengan kata sandinya, hapus kata sandi, simpan, lalu impor "
                "lagi.",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise broken(
                file_name, f"bagian {info.filename} dimampatkan dengan cara yang tidak lazim"
            )
    return infos


def _central_directory_size(data: bytes) -> int | None:
    """The central directory's size from the end-of-archive record, found as zipfile finds it
    (the last record in the final 64 KB); None when there is none (zipfile then refuses)."""
    start = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if start < 0 or start + 22 > len(data):
        return None
    size = int.from_bytes(data[start + 12 : start + 16], "little")
    locator = start - 20
    if size == 0xFFFFFFFF and locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        record = int.from_bytes(data[locator + 8 : locator + 16], "little")
        if data[record : record + 4] == b"PK\x06\x06":
            size = int.from_bytes(data[record + 40 : record + 48], "little")
    return size


def _unpacked_too_much(file_name: str, size: int, limits: RosterFileLimits) -> None:
    too_much(
        file_name,
        "isi arsip bila dibuka",
        megabytes(size),
        megabytes(limits.max_unpacked_bytes),
        "archive.max_unpacked_bytes",
    )


def _unpack(
    data: bytes,
    info: zipfile.ZipInfo,
    file_name: str,
    unpacked: int,
    limits: RosterFileLimits,
    deadline: Deadline,
    sink: Callable[[bytes], None],
) -> int:
    """Unpack one member step by step into ``sink``; the running total of unpacked bytes.

    The member's bytes are taken where its local header says, as every reader takes them; the
    deflate stream must end within them and produce exactly the declared size (the CRC is left
    to the reader, which checks it: a wrong one is damage, not a danger).
    """
    raw = memoryview(data)[_data_offset(data, info, file_name) :][: info.compress_size]
    if len(raw) != info.compress_size:
        raise broken(file_name, f"bagian {info.filename} terpotong")
    pieces = _pieces(raw, info, file_name)
    produced = 0
    for piece in _ahead(pieces) if len(raw) > _INFLATE_STEP else pieces:
        produced += len(piece)
        if unpacked + produced > limits.max_unpacked_bytes:
            _unpacked_too_much(file_name, unpacked + produced, limits)
        if produced > info.file_size:
            raise broken(file_name, f"bagian {info.filename} lebih besar daripada keterangannya")
        sink(piece)
        deadline.check()
    if produced != info.file_size:
        raise broken(file_name, f"isi bagian {info.filename} tidak sesuai keterangannya")
    return unpacked + produced


def _pieces(raw: memoryview, info: zipfile.ZipInfo, file_name: str) -> Iterator[bytes]:
    """What the member really unpacks to, at most ``_INFLATE_STEP`` bytes at a time."""
    if info.compress_type != zipfile.ZIP_DEFLATED:
        for position in range(0, len(raw), _INFLATE_STEP):
            yield bytes(raw[position : position + _INFLATE_STEP])
        return
    inflater = zlib.decompressobj(-15)
    position = 0
    while not inflater.eof:
        source = inflater.unconsumed_tail
        if not source:
            source = bytes(raw[position : position + _INFLATE_STEP])
            position += len(source)
            if not source:
                raise broken(file_name, f"bagian {info.filename} terpotong")
        yield inflater.decompress(source, _INFLATE_STEP)


def _ahead(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """``pieces``, the next one unpacked on a helper thread while the caller scans this one
    (zlib lets go of the interpreter lock while it inflates): the unpacking of a large
    worksheet then costs next to no time where a second processor core is free."""
    with ThreadPoolExecutor(1, thread_name_prefix="unpack") as pool:
        future = pool.submit(next, pieces, None)
        while (piece := future.result()) is not None:
            future = pool.submit(next, pieces, None)
            yield piece


def _data_offset(data: bytes, info: zipfile.ZipInfo, file_name: str) -> int:
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise broken(file_name, f"bagian {info.filename} tidak ditemukan di tempatnya")
    name_length = int.from_bytes(header[26:28], "little")
    extra_length = int.from_bytes(header[28:30], "little")
    return offset + 30 + name_length + extra_length


class _Pieces:
    """Unpacked bytes cut into pieces that end before a tag, so that no tag is split.

    Text without tags is dropped. What follows the last ``<`` of a piece is carried to the
    next; when that grows past ``_LONGEST_TAG`` (a tag followed by much text, or one huge
    tag), the tag is measured with its quoted values: a complete tag is scanned and the text
    after it dropped, an unfinished one that long is refused.
    """

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.carry = b""

    def feed(self, data: bytes) -> None:
        block = self.carry + data if self.carry else data
        cut = block.rfind(b"<")
        if cut < 0:
            self.carry = b""
            return
        if len(block) - cut > _LONGEST_TAG:
            tag = _TAG.match(block, cut)
            if tag is None:
                raise broken(self.file_name, "sebuah tanda XML di dalamnya terlalu panjang")
            self.carry = b""
            self._scan(block, tag.end())
            return
        self.carry = block[cut:]
        if cut:
            self._scan(block, cut)

    def finish(self) -> None:
        if self.carry:
            self._scan(self.carry, len(self.carry))
            self.carry = b""

    def _scan(self, block: bytes, end: int) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class _XmlScan(_Pieces):
    """What one XML member reaches, fed in pieces as it is unpacked.

    A worksheet of 100,000 rows is 100 MB of XML, so the common case is proven with C-speed
    primitives per piece, never with Python work per cell: the row numbers are read from the
    ``<row r="...">`` tags, and one regular expression looks for any ``r`` attribute that is
    *not* a plain reference within the rows of the piece and the columns seen so far. When it
    finds one (a wider column, a reference out of its row, an unusual spelling, a namespace
    prefix), that piece is read element by element, exactly as the reader would place its cells.
    Cells and rows without an ``r`` attribute take the place after the one before them; they
    are counted and may each extend the area by one.
    """

    def __init__(self, area: Area, strings: bool) -> None:
        super().__init__(area.file_name)
        self.area = area
        self.head = strings
        self.count_strings = strings
        self.merges = 0
        self.worksheet = False
        self.max_row = 0
        self.max_column = 0
        self.row = 0  # the row the next cells belong to
        self.column = 0  # the column of the last cell of that row, when known
        self.cells = 0
        self.strings = 0

    def close(self) -> None:
        self.finish()
        if self.worksheet:
            self.area.sheet(self.max_row, self.max_column, self.cells)
            self.area.merged(self.merges)
        if self.strings:
            self.area.shared_strings(self.strings)

    def feed(self, data: bytes) -> None:
        super().feed(data)
        if not (self.worksheet or self.count_strings):
            # Styles, the workbook part, pictures: the reader keeps them whole.
            self.area.other_part(len(data))

    def _scan(self, block: bytes, end: int) -> None:
        start = 0
        if self.head:
            self.head = False
            self._declared_strings(block[:_HEAD])
        if self.count_strings:
            self.strings += block.count(b"<si", 0, end) + block.count(b":si", 0, end)
        if not self.worksheet:
            at = block.find(b"<sheetData", 0, end)
            if at < 0:
                at = block.find(b":sheetData", 0, end)
            if at < 0:
                return
            self.worksheet = True
            start = at
        # <mergeCell ref="A5:A9"/>, once each (and <mergeCells> around them).
        self.merges += block.count(b"mergeCell", start, end)
        while start < end:
            if self.max_column == 0:
                # The first rows are read exactly: they tell the columns in use.
                stop = _next_row(block, start + _PROBE, end)
                self._exact(block, start, stop)
                start = stop
                continue
            doubt = self._plain(block, start, end)
            if doubt < 0:
                return
            # Count plainly up to the row in doubt, read that row exactly, go on after it.
            before = max(block.rfind(b"<row", start, doubt), start)
            if before > start and self._plain(block, start, before) >= 0:
                before = start
            stop = _next_row(block, doubt + 1, end)
            self._exact(block, before, stop)
            start = stop

    def _plain(self, block: bytes, start: int, end: int) -> int:
        """Count a piece whose every row tag starts ``<row r="N"`` and every cell tag
        ``<c r="A1"`` within the piece's rows and the known columns, without namespace
        prefixes: -1. Otherwise nothing is counted and the answer is where the first doubt is."""
        numbers = _ROW_TAG.findall(block, start, end)
        allowed = max(max(map(int, numbers)) if numbers else 0, self.row)
        # Rounded up, so that one expression serves many pieces; counted as reached.
        allowed = -(-allowed // ROW_STEP) * ROW_STEP
        found = [
            _PREFIXED.search(block, start, end),
            _ROW_WITHOUT_NUMBER.search(block, start, end),
            _cell_outside(allowed, self.max_column).search(block, start, end),
        ]
        doubts = [match.start() for match in found if match is not None]
        if doubts:
            return min(doubts)
        self.cells += block.count(b'<c r="', start, end)
        self.max_row = max(self.max_row, allowed)
        if numbers:
            self.row = int(numbers[-1])
            # Where the last row's cells end is not known here: assume the widest.
            self.column = self.max_column
        return -1

    def _exact(self, block: bytes, start: int, end: int) -> None:
        """Place every row and cell of a piece as the reader does."""
        for match in _ELEMENT.finditer(block, start, end):
            name, attributes = match.group(1), match.group(2)
            reference = _REF_ATTRIBUTE.search(attributes)
            letters, digits = reference.groups() if reference else (b"", b"")
            if name == b"row":
                self.row = int(digits) if digits else self.row + 1
                self.column = 0
                self.max_row = max(self.max_row, self.row)
                continue
            self.cells += 1
            if letters or digits:
                row = int(digits) if digits else self.row
                self.column = column_number(letters) if letters else self.column + 1
                self.max_row = max(self.max_row, row)
            else:
                self.column += 1
            self.max_column = max(self.max_column, self.column)

    def _declared_strings(self, head: bytes) -> None:
        # <sst count="..." uniqueCount="...">: the reader reserves room for that many.
        if b"sst" in head:
            for declared in _COUNT_ATTR.findall(head):
                self.area.shared_strings(int(declared))


# A row or cell tag with a namespace prefix (<x:c>, <x:row>), or text that looks like one.
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_ROW_TAG = re.compile(rb'<row r="(\d{1,8})"')
# Rows of a worksheet read plainly are counted in steps of this many (rounded up), so that
# one compiled expression serves many pieces.
ROW_STEP = 1024
# A row tag that does not start with a plain row number.
_ROW_WITHOUT_NUMBER = re.compile(rb'<row(?! r="[1-9]\d{0,6}")[\s/>]')
# How much of a worksheet is read exactly first, to learn its columns.
_PROBE = 1 << 16


def _next_row(block: bytes, start: int, end: int) -> int:
    """Where the row tag at or after ``start`` begins, or ``end``."""
    at = block.find(b"<row", min(start, end), end)
    return end if at < 0 else at


# A row or cell start tag, with or without a namespace prefix, and its attributes.
_ELEMENT = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
# The r attribute itself (not one whose name merely ends in r), in any spelling.
_REF_ATTRIBUTE = re.compile(
    rb"""(?<![\w.-])(?:[\w.-]+:)?r\s*=\s*["']\s*\$?([A-Za-z]{0,4})\$?(\d{0,8})"""
)
_OUTSIDE: dict[tuple[int, int], re.Pattern[bytes]] = {}


def _cell_outside(rows: int, columns: int) -> re.Pattern[bytes]:
    """An expression that finds any cell tag that does not start with a plain reference
    (``<c r="A1"``: upper case, no $) within ``rows`` and ``columns``."""
    key = (rows, columns)
    pattern = _OUTSIDE.get(key)
    if pattern is None:
        letters = _at_most(_column_letters(columns), b"A", b"Z") if columns else b"(?!)"
        digits = _at_most(str(rows).encode(), b"0", b"9") if rows else b"(?!)"
        pattern = re.compile(rb'<c(?! r="' + letters + digits + rb'")[\s/>]')
        if len(_OUTSIDE) > 64:
            _OUTSIDE.clear()
        _OUTSIDE[key] = pattern
    return pattern


def _column_letters(number: int) -> bytes:
    letters = b""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = bytes([65 + rest]) + letters
    return letters


def _at_most(limit: bytes, low: bytes, high: bytes) -> bytes:
    """A regular expression for the strings over ``low``..``high`` (digits without a leading
    zero, or letters) that are at most ``limit`` in the order of numbers: shorter, or as long
    and not greater digit by digit."""
    first = b"1" if low == b"0" else low
    parts = []
    if len(limit) > 1:
        parts.append(b"[%s-%s][%s-%s]{0,%d}" % (first, high, low, high, len(limit) - 2))
    for index in range(len(limit)):
        digit = limit[index : index + 1]
        lowest = first if index == 0 else low
        if digit > lowest:
            below = bytes([digit[0] - 1])
            rest = len(limit) - index - 1
            parts.append(
                limit[:index] + b"[%s-%s]" % (lowest, below) + b"[%s-%s]{%d}" % (low, high, rest)
            )
    parts.append(limit)
    return b"(?:" + b"|".join(parts) + b")"


class _OdsScan(_Pieces):
    """What an ODS content.xml reaches, repeated rows and cells counted as often as repeated.

    Per element in Python: ODS rosters are small, and LibreOffice's trailing filler (a row
    repeated a million times, empty cells repeated to column AMJ) must be told apart from cells
    with content, which only a look at each element can do.
    """

    def __init__(self, area: Area) -> None:
        super().__init__(area.file_name)
        self.area = area
        self.rows = 0  # rows of the current table up to its last row with content
        self.pending_rows = 0  # empty rows not yet followed by content
        self.columns = 0  # widest row with content, up to its last cell with content
        self.cells = 0
        self.row_width = 0
        self.row_filled = 0
        self.row_repeat = 1
        self.in_table = False

    def close(self) -> None:
        self.finish()
        self._end_table()

    def _scan(self, block: bytes, end: int) -> None:
        # A merged cell spans columns, rows or both: counted once or twice.
        self.area.merged(block.count(b"-spanned=", 0, end))
        elements = _ODS_ELEMENT.finditer(block, 0, end)
        for match in elements:
            kind, attributes = match.group(1), match.group(2)
            repeat_match = _ODS_REPEAT.search(attributes)
            repeat = int(repeat_match.group(1)) if repeat_match else 1
            if kind == b"table":
                self._end_table()
                self.in_table = True
            elif kind == b"table-row":
                self._end_row()
                self.row_repeat = repeat
            else:
                self.row_width += repeat
                # A cell with content: a value type, or any content inside (not self-closed).
                if not attributes.endswith(b"/") or _ODS_VALUE.search(attributes):
                    self.row_filled = self.row_width

    def _end_row(self) -> None:
        if self.row_filled:
            self.rows += self.pending_rows + self.row_repeat
            self.pending_rows = 0
            self.columns = max(self.columns, self.row_filled)
            self.cells += self.row_repeat * self.row_filled
            if (
                self.rows > self.area.limits.max_sheet_rows
                or self.cells > self.area.limits.max_cells
            ):
                self.area.sheet(self.rows, self.columns, self.cells)
        elif self.row_width:
            self.pending_rows += self.row_repeat
        self.row_width = self.row_filled = 0
        self.row_repeat = 1

    def _end_table(self) -> None:
        self._end_row()
        if self.in_table and self.rows:
            self.area.sheet(self.rows, self.columns, self.cells)
        self.rows = self.pending_rows = self.columns = self.cells = 0
        self.in_table = False
