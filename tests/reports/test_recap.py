from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers.accounts import actor_for, sign_in
from helpers.injection import DDE, HYPERLINK, assert_only_text
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import ProgressStep
from nonasn_desktop.demo import generate as demo
from nonasn_desktop.demo.people import DemoPerson, PersonFactory
from nonasn_desktop.office import identity as office
from nonasn_desktop.reports import recap
from nonasn_desktop.reports.recap import (
    DATA_SHEET,
    UNIT_SHEET,
    RecapCancelledError,
    write_recap,
)
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.roster.importing import import_roster
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.rules.timezones import office_zone
from nonasn_desktop.sheets.writing import WorkbookWriteError
from nonasn_desktop.startup import open_app


@pytest.fixture
def registrations(app_ctx: AppContext, admin_user: UserInfo) -> AppContext:
    office.initialise(app_ctx, office_code="3273", office_name="BKD Kota Bandung")
    demo.generate(app_ctx, 4, RecordStatus.PENDAFTARAN_SELESAI, seed=1, actor=actor_for(app_ctx))
    demo.generate(app_ctx, 2, RecordStatus.DISETUJUI, seed=2, actor=actor_for(app_ctx))
    demo.generate(app_ctx, 1, RecordStatus.AKUN_DIBUAT, seed=3, actor=actor_for(app_ctx))
    return app_ctx


def test_recap_sheets(registrations: AppContext, tmp_path: Path) -> None:
    result = write_recap(registrations, tmp_path / "rekap.xlsx", actor=sign_in(registrations).actor)
    assert result.rows == 7
    book = load_workbook(result.path)
    assert book.sheetnames == [UNIT_SHEET, DATA_SHEET]
    data = book[DATA_SHEET]
    header = [cell.value for cell in data[1]]
    assert header[:4] == ["No", "NIK", "Nama Lengkap", "Nomor THK-II"]
    assert {"Status", "Kelayakan", "Kriteria Tidak Terpenuhi", "Nomor Akun"} <= set(header)
    assert "password_hash" not in " ".join(map(str, header)).lower()
    assert data.freeze_panes == "D2"
    assert data.auto_filter.ref == f"A1:{data.cell(row=1, column=len(header)).column_letter}8"
    column = {name: index for index, name in enumerate(header, start=1)}
    nik = data.cell(row=2, column=column["NIK"])
    assert isinstance(nik.value, str)
    assert len(nik.value) == 16
    assert nik.number_format == "@"
    born = data.cell(row=2, column=column["Tanggal Lahir"])
    assert isinstance(born.value, dt.datetime)
    assert born.number_format == "dd-mm-yyyy"
    statuses = {data.cell(row=r, column=column["Status"]).value for r in range(2, 9)}
    assert statuses == {"Pendaftaran Selesai", "Disetujui", "Akun Dibuat"}
    accounts = [data.cell(row=r, column=column["Nomor Akun"]).value for r in range(2, 9)]
    assert all(str(a).startswith("3273-") for a in accounts)
    eligibility = {data.cell(row=r, column=column["Kelayakan"]).value for r in range(2, 9)}
    assert eligibility <= {"MS", "TMS"}

    units = book[UNIT_SHEET]
    assert units["A1"].value == "Rekapitulasi Pendataan Tenaga Non-ASN"
    table = list(units.iter_rows(min_row=5, values_only=True))
    titles = list(table[0])
    assert titles[:2] == ["Unit Kerja", "Jumlah"]
    total = next(row for row in table if row[0] == "Jumlah")
    assert total[1] == 7
    assert total[titles.index("MS")] + total[titles.index("TMS")] == 7
    assert total[titles.index("Disetujui")] == 2
    assert len(units._charts) == 1
    [entry] = audit.recent(registrations, action_prefix="recap.")
    assert entry.changes["baris"] == (None, 7)


def test_recap_reads_back_as_a_roster(
    registrations: AppContext, tmp_path: Path, clock: object
) -> None:
    path = write_recap(registrations, tmp_path / "rekap.xlsx", actor=actor_for(registrations)).path
    again = import_roster(registrations, path, actor=sign_in(registrations).actor)
    assert again.refused == ()
    assert (again.added, again.updated, again.unchanged) == (0, 0, 7)
    [sheet] = again.sheets
    assert sheet.name == DATA_SHEET
    fresh = open_app(tmp_path / "lain", create=True)
    try:
        office.initialise(fresh, office_code="3273", office_name="BKD")
        report = import_roster(fresh, path, actor=actor_for(fresh))
        assert report.refused == ()
        assert report.added == 7
        first = roster.lookup(registrations, str(load_workbook(path)[DATA_SHEET]["B2"].value))
        assert first is not None
        copied = roster.lookup(fresh, first.nik)
        assert copied is not None
        assert (copied.nama, copied.tanggal_lahir, copied.unit_kerja, copied.sumber_gaji) == (
            first.nama,
            first.tanggal_lahir,
            first.unit_kerja,
            first.sumber_gaji,
        )
    finally:
        fresh.close()


