"""Province and regency/city codes that begin a NIK or a Nomor KK (forms/wilayah.csv).

The table holds the Kemendagri codes Dukcapil uses, current and historical: the prefix of a NIK
is where the number was first issued, so a code retired by a later split (Papua 2022,
Kalimantan Utara 2012) stays valid. The file is read once per process and validated; a broken
file raises :class:`PolicyFileError` naming the line.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.policy import read_forms_text

WILAYAH_FILE = "wilayah.csv"
_CODE = re.compile(r"^(?:\d{2}|\d{4})$")


@dataclass(frozen=True)
class RegionTable:
    """Names by code: provinces under 2-digit codes, regencies/cities under 4-digit codes."""

    provinces: Mapping[str, str]
    regencies: Mapping[str, str]

    def province_name(self, code2: str) -> str | None:
        return self.provinces.get(code2)

    def regency_name(self, code4: str) -> str | None:
        return self.regencies.get(code4)

    def regencies_of(self, code2: str) -> tuple[str, ...]:
        """The 4-digit codes of one province, sorted."""
        return tuple(sorted(code for code in self.regencies if code[:2] == code2))


def parse_regions(text: str, file: str = WILAYAH_FILE) -> RegionTable:
    """Read the CSV text of a region table; PolicyFileError on the first broken line."""
    provinces: dict[str, str] = {}
    regencies: dict[str, str] = {}
    first_line: dict[str, int] = {}
    seen_header = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = next(csv.reader([stripped]))
        if not seen_header and [c.strip().lower() for c in cells] == ["code", "name"]:
            seen_header = True
            continue
        seen_header = True
        if len(cells) != 2:
            raise PolicyFileError(
                file, number, f"harus 2 kolom (kode,nama), ditemukan {len(cells)} kolom"
            )
        code, name = cells[0].strip(), " ".join(cells[1].split())
        if not _CODE.match(code):
            raise PolicyFileError(
                file, number, f"kode '{code}' harus 2 digit (provinsi) atau 4 digit (kab/kota)"
            )
        if not name:
            raise PolicyFileError(file, number, f"nama untuk kode {code} kosong")
        if code in first_line:
            raise PolicyFileError(
                file, number, f"kode {code} ganda (sudah ada di baris {first_line[code]})"
            )
        first_line[code] = number
        (provinces if len(code) == 2 else regencies)[code] = name
    for code in regencies:
        if code[:2] not in provinces:
            raise PolicyFileError(
                file, first_line[code], f"kode {code}: provinsi {code[:2]} tidak ada di berkas"
            )
    if not provinces:
        raise PolicyFileError(file, None, "tidak ada satu pun kode provinsi")
    return RegionTable(MappingProxyType(provinces), MappingProxyType(regencies))


@functools.cache
def region_table() -> RegionTable:
    """The installed table, read once per process."""
    return parse_regions(read_forms_text(WILAYAH_FILE))


def province_name(code2: str) -> str | None:
    """Name of the province with this 2-digit code, or None when unknown."""
    return region_table().province_name(code2)


def regency_name(code4: str) -> str | None:
    """Name of the regency/city with this 4-digit code (province + regency), or None."""
    return region_table().regency_name(code4)
