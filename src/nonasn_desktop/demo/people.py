"""Synthetic but valid people for demo data: NIK, KK, names, places, work history.

Every value passes the real rules (a NIK agrees with its birth date and sex and carries a real
region code). Nothing here is a real person.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from nonasn_desktop.rules.formatting import format_date, format_money
from nonasn_desktop.rules.regions import region_table

MALE_NAMES = (
    "Agus", "Ahmad", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dimas", "Eko", "Fajar",
    "Hendra", "Imam", "Joko", "Made", "Muhammad", "Nyoman", "Rizki", "Slamet", "Teguh",
    "Wahyu", "Yusuf", "Gede", "Asep", "Ujang", "La Ode", "Andreas", "Yohanes", "Ketut",
)  # fmt: skip
FEMALE_NAMES = (
    "Ani", "Dewi", "Endang", "Fitri", "Indah", "Kartika", "Lestari", "Maria", "Nur", "Putri",
    "Rina", "Sari", "Siti", "Sri", "Tuti", "Wulan", "Yuliana", "Ni Luh", "Ayu", "Ratna",
    "Neneng", "Dwi", "Ika", "Rahmawati", "Yohana", "Wa Ode", "Margaretha",
)  # fmt: skip
FAMILY_NAMES = (
    "Saputra", "Hidayat", "Wibowo", "Santoso", "Setiawan", "Kurniawan", "Pratama",
    "Nugroho", "Simanjuntak", "Siregar", "Nasution", "Lubis", "Harahap", "Tanjung",
    "Rahmawati", "Wulandari", "Susanti", "Handayani", "Permata", "Manurung", "Sinaga",
    "Pangaribuan", "Tambunan", "Mahendra", "Suryani", "Utami", "Hasibuan", "Daulay",
)  # fmt: skip
# Single names are common and valid (a third of the older generation has one).
MONONYM_SHARE = 0.12

UNITS = (
    ("SD Negeri {n} {place}", ("Guru Kelas", "Guru Mata Pelajaran", "Penjaga Sekolah")),
    ("SMP Negeri {n} {place}", ("Guru Mata Pelajaran", "Tenaga Administrasi Sekolah")),
    ("Puskesmas {place}", ("Perawat", "Bidan", "Tenaga Administrasi", "Pengemudi Ambulans")),
    ("RSUD {place}", ("Perawat", "Tenaga Rekam Medis", "Petugas Kebersihan", "Satpam")),
    ("Dinas Pendidikan", ("Operator Komputer", "Pramu Bakti", "Tenaga Administrasi")),
    ("Dinas Kesehatan", ("Tenaga Administrasi", "Pengemudi", "Operator Komputer")),
    ("Dinas Perhubungan", ("Petugas Lapangan", "Pengemudi", "Tenaga Administrasi")),
    ("Dinas Lingkungan Hidup", ("Petugas Kebersihan", "Pengemudi Truk Sampah")),
    ("Satuan Polisi Pamong Praja", ("Petugas Ketertiban", "Tenaga Administrasi")),
    ("Sekretariat Daerah", ("Pramu Bakti", "Operator Komputer", "Pengemudi")),
    ("Kecamatan {place}", ("Tenaga Administrasi", "Pramu Bakti", "Penjaga Malam")),
)
EDUCATION = (
    ("sma", "SMA Negeri {n} {place}", "IPA"),
    ("sma", "SMK Negeri {n} {place}", "Akuntansi"),
    ("d3", "Akademi Keperawatan {place}", "Keperawatan"),
    ("d3", "Politeknik Kesehatan {place}", "Kebidanan"),
    ("s1", "Universitas Terbuka", "Pendidikan Guru Sekolah Dasar"),
    ("s1", "Universitas Negeri {place}", "Pendidikan Matematika"),
    ("s1", "STMIK {place}", "Sistem Informasi"),
    ("smp", "SMP Negeri {n} {place}", ""),
)
MOBILE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0878", "0896")
STREETS = ("Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Ahmad Yani", "Jl. Pahlawan")
QUESTIONS = ("ibu_kandung", "sekolah_dasar", "hewan_peliharaan", "kota_orang_tua")
RELIGIONS = ("islam",) * 8 + ("kristen", "katolik", "hindu", "buddha")
MARRIAGE = ("belum_kawin", "kawin", "kawin", "kawin", "cerai_hidup")
SK_VARIANTS = ("asli",) * 6 + ("fotokopi_legalisir", "surat_keterangan")
# Share of people who fail an eligibility criterion; they are saved too, flagged TMS.
TMS_SHARE = 0.1


@dataclass
class DemoPerson:
    values: dict[str, str]
    work_history: list[dict[str, str]] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def nik(self) -> str:
        return self.values["nik"]


def _place_of(regency: str) -> str:
    for prefix in ("KAB. ", "KOTA ADM. ", "KOTA "):
        if regency.startswith(prefix):
            return regency.removeprefix(prefix).title()
    return regency.title()


class PersonFactory:
    """Makes distinct people; ``home`` is the 4-digit regency most of them were born in."""

    def __init__(self, rng: random.Random, *, home: str | None = None) -> None:
        self._rng = rng
        self._table = region_table()
        self._all = sorted(self._table.regencies)
        self._home = home if home is not None and home in self._table.regencies else "3273"
        self._used: set[str] = set()

    def _regency(self) -> str:
        return self._home if self._rng.random() < 0.8 else self._rng.choice(self._all)

    def _nik(self, regency: str, born: dt.date, female: bool) -> str:
        while True:
            district = f"{self._rng.randrange(1, 25):02d}"
            day = born.day + (40 if female else 0)
            nik = f"{regency}{district}{day:02d}{born:%m%y}{self._rng.randrange(1, 10000):04d}"
            if nik not in self._used:
                self._used.add(nik)
                return nik

    def _name(self, female: bool) -> str:
        first = self._rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        if self._rng.random() < MONONYM_SHARE and " " not in first:
            return first.upper()
        return f"{first} {self._rng.choice(FAMILY_NAMES)}".upper()

    def make(self) -> DemoPerson:
        rng = self._rng
        tms = rng.random() < TMS_SHARE
        female = rng.random() < 0.5
        # Ages 21..55 on 31-12-2021, the eligible range, unless this person is a TMS case.
        born = dt.date(1966, 6, 1) + dt.timedelta(days=rng.randrange(0, 365 * 34))
        regency = self._regency()
        place = _place_of(self._table.regencies[regency])
        home_place = _place_of(self._table.regencies[self._home])
        kk_issued = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 9))
        kk = f"{regency}{rng.randrange(1, 25):02d}{kk_issued:%d%m%y}{rng.randrange(1, 10000):04d}"
        level, school, major = rng.choice(EDUCATION)
        graduated = dt.date(born.year + (18 if level in ("sma", "smp") else 22), 6, 20)
        unit_pattern, positions = rng.choice(UNITS)
        unit = unit_pattern.format(n=rng.randrange(1, 12), place=home_place)
        # First SK between 2005 and 2020; a TMS case starts in 2021 (less than a year).
        first_tmt = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 16))
        if tms:
            first_tmt = dt.date(2021, 1, 4) + dt.timedelta(days=rng.randrange(0, 300))
        values = {
            "nik": self._nik(regency, born, female),
            "nomor_kk": kk,
            "nama": self._name(female),
            "tempat_lahir": place,
            "tanggal_lahir": format_date(born),
            "jenis_kelamin": "P" if female else "L",
            "nomor_hp": f"{rng.choice(MOBILE_PREFIXES)}-{rng.randrange(1000, 9999)}-"
            f"{rng.randrange(1000, 9999)}",
            "agama": rng.choice(RELIGIONS),
            "status_perkawinan": rng.choice(MARRIAGE),
            "alamat": f"{rng.choice(STREETS)} No. {rng.randrange(1, 200)}, {home_place}",
            "pendidikan_jenjang": level,
            "nama_sekolah": school.format(n=rng.randrange(1, 9), place=place),
            "jurusan": major,
            "nomor_ijazah": f"DN-{rng.randrange(1, 35):02d}/{rng.randrange(100000, 999999)}",
            "tanggal_ijazah": format_date(graduated),
            "masih_aktif": "ya",
            "bentuk_sk": rng.choice(SK_VARIANTS),
        }
        if rng.random() < 0.3:
            values["email"] = (
                f"{values['nama'].split()[0].lower()}{rng.randrange(10, 99)}@gmail.com"
            )
        entries = []
        tmt = first_tmt
        for seq in range(rng.choice((1, 1, 1, 2))):
            sk_date = tmt - dt.timedelta(days=rng.randrange(1, 30))
            entries.append(
                {
                    "unit_kerja": unit,
                    "jabatan": rng.choice(positions),
                    "nomor_sk": f"800/{rng.randrange(100, 999)}/SK/{sk_date.year}",
                    "tanggal_sk": format_date(sk_date),
                    "tmt": format_date(tmt),
                    "tanggal_selesai": "",
                    "pejabat_penandatangan": "pimpinan_opd" if seq else "pimpinan_unit_kerja",
                    "sumber_gaji": "apbd",
                    "melalui_pengadaan": "tidak",
                    "gaji_bulanan": format_money(rng.randrange(6, 40) * 100_000),
                }
            )
            tmt = dt.date(min(tmt.year + rng.randrange(2, 6), 2021), 1, 2)
            if tmt <= first_tmt:
                break
        if len(entries) == 2:
            entries[0]["tanggal_selesai"] = format_date(
                dt.date.fromisoformat(_iso(entries[1]["tmt"])) - dt.timedelta(days=1)
            )
        return DemoPerson(values=values, work_history=entries)


def _iso(ddmmyyyy: str) -> str:
    day, month, year = ddmmyyyy.split("-")
    return f"{year}-{month}-{day}"
