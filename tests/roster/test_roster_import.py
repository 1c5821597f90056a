from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from helpers.accounts import sign_in
from helpers.workbooks import (
    HEADERS,
    agency_workbook,
    encrypted_xlsx,
    excel_serial,
    header_of,
    html_as_xls,
    indonesian_date,
    nik_for,
    not_a_spreadsheet,
    people,
    person,
    rows_of,
    truncated_xlsx,
    word_document,
    write_csv,
    write_ods,
    write_xlsx,
)
from nonasn_desktop.accounts import users
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import OperationCancelledError, ProgressStep
from nonasn_desktop.errors import AuthError, FieldError
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.roster import importing as ri
from nonasn_desktop.roster.converters import Converters
from nonasn_desktop.roster.importing import (
    PHASE_READING,
    PHASE_SAVING,
    ImportCancelledError,
    import_roster,
)
from nonasn_desktop.roster.report import ImportReport, write_report
from nonasn_desktop.roster.values import Values
from nonasn_desktop.rules.identity import normalise_name, parse_nik
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.sheets.reading import SpreadsheetError


def _import(ctx: AppContext, path: Path, **kwargs: Any) -> ImportReport:
    return import_roster(ctx, path, actor=sign_in(ctx).actor, **kwargs)


def _problems(report: ImportReport, row: int) -> list[str]:
    [refused] = [r for r in report.refused if r.row == row]
    return [problem.message for problem in refused.problems]


def _simple(tmp_path: Path, persons: list[dict[str, Any]], name: str = "daftar.xlsx") -> Path:
    return write_xlsx(tmp_path / name, [header_of(), *rows_of(persons)], text_columns=[1])


# --- whole files -------------------------------------------------------------------------------


