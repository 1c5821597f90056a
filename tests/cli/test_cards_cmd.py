"""``nonasn cards``."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpers.accounts import ADMIN_PASSWORD, cli_sign_in
from helpers.folders import open_as_admin
from nonasn_desktop.cli.main import main
from nonasn_desktop.storage.models import Registration


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with three finished registrations and one with only an account."""
    folder = tmp_path_factory.mktemp("cards") / "data"
    base = ["--data-dir", str(folder)]
    with pytest.MonkeyPatch.context() as patch:
        # Module-scoped: tests/cli/conftest.py's sign-in is not yet in force here.
        cli_sign_in(patch)
        patch.setenv("NONASN_ADMIN_PASSWORD", ADMIN_PASSWORD)
        _make(base)
    return folder


def _make(base: list[str]) -> None:
    assert (
        main(
            [
                *base,
                "init",
                "--office-code",
                "3273",
                "--office-name",
                "BKD Kota Bandung",
                "--admin",
                "admin",
            ]
        )
        == 0
    )
    assert main([*base, "demo-data", "--count", "3", "--seed", "1"]) == 0
    assert main([*base, "demo-data", "--count", "1", "--seed", "2", "--status", "akun_dibuat"]) == 0


def _accounts(folder: Path, status: str) -> list[str]:
    # Read through the application: the folder made by init is encrypted.
    with open_as_admin(folder) as ctx, ctx.db.session() as session:
        rows = session.scalars(
            select(Registration.account_number)
            .where(Registration.status == status)
            .order_by(Registration.account_number)
        )
        return [str(number) for number in rows]


def _cards(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), "cards", *args])


def test_all_cards_into_one_pdf(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "kartu.pdf"
    assert _cards(data, "--out", str(out), "--all") == 0
    assert capsys.readouterr().out.strip() == f"3 halaman ditulis ke {out}"
    reader = PdfReader(out)
    assert len(reader.pages) == 3
    for page, number in zip(reader.pages, _accounts(data, "pendaftaran_selesai"), strict=True):
        assert number in page.extract_text()
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)


def test_chosen_accounts_on_id1_pages(data: Path, tmp_path: Path) -> None:
    first, second = _accounts(data, "pendaftaran_selesai")[:2]
    out = tmp_path / "id1.pdf"
    args = ["--out", str(out), "--account", second, "--account", first, "--layout", "id1"]
    assert _cards(data, *args) == 0
    reader = PdfReader(out)
    assert [second in reader.pages[0].extract_text(), first in reader.pages[1].extract_text()] == [
        True,
        True,
    ]
    assert float(reader.pages[0].mediabox.width) == pytest.approx(242.65, abs=0.1)


def test_registration_information_kind(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "informasi.pdf"
    args = ["--out", str(out), "--all", "--kind", "informasi", "--printed-by", "Siti"]
    assert _cards(data, *args) == 0
    assert "4 halaman" in capsys.readouterr().out
    assert "INFORMASI PENDAFTARAN" in PdfReader(out).pages[0].extract_text()
    assert "oleh Siti" in PdfReader(out).pages[0].extract_text()


def test_unknown_account_exits_1_naming_it(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.pdf"
    assert _cards(data, "--out", str(out), "--account", "3273-2022-777777") == 1
    assert "3273-2022-777777" in capsys.readouterr().err
    assert not out.exists()


def test_unfinished_registration_gets_no_card(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waiting = _accounts(data, "akun_dibuat")[0]
    assert _cards(data, "--out", str(tmp_path / "x.pdf"), "--account", waiting) == 1
    assert "belum diakhiri" in capsys.readouterr().err


def test_neither_account_nor_all_is_a_usage_error(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cards(data, "--out", str(tmp_path / "x.pdf")) == 2
    assert "--account" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["--account", "A", "--all"],
        ["--all", "--kind", "sertifikat"],
        ["--all", "--layout", "a5"],
        ["--all"],  # --out missing
    ],
)
def test_bad_arguments_are_usage_errors(data: Path, args: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        _cards(data, *args)
    assert caught.value.code == 2


def test_output_must_be_a_pdf(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cards(data, "--out", str(tmp_path / "kartu.docx"), "--all") == 2
    assert ".pdf" in capsys.readouterr().err


def test_missing_output_folder_exits_1(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cards(data, "--out", str(tmp_path / "tidak-ada" / "k.pdf"), "--all") == 1
    assert "tidak ada" in capsys.readouterr().err