def test_empty_recap(app_ctx: AppContext, tmp_path: Path) -> None:
    result = write_recap(app_ctx, tmp_path / "kosong.xlsx", actor=actor_for(app_ctx))
    assert (result.rows, result.units) == (0, 0)
    book = load_workbook(result.path)
    assert book[DATA_SHEET].max_row == 1
    assert book[UNIT_SHEET]._charts == []


def test_cancelled_recap_leaves_no_file(registrations: AppContext, tmp_path: Path) -> None:
    out = tmp_path / "keluar"
    out.mkdir()
    with pytest.raises(RecapCancelledError):
        write_recap(
            registrations,
            out / "rekap.xlsx",
            cancelled=lambda: True,
            actor=actor_for(registrations),
        )
    assert list(out.iterdir()) == []


def test_recap_keeps_the_old_file_when_it_crashes(
    registrations: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "keluar"
    out.mkdir()
    target = out / "rekap.xlsx"
    target.write_bytes(b"rekap lama")

    def broken_progress(step: ProgressStep) -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        write_recap(registrations, target, progress=broken_progress, actor=actor_for(registrations))
    assert target.read_bytes() == b"rekap lama"
    assert [p.name for p in out.iterdir()] == ["rekap.xlsx"]


def test_hostile_text_typed_in_the_flow_stays_text_in_the_recap(
    app_ctx: AppContext,
    admin_user: UserInfo,
    tmp_path: Path,
    clock: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The office name from init, and free-text fields typed through the real registration
    # flow (the demo walker types them into the flow's pages, validators and all).
    office.initialise(app_ctx, office_code="3273", office_name=HYPERLINK)
    typed = {"alamat": DDE, "nama_sekolah": "=1+2", "jurusan": "+62 812 000"}
    work = {"unit_kerja": "@SUM(A1:A9)", "jabatan": "-3+4"}
    make = PersonFactory.make

    def hostile(factory: PersonFactory) -> DemoPerson:
        person = make(factory)
        person.values.update(typed)
        for entry in person.work_history:
            entry.update(work)
        return person

    monkeypatch.setattr(PersonFactory, "make", hostile)
    demo.generate(app_ctx, 1, RecordStatus.PENDAFTARAN_SELESAI, seed=5, actor=actor_for(app_ctx))
    path = write_recap(app_ctx, tmp_path / "rekap.xlsx", actor=admin_user.actor).path
    assert_only_text(path, [*typed.values(), *work.values(), HYPERLINK])
    # The values are unchanged: the recap reads back as a roster without a refusal.
    again = import_roster(app_ctx, path, actor=admin_user.actor)
    assert again.refused == ()
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)


def test_recap_to_a_missing_folder_writes_nothing(
    registrations: AppContext, tmp_path: Path
) -> None:
    with pytest.raises(WorkbookWriteError, match="tidak ada"):
        write_recap(
            registrations, tmp_path / "hilang" / "rekap.xlsx", actor=actor_for(registrations)
        )
    assert not (tmp_path / "hilang").exists()


def test_recap_on_a_full_disk_leaves_no_partial_file(
    registrations: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "usb"
    out.mkdir()
    (out / "rekap.xlsx").write_bytes(b"rekap lama")

    def full(fd: int) -> None:
        # The temporary file was written; the disk refuses its blocks at the flush.
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WorkbookWriteError, match="penuh"):
        write_recap(registrations, out / "rekap.xlsx", actor=actor_for(registrations))
    assert [p.name for p in out.iterdir()] == ["rekap.xlsx"]
    assert (out / "rekap.xlsx").read_bytes() == b"rekap lama"


def test_recap_times_are_on_the_office_clock() -> None:
    # Excel has no time zones: the office's wall clock (WIB for 3273), not the laptop's.
    shown = recap._office_clock(office_zone("3273"))
    wall_clock = dt.datetime(2026, 12, 5, 22, 6, 30)  # noqa: DTZ001 (Excel cells are naive)
    assert shown(dt.datetime(2026, 12, 5, 15, 6, 30, 5, tzinfo=dt.UTC)) == wall_clock
    assert shown(None) is None
