from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from helpers.injection import formula_elements
from helpers.workbooks import HEADERS, people, rows_of
from nonasn_desktop.accounts.users import UserInfo
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.policy import default_policy
from nonasn_desktop.roster import entries as roster
from nonasn_desktop.roster.importing import import_roster
from nonasn_desktop.roster.template import (
    CHOICES_SHEET,
    DATA_SHEET,
    GUIDE_SHEET,
    write_template,
)


def test_template_layout(tmp_path: Path) -> None:
    path = write_template(tmp_path / "templat.xlsx", default_policy())
    book = load_workbook(path)
    assert book.sheetnames == [DATA_SHEET, GUIDE_SHEET, CHOICES_SHEET]
    assert book[CHOICES_SHEET].sheet_state == "hidden"
    sheet = book[DATA_SHEET]
    headers = [cell.value for cell in sheet[1]]
    assert headers == list(HEADERS.values())
    assert sheet.freeze_panes == "C2"
    formats = {header: sheet.cell(row=2, column=i).number_format for i, header in
               enumerate(headers, start=1)}  # fmt: skip
    assert formats["NIK"] == "@"
    assert formats["Nomor SK"] == "@"
    assert formats["Tanggal Lahir"] == "dd-mm-yyyy"
    assert formats["TMT"] == "dd-mm-yyyy"
    assert sheet.column_dimensions["A"].number_format == "@"
    assert sheet["A1"].comment is not None
    assert "TEKS" in sheet["A1"].comment.text
    ranges = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    letters = {header: chr(ord("A") + i) for i, header in enumerate(headers)}
    assert set(ranges) == {
        f"{letters[h]}2:{letters[h]}2001"
        for h in ("Jenis Kelamin", "Pendidikan", "Jabatan Penandatangan SK", "Sumber Gaji")
    }
    choices = book[CHOICES_SHEET]
    listed = {choices.cell(row=1, column=c).value: [choices.cell(row=r, column=c).value
              for r in range(2, choices.max_row + 1) if choices.cell(row=r, column=c).value]
              for c in range(1, 5)}  # fmt: skip
    assert listed["Jenis Kelamin"] == ["L", "P"]
    policy = default_policy()
    assert listed["Sumber Gaji"] == [c.label for c in policy.eligibility.funding_sources]
    assert len(listed["Jabatan Penandatangan SK"]) == len(policy.eligibility.appointers)
    guide = " ".join(str(row[0]) for row in book[GUIDE_SHEET].iter_rows(values_only=True))
    assert "15 digit" in guide
    assert "dd-mm-yyyy" in guide
    assert "Kolom wajib: NIK, Nama Lengkap" in guide


def test_filled_template_imports_cleanly(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    path = write_template(tmp_path / "templat.xlsx", app_ctx.policy)
    book = load_workbook(path)
    sheet = book[DATA_SHEET]
    policy = app_ctx.policy
    staff = people(5)
    for index, values in enumerate(staff):
        # What a clerk picks from the drop-downs: the labels.
        values["pendidikan_jenjang"] = policy.fields["pendidikan_jenjang"].choices[index].label
        values["pejabat_penandatangan"] = policy.eligibility.appointers[index].label
        values["sumber_gaji"] = policy.eligibility.funding_sources[index % 3].label
    for row, cells in enumerate(rows_of(staff), start=2):
        for column, value in enumerate(cells, start=1):
            sheet.cell(row=row, column=column).value = value
    book.save(path)
    report = import_roster(app_ctx, path, actor=admin_user.actor)
    assert report.refused == ()
    assert report.added == 5
    assert [s.name for s in report.sheets] == [DATA_SHEET]
    entry = roster.lookup(app_ctx, staff[4]["nik"])
    assert entry is not None
    assert entry.pejabat_penandatangan == policy.eligibility.appointers[4].key
    assert entry.pendidikan_jenjang == policy.fields["pendidikan_jenjang"].choices[4].key


def test_empty_template_imports_nothing(
    app_ctx: AppContext, admin_user: UserInfo, tmp_path: Path
) -> None:
    report = import_roster(
        app_ctx, write_template(tmp_path / "kosong.xlsx", app_ctx.policy), actor=admin_user.actor
    )
    assert (report.imported, report.refused_count, report.exit_code) == (0, 0, 0)


def test_template_replaces_an_existing_file_atomically(tmp_path: Path) -> None:
    target = tmp_path / "templat.xlsx"
    target.write_bytes(b"lama")
    write_template(target, default_policy())
    assert load_workbook(target).sheetnames[0] == DATA_SHEET
    assert [p.name for p in tmp_path.iterdir()] == ["templat.xlsx"]


def test_template_holds_no_formula(tmp_path: Path) -> None:
    # Its text comes from forms/ only, written through the safe writer all the same; the
    # drop-downs refer to the choices sheet in their validation, never in a cell.
    path = write_template(tmp_path / "templat.xlsx", default_policy())
    assert formula_elements(path) == []
