"""``nonasn check document`` with real JPEG and PDF files."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.files import (
    colour_jpeg,
    encrypted_pdf,
    exif_rotated_jpeg,
    grey_scan_rgb_jpeg,
    jpeg_of_size,
    pas_foto_jpeg,
    pdf_bytes,
    png_bytes,
)
from nonasn_desktop.cli.main import main
from nonasn_desktop.demo.documents import make_sample_document


def check(
    capsys: pytest.CaptureFixture[str], kind: str, path: Path, *extra: str
) -> tuple[int, str, str]:
    code = main(["check", "document", "--kind", kind, str(path), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_good_ktp_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ktp.jpg"
    path.write_bytes(colour_jpeg(800, 500))
    code, out, _ = check(capsys, "ktp", path)
    assert code == 0
    assert "[GAGAL]" not in out
    assert "memenuhi ketentuan" in out


@pytest.mark.parametrize("kind", ["ktp", "pas_foto", "kk", "swafoto", "ijazah", "sk_jabatan"])
def test_sample_documents_pass(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, name = make_sample_document(kind, seed=5)
    path = tmp_path / name
    path.write_bytes(data)
    assert check(capsys, kind, path)[0] == 0


def test_grey_scan_fails_and_cannot_be_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ktp.jpg"
    path.write_bytes(grey_scan_rgb_jpeg())
    code, out, err = check(capsys, "ktp", path)
    assert code == 1
    assert "[GAGAL]" in out
    code, _, err = check(capsys, "ktp", path, "--fix", str(tmp_path / "out.jpg"))
    assert code == 1
    assert "tidak dapat dibuat" in err
    assert not (tmp_path / "out.jpg").exists()


def test_oversized_scan_is_fixed_into_a_new_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = jpeg_of_size(230 * 1024, width=1200, height=800)
    path = tmp_path / "ktp.jpg"
    path.write_bytes(original)
    code, _, err = check(capsys, "ktp", path)
    assert code == 1
    assert "--fix" in err
    out_path = tmp_path / "ktp_baru.jpg"
    code, out, err = check(capsys, "ktp", path, "--fix", str(out_path))
    assert code == 0, err
    assert out_path.stat().st_size <= 200 * 1024
    assert path.read_bytes() == original
    assert "berkas asli tidak diubah" in out
    assert check(capsys, "ktp", out_path)[0] == 0


def test_fix_never_overwrites_the_original(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ktp.jpg"
    path.write_bytes(jpeg_of_size(230 * 1024, width=1200, height=800))
    assert check(capsys, "ktp", path, "--fix", str(path))[0] == 2


def test_png_renamed_jpg_and_rotated_photo_are_fixable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    renamed = tmp_path / "foto.jpg"
    renamed.write_bytes(png_bytes(600, 400))
    code, out, _ = check(capsys, "ktp", renamed)
    assert code == 1
    assert "PNG" in out
    assert check(capsys, "ktp", renamed, "--fix", str(tmp_path / "a.jpg"))[0] == 0
    rotated = tmp_path / "pas.jpg"
    rotated.write_bytes(exif_rotated_jpeg())
    code, out, _ = check(capsys, "pas_foto", rotated)
    assert code == 1
    assert "orientasi EXIF" in out
    code, out, _ = check(capsys, "pas_foto", rotated, "--fix", str(tmp_path / "b.jpg"))
    assert code == 0
    assert check(capsys, "pas_foto", tmp_path / "b.jpg")[0] == 0


def test_pas_foto_and_pdf_kinds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = tmp_path / "pas.jpg"
    photo.write_bytes(pas_foto_jpeg())
    assert check(capsys, "pas_foto", photo)[0] == 0
    sk = tmp_path / "sk.pdf"
    sk.write_bytes(pdf_bytes(2))
    assert check(capsys, "sk_jabatan", sk)[0] == 0
    locked = tmp_path / "terkunci.pdf"
    locked.write_bytes(encrypted_pdf())
    code, out, _ = check(capsys, "sk_jabatan", locked)
    assert code == 1
    assert "[GAGAL]" in out


@pytest.mark.parametrize(
    "content", [b"", b"<html><body>bukan gambar</body></html>", b"\xff\xd8\xff\xe0garbage"]
)
def test_hostile_files_get_a_message_not_a_crash(
    content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.jpg"
    path.write_bytes(content)
    code, out, err = check(capsys, "ktp", path)
    assert code == 1
    assert "Traceback" not in out + err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = check(capsys, "ktp", tmp_path / "tidak_ada.jpg")
    assert code == 1
    assert "tidak_ada.jpg" in err
