"""Messages that are never stale: a problem list on show follows every file choice, fix, undo,
tick and typed character (issue 13, item 3). Each waits on the signal that ends the change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from helpers.files import grey_scan_rgb_jpeg, jpeg_of_size
from wizard.wizard_support import LEFT, Driver

pytestmark = pytest.mark.gui


def _problems(wizard: Driver) -> list[str]:
    return wizard.widget("problems").texts()  # type: ignore[attr-defined, no-any-return]


def _about(problems: list[str], label: str) -> list[str]:
    return [p for p in problems if p.startswith(label)]


def test_step_6_list_follows_a_refused_file_and_the_copy_used(
    open_wizard: Callable[..., Driver],
    record_at: Callable[[int], int],
    samples: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    wizard = open_wizard(record_at(6))
    ktp_label = wizard.flow.policy.document("ktp").label
    photo_label = wizard.flow.policy.document("pas_foto").label
    wizard.press("Lanjutkan")
    assert _about(_problems(wizard), ktp_label) == [f"{ktp_label}: belum diunggah."]

    # A grey scan is refused: the list says so, not "belum diunggah".
    grey = tmp_path / "ktp_fotokopi.jpg"
    grey.write_bytes(grey_scan_rgb_jpeg())
    wizard.attach("ktp", grey, expect="fail")
    assert _about(_problems(wizard), ktp_label) == [
        f"{ktp_label}: berkas ktp_fotokopi.jpg ditolak; pilih berkas lain."
    ]

    # A 230 KB scan can be fixed: the list points at "Perbaiki otomatis".
    scan = tmp_path / "ktp_230kb.jpg"
    scan.write_bytes(jpeg_of_size(230 * 1024, width=1000, height=630))
    picker = wizard.attach("ktp", scan, expect="fixable")
    (item,) = _about(_problems(wizard), ktp_label)
    assert "ktp_230kb.jpg belum memenuhi ketentuan" in item
    assert "Perbaiki otomatis" in item

    # "Gunakan salinan ini": the KTP is done; the list keeps only what is still missing.
    with wizard.qtbot.waitSignal(picker.copy_dialog_opened, timeout=20_000) as opened:
        wizard.qtbot.mouseClick(picker.fix_button, LEFT)
    with wizard.qtbot.waitSignal(picker.copy_used, timeout=20_000):
        wizard.qtbot.mouseClick(opened.args[0].use_button, LEFT)
    assert _about(_problems(wizard), ktp_label) == []
    assert _problems(wizard) == [f"{photo_label}: belum diunggah."]

    # The last missing document: the list is gone.
    wizard.attach("pas_foto", samples("pas_foto"))
    assert _problems(wizard) == []
    assert wizard.widget("problems").isHidden()


def test_step_7_wrong_code_message_goes_once_the_right_code_is_typed(
    wizard: Driver, samples: Callable[[str], Path]
) -> None:
    wizard.to_identity()
    wizard.identity()
    wizard.press("Lanjutkan")
    wizard.wait_step(5)
    wizard.password()
    wizard.ktp_and_photo(samples)
    wizard.wait_step(7)
    first = wizard.flow.captcha_challenge()
    assert first is not None
    wizard.type("captcha", "77777" if first.text != "77777" else "33333")
    wizard.press("Lanjutkan")
    assert any("tidak sesuai" in t for t in _problems(wizard))
    challenge = wizard.flow.captcha_challenge()
    assert challenge is not None
    # The first character of the new code: the old complaint no longer applies.
    wizard.type("captcha", challenge.text[0])
    assert _problems(wizard) == []
    wizard.type("captcha", challenge.text)
    assert _problems(wizard) == []
    assert wizard.widget("problems").isHidden()
    assert wizard.window.current_page.editors["captcha"].error_text == ""
    wizard.press("Lanjutkan")
    wizard.wait_step(9)


def test_step_2_list_follows_typing_and_undo(wizard: Driver) -> None:
    wizard.to_identity()
    wizard.press("Cek Data")
    nik_label = wizard.flow.policy.fields["nik"].label
    assert _about(_problems(wizard), nik_label)
    nik = wizard.widget("nik", QLineEdit)
    wizard.qtbot.keyClicks(nik, "3273011203900001")
    assert _about(_problems(wizard), nik_label) == []
    wizard.qtbot.keyClick(nik, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert wizard.flow.value("nik") != "3273 0112 0390 0001"
    assert _about(_problems(wizard), nik_label)


def test_step_21_list_follows_the_declaration_tick(
    open_wizard: Callable[..., Driver], record_at: Callable[[int], int]
) -> None:
    wizard = open_wizard(record_at(21))
    wizard.press("Akhiri Proses Pendaftaran")
    assert any(p.startswith("Centang pernyataan") for p in _problems(wizard))
    wizard.qtbot.mouseClick(wizard.widget("pernyataan"), LEFT)
    assert _problems(wizard) == []
