"""The office's own time zone (WIB, WITA, WIT), from the province its office code begins with.

Times are stored in UTC. What a clerk sees and what is printed on an official paper is the
office's wall clock, whatever zone the laptop's clock happens to be set to (a field laptop
bought in Jakarta and used in Papua, a machine left on UTC). The province of an office code is
its first two digits (Kemendagri codes, forms/wilayah.csv); forms/zona_waktu.csv gives each
province its zone. Indonesia keeps no daylight saving, so fixed offsets are exact and no time
zone database (tzdata) is needed.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from nonasn_desktop.errors import PolicyFileError
from nonasn_desktop.policy import read_forms_text
from nonasn_desktop.rules.formatting import format_date
from nonasn_desktop.rules.regions import region_table

ZONE_FILE = "zona_waktu.csv"
# Offsets from UTC in hours (Keppres 41/1987).
OFFSETS = MappingProxyType({"WIB": 7, "WITA": 8, "WIT": 9})
# The zone of an office whose code names no known province and whose laptop is set elsewhere:
# Waktu Indonesia Barat, where most offices (and the national reference clock) are.
DEFAULT_ZONE = "WIB"
_PROVINCE = re.compile(r"^\d{2}$")


@dataclass(frozen=True)
class OfficeZone:
    """One of Indonesia's three time zones."""

    name: str
    offset_hours: int

    @property
    def tzinfo(self) -> dt.timezone:
        return dt.timezone(dt.timedelta(hours=self.offset_hours), self.name)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` (aware) on this zone's wall clock."""
        if moment.tzinfo is None:
            raise ValueError("naive datetime; the office's time needs an aware one")
        return moment.astimezone(self.tzinfo)

    def today(self, moment: dt.datetime) -> dt.date:
        """The office's date at ``moment``."""
        return self.local(moment).date()

    def format(self, moment: dt.datetime) -> str:
        """ "05-12-2026 pukul 22.06 WIB" (Indonesian writes hours with a dot)."""
        shown = self.local(moment)
        return f"{format_date(shown.date())} pukul {shown:%H.%M} {self.name}"

    def clock(self, moment: dt.datetime) -> str:
        """ "22.06 WIB"."""
        return f"{self.local(moment):%H.%M} {self.name}"


def zone(name: str) -> OfficeZone:
    return OfficeZone(name, OFFSETS[name])


def parse_zones(text: str, file: str = ZONE_FILE) -> Mapping[str, str]:
    """Province code → zone name from the CSV text; PolicyFileError on the first broken line."""
    zones: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = [cell.strip() for cell in next(csv.reader([stripped]))]
        if [c.lower() for c in cells] == ["code", "zone"]:
            continue
        if len(cells) != 2:
            raise PolicyFileError(file, number, f"harus 2 kolom (kode,zona), ada {len(cells)}")
        code, name = cells
        if not _PROVINCE.match(code):
            raise PolicyFileError(file, number, f"kode provinsi '{code}' harus 2 digit")
        if name not in OFFSETS:
            raise PolicyFileError(file, number, f"zona '{name}' tidak dikenal (WIB, WITA atau WIT)")
        if code in zones:
            raise PolicyFileError(file, number, f"kode {code} ganda")
        zones[code] = name
    return MappingProxyType(zones)


@functools.cache
def zone_table() -> Mapping[str, str]:
    """The installed table, read once per process; every province of wilayah.csv has a zone."""
    zones = parse_zones(read_forms_text(ZONE_FILE))
    missing = sorted(set(region_table().provinces) - set(zones))
    if missing:
        raise PolicyFileError(ZONE_FILE, None, f"provinsi tanpa zona waktu: {', '.join(missing)}")
    return zones


def office_zone(office_code: str, *, fallback: dt.timedelta | None = None) -> OfficeZone:
    """The zone of the office whose code begins with its province code.

    An office code that names no known province (codes are free text, "BKD01") takes the zone
    whose offset is ``fallback`` (the laptop's UTC offset) when that is one of Indonesia's,
    else WIB.
    """
    name = zone_table().get(office_code.strip()[:2])
    if name is not None:
        return zone(name)
    for candidate, hours in OFFSETS.items():
        if fallback == dt.timedelta(hours=hours):
            return zone(candidate)
    return zone(DEFAULT_ZONE)