def test_clean_file_imports_every_row(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(5)
    report = _import(app_ctx, _simple(tmp_path, staff))
    assert (report.added, report.updated, report.unchanged, report.refused_count) == (5, 0, 0, 0)
    assert report.exit_code == 0
    entry = roster.lookup(app_ctx, staff[1]["nik"])
    assert entry is not None
    assert entry.nama == staff[1]["nama"]
    assert entry.tanggal_lahir == staff[1]["tanggal_lahir"]
    assert entry.jenis_kelamin == "P"
    assert entry.pendidikan_jenjang == "s1"
    assert entry.pejabat_penandatangan == "pimpinan_opd"
    assert entry.sumber_gaji == "apbd"
    assert entry.gaji_bulanan == 1_500_000
    assert entry.source == "daftar.xlsx"
    [summary] = audit.recent(app_ctx, action_prefix="roster.import")
    assert summary.changes["baru"] == (None, 5)
    assert summary.actor == "admin"


def test_agency_workbook_with_every_trap(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    path, expected = agency_workbook(tmp_path / "daftar dinas.xlsx")
    report = _import(app_ctx, path)
    assert report.refused == ()
    assert report.added == 6
    [sheet] = report.sheets
    assert sheet.header_row == 4
    assert sheet.columns["tanggal_sk"] == "SK / Tanggal (H)"
    assert sheet.columns["nik"] == "NIK (B)"
    assert sheet.columns["tempat_lahir"] == "Tempat/Tgl Lahir / Tempat (D)"
    for values in expected["people"]:
        entry = roster.lookup(app_ctx, values["nik"])
        assert entry is not None
        assert entry.unit_kerja == expected["units"][values["nik"]]
        assert entry.tanggal_lahir == values["tanggal_lahir"]
        assert entry.tanggal_sk == values["tanggal_sk"]
        assert entry.tmt == values["tmt"]
        assert entry.sumber_gaji == "apbd"
    notes = " ".join(report.notes)
    assert "nomor kolom" in notes
    assert "Unit Kerja (J) berisi sel gabungan (merge); nilainya berlaku untuk 4 baris" in notes
    # The signature block and the section headings are skipped, not refused.
    assert report.skipped_rows >= 5


def test_importing_twice_changes_nothing(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    path = _simple(tmp_path, people(4))
    _import(app_ctx, path)
    again = _import(app_ctx, path)
    assert (again.added, again.updated, again.unchanged, again.refused_count) == (0, 0, 4, 0)
    assert roster.count(app_ctx) == 4
    assert audit.recent(app_ctx, action_prefix="roster.update") == []


def test_changed_person_is_updated_and_audited(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(3)
    _import(app_ctx, _simple(tmp_path, staff, "lama.xlsx"))
    staff[2] = {**staff[2], "jabatan": "Operator Komputer", "gaji_bulanan": 1_750_000}
    report = _import(app_ctx, _simple(tmp_path, staff, "baru.xlsx"))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    entry = roster.lookup(app_ctx, staff[2]["nik"])
    assert entry is not None
    assert (entry.jabatan, entry.gaji_bulanan, entry.source) == (
        "Operator Komputer",
        1_750_000,
        "baru.xlsx",
    )
    [change] = audit.history(app_ctx, "roster_entry", entry.id)
    assert change.action == "roster.update"
    assert change.actor == "admin"
    assert change.changes == {
        "jabatan": ("Tenaga Administrasi", "Operator Komputer"),
        "gaji_bulanan": (1_500_000, 1_750_000),
    }
    assert change.reason == "Impor berkas baru.xlsx"


def test_empty_cell_never_erases_a_listed_value(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(1)
    _import(app_ctx, _simple(tmp_path, staff))
    keys = ["nik", "nama"]
    thin = write_xlsx(tmp_path / "tipis.xlsx", [header_of(keys), *rows_of(staff, keys)])
    report = _import(app_ctx, thin)
    assert report.unchanged == 1
    entry = roster.lookup(app_ctx, staff[0]["nik"])
    assert entry is not None
    assert entry.unit_kerja == staff[0]["unit_kerja"]


# --- the NIK traps ------------------------------------------------------------------------------


def test_nik_stored_as_number_is_refused_with_the_rounding_explained(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(3)
    rows = rows_of(staff)
    rows[1][0] = int(staff[1]["nik"])  # typed into a General-format cell
    rows[2][0] = float(int(staff[2]["nik"]) // 10 * 10)  # what Excel really keeps
    path = write_xlsx(tmp_path / "angka.xlsx", [header_of(), *rows])
    report = _import(app_ctx, path)
    assert report.added == 1
    assert report.exit_code == 1
    for row in (3, 4):
        [message] = _problems(report, row)
        assert "15 digit" in message
        assert "digit ke-16" in message
        assert "Format Cells › Text" in message
        assert "ketik ulang" in message
    # Never "repaired": neither the number nor a guess is on the roster.
    assert roster.lookup(app_ctx, staff[1]["nik"]) is None
    assert roster.count(app_ctx) == 1
    [refused] = [r for r in report.refused if r.row == 3]
    assert refused.nik == staff[1]["nik"]
    assert refused.problems[0].cell == "A3"
    assert refused.problems[0].column == "NIK"


def test_nik_in_scientific_notation_is_refused(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    rows = rows_of(people(1))
    rows[0][0] = "3.27301E+15"
    report = _import(app_ctx, write_xlsx(tmp_path / "e15.xlsx", [header_of(), *rows]))
    [message] = _problems(report, 2)
    assert "notasi ilmiah" in message
    assert "3.27301E+15" in message


def test_nik_typed_with_spaces_and_dots_is_accepted(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(2)
    rows = rows_of(staff)
    nik = staff[0]["nik"]
    rows[0][0] = f" {nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]} "
    rows[1][0] = "'" + staff[1]["nik"]
    report = _import(app_ctx, write_xlsx(tmp_path / "spasi.xlsx", [header_of(), *rows]))
    assert report.added == 2
    assert roster.lookup(app_ctx, nik) is not None


def test_nik_must_agree_with_birth_date_and_sex(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(1, start=2)
    wrong = {**staff[0], "jenis_kelamin": "P", "tanggal_lahir": dt.date(1977, 3, 4)}
    report = _import(app_ctx, _simple(tmp_path, [wrong]))
    messages = _problems(report, 2)
    assert len(messages) == 2
    assert any("tanggal lahir" in m for m in messages)
    assert any("jenis kelamin" in m for m in messages)


# --- every problem of a row, with the sheet's own row numbers --------------------------------


def test_every_problem_of_a_row_is_listed_with_its_cell(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    bad = person(
        1,
        nama="Dra. Siti Rahmawati",
        tanggal_lahir="31-02-1980",
        jenis_kelamin="X",
        sumber_gaji="Pihak Ketiga",
        gaji_bulanan="1,500,000",
        tmt=dt.date(2015, 1, 5),
        tanggal_selesai=dt.date(2014, 1, 1),
    )
    report = _import(app_ctx, _simple(tmp_path, [person(0), bad]))
    [refused] = report.refused
    assert refused.row == 3
    cells = {problem.cell for problem in refused.problems}
    assert {"B3", "E3", "F3", "S3", "T3"} <= cells
    text = " ".join(problem.message for problem in refused.problems)
    assert "gelar" in text
    assert "tidak ada di kalender" in text
    assert "L atau P" in text
    assert "APBN" in text
    assert "titik sebagai pemisah ribuan" in text
    assert "sebelum TMT" in text
    assert report.added == 1


def test_row_numbers_match_the_sheet_below_title_and_blank_rows(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(3)
    rows = rows_of(staff)
    rows[1][0] = "12345"
    sheet = [["DAFTAR TENAGA NON ASN"], ["DINAS KESEHATAN"], [], header_of(), [], rows[0], [], [],
             rows[1], rows[2]]  # fmt: skip
    report = _import(app_ctx, write_xlsx(tmp_path / "judul.xlsx", sheet, merges=["A1:T1"]))
    assert [r.row for r in report.refused] == [9]
    assert report.sheets[0].header_row == 4
    assert report.sheets[0].columns["nik"] == "NIK (A)"
    assert report.added == 2


def test_row_with_only_a_number_and_footer_rows_are_skipped(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    keys = ["nik", "nama", "unit_kerja"]
    staff = people(2)
    sheet = [
        ["No", *header_of(keys)],
        [1, *rows_of(staff, keys)[0]],
        [2],
        [3],
        [4, *rows_of(staff, keys)[1]],
        [None, None, "Jumlah", 2],
        [None, None, "Kepala Dinas Kesehatan"],
    ]
    report = _import(app_ctx, write_xlsx(tmp_path / "nomor.xlsx", sheet))
    assert report.refused == ()
    assert report.added == 2
    assert report.skipped_rows == 4


def test_row_without_nik_but_with_data_is_refused(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    rows = rows_of(people(1))
    rows[0][0] = None
    report = _import(app_ctx, write_xlsx(tmp_path / "tanpa.xlsx", [header_of(), *rows]))
    assert _problems(report, 2) == ["Nomor Induk Kependudukan (NIK) wajib diisi."]


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        dt.date(1990, 3, 12),
        dt.datetime(1990, 3, 12, 0, 0),  # noqa: DTZ001 (spreadsheet cells hold naive datetimes)
        "12-03-1990",
        "12/03/1990",
        "12.03.1990",
        "1990-03-12",
        "12 Maret 1990",
        "12 MARET 1990",
        "12-Mar-1990",
        "12 Mar 1990",
        "1990-03-12 00:00:00",
        "1990/03/12",
        "\u200b12-03-1990",
        excel_serial(dt.date(1990, 3, 12)),
        float(excel_serial(dt.date(1990, 3, 12))),
    ],
    ids=repr,
)
def test_dates_in_every_form_agencies_type(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path, typed: object
) -> None:
    born = dt.date(1990, 3, 12)
    values = person(0, nik=nik_for(born, "L", 1), tanggal_lahir=typed)
    report = _import(app_ctx, _simple(tmp_path, [values]))
    assert report.refused == (), report.refused
    entry = roster.lookup(app_ctx, values["nik"])
    assert entry is not None
    assert entry.tanggal_lahir == born


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("12-03-90", "4 digit"),
        ("12 Maret 90", "4 digit"),
        ("12 Maretan 1990", "tidak dikenal"),
        ("31/02/1990", "kalender"),
        (1990, "hanya berisi tahun"),
        (12031990, "tanpa pemisah"),
        (125, "tidak dapat dibaca sebagai tanggal"),
        ("kemarin", "tidak dapat dibaca"),
        ("12-03-2990", "tidak masuk akal"),
        (True, "bukan tanggal"),
    ],
    ids=repr,
)
def test_unreadable_dates_are_refused_with_a_reason(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path, typed: object, words: str
) -> None:
    report = _import(app_ctx, _simple(tmp_path, [person(0, tanggal_lahir=typed)]))
    [message] = _problems(report, 2)
    assert words in message


def test_birth_date_in_the_future_is_refused(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    report = _import(app_ctx, _simple(tmp_path, [person(0, tanggal_ijazah=dt.date(2027, 1, 1))]))
    [message] = _problems(report, 2)
    assert "setelah hari ini" in message


def test_combined_place_and_date_of_birth(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(3)
    header = ["NIK", "Nama", "Tempat, Tgl. Lahir", "JK"]
    born = [p["tanggal_lahir"] for p in staff]
    rows = [
        [staff[0]["nik"], staff[0]["nama"], f"BANDUNG, {born[0]:%d-%m-%Y}", "L"],
        [staff[1]["nik"], staff[1]["nama"], f"Kab. Garut / {indonesian_date(born[1])}", "P"],
        [staff[2]["nik"], staff[2]["nama"], "Cimahi", "L"],
    ]
    report = _import(app_ctx, write_xlsx(tmp_path / "ttl.xlsx", [header, *rows]))
    assert report.added == 2
    first = roster.lookup(app_ctx, staff[0]["nik"])
    second = roster.lookup(app_ctx, staff[1]["nik"])
    assert first is not None
    assert second is not None
    assert (first.tempat_lahir, first.tanggal_lahir) == ("BANDUNG", born[0])
    assert (second.tempat_lahir, second.tanggal_lahir) == ("Kab. Garut", born[1])
    [message] = _problems(report, 4)
    assert "BANDUNG, 12-03-1990" in message


def test_text_column_that_excel_turned_into_a_date_is_refused(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    report = _import(app_ctx, _simple(tmp_path, [person(0, nomor_sk=dt.date(2015, 2, 1))]))
    [message] = _problems(report, 2)
    assert "menjadi tanggal" in message


# --- choices and headers ------------------------------------------------------------------------


def test_header_variants_and_value_spellings(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(2)
    header = ["No.", "No. KTP", "NAMA PEGAWAI", "Tgl Lahir", "J/K", "Pend. Terakhir",
              "TMT Kerja", "OPD", "Pejabat yang Mengangkat", "Sumber Dana", "Honor/Bulan",
              "No. KK", "Keterangan"]  # fmt: skip
    rows = [
        [1, staff[0]["nik"], staff[0]["nama"].upper(), staff[0]["tanggal_lahir"], "Pria",
         "D-III", "01-07-2010", "Dinas Kesehatan", "Kepala Puskesmas", "APBD Kota", "Rp 1.250.000",
         "3273010101010001", ""],
        [2, staff[1]["nik"], staff[1]["nama"], staff[1]["tanggal_lahir"], "Wanita", "SLTA",
         "2011-01-03", "Dinas Kesehatan", "kepsek", "BOS", 900000, "", "baru"],
    ]  # fmt: skip
    report = _import(app_ctx, write_xlsx(tmp_path / "variasi.xlsx", [header, *rows]))
    assert report.refused == ()
    first = roster.lookup(app_ctx, staff[0]["nik"])
    second = roster.lookup(app_ctx, staff[1]["nik"])
    assert first is not None
    assert second is not None
    assert (first.jenis_kelamin, first.pendidikan_jenjang, first.tmt) == (
        "L",
        "d3",
        dt.date(2010, 7, 1),
    )
    assert (first.pejabat_penandatangan, first.sumber_gaji, first.gaji_bulanan) == (
        "pimpinan_unit_kerja",
        "apbd",
        1_250_000,
    )
    assert (second.jenis_kelamin, second.pendidikan_jenjang, second.sumber_gaji) == (
        "P",
        "sma",
        "lainnya",
    )
    assert second.gaji_bulanan == 900_000
    [sheet] = report.sheets
    assert "No. KK (L)" in sheet.not_imported
    assert "Keterangan (M)" in sheet.not_imported


def test_labels_of_the_policy_are_accepted(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    policy = app_ctx.policy
    values = person(
        0,
        pendidikan_jenjang="SMA/SMK/sederajat",
        pejabat_penandatangan=policy.eligibility.appointers[3].label,
        sumber_gaji=policy.eligibility.funding_sources[0].label,
    )
    report = _import(app_ctx, _simple(tmp_path, [values]))
    assert report.refused == ()
    entry = roster.lookup(app_ctx, values["nik"])
    assert entry is not None
    assert (entry.pendidikan_jenjang, entry.pejabat_penandatangan, entry.sumber_gaji) == (
        "sma",
        "pimpinan_unit_kerja",
        "apbn",
    )


# --- duplicates ---------------------------------------------------------------------------------


def test_identical_duplicate_rows_are_imported_once(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(2)
    report = _import(app_ctx, _simple(tmp_path, [staff[0], staff[1], staff[0]]))
    assert (report.added, report.refused_count) == (2, 0)
    [duplicate] = report.duplicates
    assert (duplicate.row, duplicate.same_as_row) == (4, 2)
    assert any("baris 4 = baris 2" in note for note in report.notes)


def test_same_nik_with_different_data_refuses_every_such_row(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(3)
    impostor = {**staff[0], "nama": "Orang Lain", "unit_kerja": "Dinas Sosial"}
    report = _import(app_ctx, _simple(tmp_path, [staff[0], staff[1], impostor, staff[2]]))
    assert report.added == 2
    assert [r.row for r in report.refused] == [2, 4]
    assert "baris 4" in _problems(report, 2)[0]
    assert "baris 2" in _problems(report, 4)[0]
    assert roster.lookup(app_ctx, staff[0]["nik"]) is None


def test_duplicate_of_a_refused_row_is_refused_too(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(1)
    broken = {**staff[0], "tanggal_lahir": "kemarin"}
    report = _import(app_ctx, _simple(tmp_path, [staff[0], broken]))
    assert [r.row for r in report.refused] == [2, 3]
    assert roster.count(app_ctx) == 0


def test_existing_person_typed_by_hand_is_compared(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    values = person(0)
    roster.add_entry(
        app_ctx,
        roster.RosterInput(nik=values["nik"], nama=values["nama"], jenis_kelamin="L"),
        actor=admin_user.actor,
    )
    report = _import(app_ctx, _simple(tmp_path, [values]))
    assert (report.added, report.updated) == (0, 1)


# --- one transaction ----------------------------------------------------------------------------


def test_cancel_midway_leaves_the_roster_unchanged(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    _import(app_ctx, _simple(tmp_path, people(3), "awal.xlsx"))
    before = roster.count(app_ctx)
    big = write_xlsx(tmp_path / "besar.xlsx", [header_of(), *rows_of(people(1200, start=10))])
    calls: list[ProgressStep] = []

    with pytest.raises(ImportCancelledError, match="tidak berubah"):
        _import(app_ctx, big, progress=calls.append, cancelled=lambda: len(calls) >= 1)
    assert roster.count(app_ctx) == before
    assert calls
    assert calls[0].phase == PHASE_READING
    assert calls[0].total >= 1200


def test_cancel_is_an_operation_cancelled_error() -> None:
    assert issubclass(ImportCancelledError, OperationCancelledError)


def test_cancel_while_writing_leaves_the_roster_unchanged(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ri, "WRITE_BATCH", 10)
    path = _simple(tmp_path, people(50))
    real_insert = ri._insert
    batches = 0

    def counting_insert(*args: Any) -> None:
        nonlocal batches
        batches += 1
        real_insert(*args)

    monkeypatch.setattr(ri, "_insert", counting_insert)
    progress: list[ProgressStep] = []
    with pytest.raises(ImportCancelledError):
        _import(app_ctx, path, progress=progress.append, cancelled=lambda: batches >= 2)
    assert batches == 2
    saving = [step for step in progress if step.phase == PHASE_SAVING]
    assert [(step.done, step.total) for step in saving] == [(0, 50), (10, 50), (20, 50)]
    assert all(step.phase == PHASE_READING for step in progress[: -len(saving)])
    assert roster.count(app_ctx) == 0
    assert audit.recent(app_ctx, action_prefix="roster.") == []


def test_crash_midway_leaves_the_roster_unchanged(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = people(30)
    _import(app_ctx, _simple(tmp_path, staff[:5], "awal.xlsx"))
    changed = [{**p, "jabatan": "Pengemudi"} for p in staff[:5]] + staff[5:]
    monkeypatch.setattr(ri, "WRITE_BATCH", 10)
    real_insert = ri._insert
    batches = 0

    def failing_insert(*args: Any) -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise RuntimeError("disk pulled out")
        real_insert(*args)

    monkeypatch.setattr(ri, "_insert", failing_insert)
    with pytest.raises(RuntimeError):
        _import(app_ctx, _simple(tmp_path, changed, "ubah.xlsx"))
    assert roster.count(app_ctx) == 5
    entry = roster.lookup(app_ctx, staff[0]["nik"])
    assert entry is not None
    assert entry.jabatan == "Tenaga Administrasi"


def test_only_admins_import(app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path) -> None:
    users.create_user(
        app_ctx,
        username="budi",
        full_name="Budi",
        role=Role.OPERATOR,
        password="kunci2026",
        actor=admin_user.actor,
    )
    with pytest.raises(AuthError):
        import_roster(
            app_ctx,
            _simple(tmp_path, people(1)),
            actor=users.authenticate(app_ctx, "budi", "kunci2026").actor,
        )
    assert roster.count(app_ctx) == 0


# --- csv ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "bom", "encoding"),
    [(";", True, "utf-8"), (",", False, "utf-8"), ("\t", False, "utf-16"), (";", False, "cp1252")],
    ids=["semicolon-bom", "comma", "tab-utf16", "semicolon-ansi"],
)
def test_csv_files(
    app_ctx: AppContext,
    admin_user: UserInfo,
    tmp_path: Path,
    delimiter: str,
    bom: bool,
    encoding: str,
) -> None:
    staff = people(3)
    staff[0]["nama"] = "Ni Luh Putu Ayu Saraswati"
    staff[1]["nama"] = "Andi Nur'aini"
    staff[2]["gaji_bulanan"] = "Rp 1.500.000"
    title = [["DAFTAR TENAGA NON ASN"], []]
    path = write_csv(
        tmp_path / "daftar.csv",
        [*title, header_of(), *rows_of(staff)],
        delimiter=delimiter,
        bom=bom,
        encoding=encoding,
    )
    report = _import(app_ctx, path)
    assert report.file_kind == "csv"
    assert report.refused == ()
    assert report.added == 3
    entry = roster.lookup(app_ctx, staff[1]["nik"])
    assert entry is not None
    assert entry.nama == "Andi Nur'aini"


def test_csv_with_names_containing_commas_keeps_semicolon(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(2)
    staff[0]["unit_kerja"] = "Dinas Pendidikan, Pemuda dan Olahraga"
    path = write_csv(tmp_path / "koma.csv", [header_of(), *rows_of(staff)], delimiter=";")
    report = _import(app_ctx, path)
    assert report.added == 2
    entry = roster.lookup(app_ctx, staff[0]["nik"])
    assert entry is not None
    assert entry.unit_kerja == "Dinas Pendidikan, Pemuda dan Olahraga"


# --- files that cannot be read ----------------------------------------------------------------


def test_unreadable_files(app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path) -> None:
    good = _simple(tmp_path, people(40))
    cases = {
        "terpotong": (truncated_xlsx(tmp_path / "terpotong.xlsx", good), "rusak"),
        "gambar": (not_a_spreadsheet(tmp_path / "gambar.xlsx"), "bukan lembar kerja"),
        "sandi": (encrypted_xlsx(tmp_path / "sandi.xlsx"), "kata sandi"),
        "word": (word_document(tmp_path / "surat.xlsx"), "bukan lembar kerja"),
        "html": (html_as_xls(tmp_path / "unduhan.xls"), "HTML"),
        "kosong": (_empty(tmp_path / "kosong.xlsx"), "kosong"),
        "hilang": (tmp_path / "tidak-ada.xlsx", "tidak ditemukan"),
    }
    for name, (path, words) in cases.items():
        with pytest.raises(SpreadsheetError, match=words):
            _import(app_ctx, path)
        assert roster.count(app_ctx) == 0, name


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def test_no_header_found(app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "tanpa-judul.xlsx",
        [["Daftar hadir"], ["Nomor", "Uraian"], *rows_of(people(3), ["nik", "nama"])],
    )
    with pytest.raises(SpreadsheetError, match="Baris judul kolom tidak ditemukan") as info:
        _import(app_ctx, path)
    assert "NIK" in str(info.value)


def test_header_below_the_scan_limit_is_not_found(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    rows: list[list[Any]] = [["catatan"]] * 40 + [header_of(), *rows_of(people(1))]
    with pytest.raises(SpreadsheetError):
        _import(app_ctx, write_xlsx(tmp_path / "jauh.xlsx", rows))


# --- several sheets -------------------------------------------------------------------------------


def test_every_roster_sheet_is_imported_and_hidden_ones_are_not(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(6)
    path = write_xlsx(
        tmp_path / "per-unit.xlsx",
        [header_of(), *rows_of(staff[:2])],
        sheet="Dinas Pendidikan",
        extra_sheets={
            "Petunjuk": [["Isi satu baris per orang"]],
            "Puskesmas": [["DAFTAR"], header_of(), *rows_of(staff[2:4])],
        },
        hidden_sheets={"Arsip": [header_of(), *rows_of(staff[4:])]},
    )
    report = _import(app_ctx, path)
    assert report.added == 4
    assert [sheet.name for sheet in report.sheets] == ["Dinas Pendidikan", "Puskesmas"]
    notes = " ".join(report.notes)
    assert "'Arsip'" in notes
    assert "'Petunjuk'" in notes
    assert roster.lookup(app_ctx, staff[5]["nik"]) is None


# --- the report file ----------------------------------------------------------------------------


def test_report_file_lists_every_reason(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(4)
    rows = rows_of(staff)
    rows[1][0] = float(staff[1]["nik"])
    rows[2][4] = "12-03-90"
    rows[2][5] = "?"
    path = write_xlsx(tmp_path / "campur.xlsx", [["JUDUL"], header_of(), *rows])
    report = _import(app_ctx, path)
    out = tmp_path / "laporan.xlsx"
    write_report(report, out)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames[:2] == ["Ringkasan", "Baris Ditolak"]
    lines = list(book["Baris Ditolak"].iter_rows(values_only=True))
    assert lines[0][:3] == ("Lembar", "Baris", "Sel")
    assert [(line[1], line[2]) for line in lines[1:]] == [(4, "A4"), (5, "E5"), (5, "F5")]
    summary = {
        row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True) if len(row) > 1
    }
    assert summary["Baru ditambahkan"] == 2
    assert summary["Ditolak"] == 2
    book.close()
    assert not list(tmp_path.glob(".laporan-*"))


# --- the fast paths agree with the rules -----------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="0123456789", min_size=16, max_size=16),
        st.builds(
            lambda region, district, day, month, yy, serial: (
                f"{region}{district:02d}{day:02d}{month:02d}{yy:02d}{serial:04d}"
            ),
            st.sampled_from(["3273", "3171", "3201", "9999", "1101", "3200"]),
            st.integers(0, 99),
            st.integers(0, 80),
            st.integers(0, 13),
            st.integers(0, 99),
            st.integers(0, 3),
        ),
    )
)
def test_fast_nik_check_agrees_with_parse_nik(text: str) -> None:
    today = dt.date(2026, 1, 5)
    from nonasn_desktop.policy import default_policy
    from nonasn_desktop.roster.columns import roster_columns

    values = Values(default_policy(), roster_columns(), today)
    fast = values.fast_nik(text)
    try:
        info = parse_nik(text, today=today)
    except FieldError:
        assert fast is None
    else:
        assert fast == (info.nik, info.birth_date, info.sex)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["Siti", "budi", "SE", "Dr", "SPd", "Nur'aini", "Al-Farabi", "ir", "MM"]
            ),
            st.text(alphabet="abcXYZ'-", min_size=1, max_size=6),
        ),
        min_size=1,
        max_size=4,
    ).map(" ".join)
)
def test_fast_name_check_agrees_with_normalise_name(name: str) -> None:
    converter = _name_converter()
    result = converter(name)
    try:
        expected: object = normalise_name(name)
    except FieldError as error:
        expected = str(error)
        result = str(result) if isinstance(result, FieldError) else result
    assert result == expected


def _name_converter() -> Any:
    from nonasn_desktop.policy import default_policy
    from nonasn_desktop.roster.columns import roster_columns

    columns = roster_columns()
    values = Values(default_policy(), columns, dt.date(2026, 1, 5))
    return Converters(values, columns).name()


def test_headers_match_the_canonical_names() -> None:
    from nonasn_desktop.roster.columns import roster_columns

    columns = roster_columns()
    for key, header in HEADERS.items():
        assert columns.column(key).header == header
    assert dataclasses.asdict(columns.column("nik"))["required"] is True


@pytest.mark.parametrize(
    ("key", "typed", "expected"),
    [
        ("sumber_gaji", "APBD Kabupaten Bandung", "apbd"),
        ("sumber_gaji", "APBD 2022", "apbd"),
        ("pejabat_penandatangan", "Kepala Sekolah SDN 3 Bandung", "pimpinan_unit_kerja"),
        ("pejabat_penandatangan", "Kepala Sub Bagian Umum", "di_bawah_unit_kerja"),
        ("pejabat_penandatangan", "Bupati Bandung", "ppk"),
    ],
)
def test_choice_values_with_a_known_beginning(
    app_ctx: AppContext,
    admin_user: UserInfo,
    tmp_path: Path,
    key: str,
    typed: str,
    expected: str,
) -> None:
    values = person(0, **{key: typed})
    report = _import(app_ctx, _simple(tmp_path, [values]))
    assert report.refused == ()
    entry = roster.lookup(app_ctx, values["nik"])
    assert entry is not None
    assert getattr(entry, key) == expected


@pytest.mark.parametrize(
    ("key", "typed"),
    [
        ("pejabat_penandatangan", "Kepala Bidang Mutasi"),
        ("pejabat_penandatangan", "Sekretaris Dinas"),
        ("pendidikan_jenjang", "Manajemen Informatika"),
    ],
)
def test_unknown_choice_values_are_refused_not_guessed(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path, key: str, typed: str
) -> None:
    report = _import(app_ctx, _simple(tmp_path, [person(0, **{key: typed})]))
    [message] = _problems(report, 2)
    assert "tidak dikenal" in message


def test_nik_with_invisible_characters(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    values = person(0)
    rows = rows_of([values])
    rows[0][0] = "\u200b" + values["nik"] + "\ufeff"
    report = _import(app_ctx, write_xlsx(tmp_path / "zw.xlsx", [header_of(), *rows]))
    assert report.added == 1


def test_ods_file(app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path) -> None:
    staff = people(3)
    rows = rows_of(staff)
    rows[2][0] = float(staff[2]["nik"])
    path = write_ods(tmp_path / "daftar.ods", [["DAFTAR"], header_of(), *rows])
    report = _import(app_ctx, path)
    assert report.file_kind == "ods"
    assert report.added == 2
    [message] = _problems(report, 5)
    assert "15 digit" in message
    entry = roster.lookup(app_ctx, staff[0]["nik"])
    assert entry is not None
    assert entry.tanggal_lahir == staff[0]["tanggal_lahir"]


def test_xlsx_named_xls_and_csv_named_xls(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(4)
    xlsx = write_xlsx(tmp_path / "salah-nama.xls", [header_of(), *rows_of(staff[:2])])
    csv_file = write_csv(tmp_path / "unduhan.xls", [header_of(), *rows_of(staff[2:])])
    assert _import(app_ctx, xlsx).file_kind == "xlsx"
    assert _import(app_ctx, csv_file).file_kind == "csv"
    assert roster.count(app_ctx) == 4


def test_table_away_from_the_top_left_corner(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    staff = people(3)
    rows = rows_of(staff)
    rows[1][4] = "kemarin"
    blank: list[Any] = [None, None]
    sheet = [[], [], [], [], [], [*blank, *header_of()], *([*blank, *row] for row in rows)]
    report = _import(app_ctx, write_xlsx(tmp_path / "geser.xlsx", sheet))
    assert report.sheets[0].header_row == 6
    assert report.sheets[0].columns["nik"] == "NIK (C)"
    [refused] = report.refused
    assert refused.row == 8
    assert refused.problems[0].cell == "G8"
    assert report.added == 2
