"""Checking an old Excel workbook (.xls: BIFF records in an OLE compound file) against its
bounds before the spreadsheet reader sees it.

The compound file is walked as a reader walks it (header, sector chains, directory, the
``Workbook`` stream), with every count and chain checked against the file's own size, so that
no field can make a reader allocate more than the file holds or loop forever. The BIFF records
of the stream are then read: the shared-strings count (SST), each sheet's declared dimensions
(DIMENSIONS) and the row and column of every cell record, against the sheet bounds.
"""

from __future__ import annotations

import struct

from nonasn_desktop.policy.model import RosterFileLimits
from nonasn_desktop.sheets.guard import Area, Deadline, broken

_FREE = 0xFFFFFFFF
_END = 0xFFFFFFFE
_SPECIAL = 0xFFFFFFFA  # and above: not a sector number
_WORKBOOK_NAMES = ("Workbook", "Book")
# BIFF records that start with the cell's row and column (u16, u16).
_CELL_RECORDS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
# MULRK and MULBLANK: row, first column, ..., last column (u16 at the end).
_MULTI_RECORDS = frozenset({0x00BD, 0x00BE})
_BOF = 0x0809
_EOF = 0x000A
_SST = 0x00FC
_DIMENSIONS = 0x0200
_MERGED_CELLS = 0x00E5
_CHECK_EVERY = 65_536


def check_xls(data: bytes, file_name: str, limits: RosterFileLimits, deadline: Deadline) -> None:
    """Check the .xls in ``data``; SpreadsheetError for a damaged file or an exceeded bound."""
    try:
        stream = _Compound(data, file_name).workbook()
    except (struct.error, IndexError, ValueError):
        raise broken(file_name, "struktur berkas Excel lama (.xls) tidak utuh") from None
    _check_records(stream, file_name, limits, deadline)


class _Compound:
    """An OLE compound file read defensively: every number checked before it is used."""

    def __init__(self, data: bytes, file_name: str) -> None:
        self.data = data
        self.file_name = file_name
        if len(data) < 512:
            raise broken(file_name, "berkas Excel lama (.xls) terpotong")
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        mini_shift = struct.unpack_from("<H", data, 0x20)[0]
        if shift not in (9, 12) or mini_shift != 6:
            raise broken(file_name, "ukuran sektor berkas .xls tidak sah")
        self.size = 1 << shift
        self.sectors = (len(data) - 1) // self.size  # sectors after the header
        fat_count, self.directory_start = struct.unpack_from("<II", data, 0x2C)
        self.cutoff, mini_fat_start, mini_fat_count, difat_start, difat_count = struct.unpack_from(
            "<IIIII", data, 0x38
        )
        for count in (fat_count, mini_fat_count, difat_count):
            if count > self.sectors:
                raise broken(file_name, "jumlah sektor berkas .xls melebihi ukurannya")
        self.fat = self._fat(fat_count, difat_start, difat_count)
        self.mini_fat_start = mini_fat_start

    def _sector(self, number: int) -> bytes:
        if number >= self.sectors:
            raise broken(self.file_name, "berkas .xls menunjuk sektor di luar berkasnya")
        start = (number + 1) * self.size
        return self.data[start : start + self.size]

    def _fat(self, fat_count: int, difat_start: int, difat_count: int) -> list[int]:
        locations = [n for n in struct.unpack_from("<109I", self.data, 0x4C) if n < _SPECIAL]
        seen: set[int] = set()
        sector = difat_start
        while sector < _SPECIAL and len(seen) <= difat_count:
            if sector in seen:
                raise broken(self.file_name, "rantai sektor berkas .xls berputar")
            seen.add(sector)
            entries = struct.unpack(f"<{self.size // 4}I", self._sector(sector))
            locations.extend(n for n in entries[:-1] if n < _SPECIAL)
            sector = entries[-1]
        fat: list[int] = []
        for location in locations[:fat_count]:
            fat.extend(struct.unpack(f"<{self.size // 4}I", self._sector(location)))
        return fat

    def chain(self, start: int, table: list[int]) -> list[int]:
        """The sectors of a chain; refused when it loops or leaves the table."""
        sectors: list[int] = []
        sector = start
        while sector < _SPECIAL:
            if sector >= len(table) or len(sectors) > len(table):
                raise broken(self.file_name, "rantai sektor berkas .xls tidak sah")
            sectors.append(sector)
            sector = table[sector]
        return sectors

    def _read(self, start: int, size: int) -> bytes:
        sectors = self.chain(start, self.fat)
        data = b"".join(self._sector(n) for n in sectors)
        if len(data) < size:
            raise broken(self.file_name, "aliran data berkas .xls terpotong")
        return data[:size]

    def workbook(self) -> bytes:
        directory = self._read(
            self.directory_start, len(self.chain(self.directory_start, self.fat)) * self.size
        )
        root_start = root_size = 0
        found: tuple[int, int] | None = None
        for offset in range(0, len(directory) - 127, 128):
            entry = directory[offset : offset + 128]
            length = struct.unpack_from("<H", entry, 64)[0]
            kind = entry[66]
            start, size = struct.unpack_from("<IQ", entry, 116)
            if kind == 0:
                continue
            if self.size == 512:
                size &= 0xFFFFFFFF  # version 3 files keep only 32 bits
            if size > len(self.data):
                raise broken(
                    self.file_name, "aliran data berkas .xls lebih besar daripada berkasnya"
                )
            name = entry[: max(0, min(length, 64) - 2)].decode("utf-16-le", errors="replace")
            if kind == 5:
                root_start, root_size = start, size
            elif kind == 2 and name in _WORKBOOK_NAMES and found is None:
                found = (start, size)
        if found is None:
            raise broken(self.file_name, "berkas .xls tidak memuat buku kerja")
        start, size = found
        if size >= self.cutoff:
            return self._read(start, size)
        mini_stream = self._read(root_start, root_size)
        mini_fat_bytes = b"".join(
            self._sector(n) for n in self.chain(self.mini_fat_start, self.fat)
        )
        mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
        pieces = [mini_stream[n * 64 : n * 64 + 64] for n in self.chain(start, mini_fat)]
        data = b"".join(pieces)
        if len(data) < size:
            raise broken(self.file_name, "aliran data berkas .xls terpotong")
        return data[:size]


def _check_records(
    stream: bytes, file_name: str, limits: RosterFileLimits, deadline: Deadline
) -> None:
    area = Area(file_name, limits)
    position = 0
    count = 0
    rows = columns = cells = 0
    in_sheet = False
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + length]
        position += 4 + length
        count += 1
        if not count % _CHECK_EVERY:
            deadline.check()
        if kind in _CELL_RECORDS and len(body) >= 4:
            row, column = struct.unpack_from("<HH", body)
            rows, columns, cells = max(rows, row + 1), max(columns, column + 1), cells + 1
        elif kind in _MULTI_RECORDS and len(body) >= 6:
            row, first = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, len(body) - 2)[0]
            cells += max(0, last - first + 1)
            rows, columns = max(rows, row + 1), max(columns, last + 1, first + 1)
        elif kind == _DIMENSIONS and len(body) >= 12:
            _first_row, last_row, _first_col, last_col = struct.unpack_from("<IIHH", body)
            rows, columns = max(rows, last_row), max(columns, last_col)
        elif kind == _MERGED_CELLS and len(body) >= 2:
            area.merged(struct.unpack_from("<H", body)[0])
        elif kind == _SST and len(body) >= 8:
            for declared in struct.unpack_from("<II", body):
                area.shared_strings(declared)
        elif kind == _BOF:
            in_sheet = True
            rows = columns = cells = 0
        elif kind == _EOF and in_sheet:
            in_sheet = False
            if rows or cells:
                area.sheet(rows, columns, cells)
            rows = columns = cells = 0
    if rows or cells:
        area.sheet(rows, columns, cells)
