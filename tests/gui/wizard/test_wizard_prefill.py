"""A person on the roster walks the wizard: what the roster holds arrives filled, marked, and
editable; a difference is shown; the step numbers agree (issue 13, items 1 and 2)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from nonasn_desktop.flow.state import TRANSIENT_FIELDS
from wizard.walk_support import DEWI, register_dewi, walk_roster_person
from wizard.wizard_support import Driver

if TYPE_CHECKING:
    from nonasn_desktop.core.context import AppContext
    from nonasn_desktop.gui.wizard.fields import FieldEditor

FROM_ROSTER = "dari data Admin Instansi"


def _editors(wizard: Driver) -> dict[str, FieldEditor]:
    """Every field editor of the current page, work-history entries as ``<n>.<key>``."""
    page = wizard.window.current_page
    found = dict(page.editors)
    for card in getattr(page, "cards", []):
        found.update({f"{card.number}.{key}": e for key, e in card.editors.items()})
    return found


@pytest.mark.slow
def test_a_roster_person_finds_pages_15_and_17_filled(
    open_wizard: Callable[..., Driver], samples: Callable[[str], Path], office_ready: AppContext
) -> None:
    register_dewi(office_ready)
    wizard = open_wizard()
    arrived: dict[int, dict[str, str]] = {}

    def on_page(step: int) -> None:
        window = wizard.window
        # One number per page: the wizard's own; the portal's, where shown, is qualified.
        assert window.counter.text() == f"Langkah {step} dari 24"
        title = window.current_page.title.text()
        assert not re.search(r"Langkah \d+(?! pembuatan akun)", title), title
        arrived[step] = {key: editor.raw() for key, editor in _editors(wizard).items()}
        if step == 15:
            editors = _editors(wizard)
            assert editors["nama_sekolah"].raw() == "Politeknik Kesehatan Bandung"
            assert editors["tanggal_ijazah"].raw() == "30-08-2013"
            assert editors["pendidikan_jenjang"].raw() == "d3"
            assert editors["nama_sekolah"].origin_text == FROM_ROSTER
            assert editors["agama"].origin_text == ""  # the roster cannot know it
            assert wizard.widget("catatan_admin_instansi").isVisible()
            # Editable: a different school is kept and shown the way step 3 shows it.
            wizard.type("nama_sekolah", "Akper Bandung")
            assert wizard.flow.value("nama_sekolah") == "Akper Bandung"
            assert editors["nama_sekolah"].origin_text == (
                "≠ Berbeda dengan data Admin Instansi ('Politeknik Kesehatan Bandung')"
            )
            notice = wizard.widget("catatan_admin_instansi")
            assert "Nama Sekolah/Perguruan Tinggi berbeda" in notice.text()  # type: ignore[attr-defined]
            wizard.type("nama_sekolah", "Politeknik Kesehatan Bandung")
            assert editors["nama_sekolah"].origin_text == FROM_ROSTER
            assert "Perguruan Tinggi berbeda" not in notice.text()  # type: ignore[attr-defined]
        if step == 17:
            card = wizard.window.current_page.cards[0]  # type: ignore[attr-defined]
            assert card.values()["nomor_sk"] == "800/77/PKM/2014"
            assert card.values()["gaji_bulanan"] == "Rp 2.100.000"
            assert card.values()["sumber_gaji"] == "apbd"
            assert card.editors["tmt"].origin_text == FROM_ROSTER
            assert card.editors["melalui_pengadaan"].origin_text == ""
            assert not card.editors["jabatan"].is_read_only()

    walk_roster_person(wizard, samples, on_page)

    # Count the fields the clerk filled by hand: empty on arrival, filled in the end.
    final = wizard.flow.state
    entry = final.work_history[0]
    typed = 0
    for fields in arrived.values():
        for key, shown in fields.items():
            if key == "pernyataan":
                continue
            bare = key.split(".")[-1]
            value = entry.get(bare, "") if "." in key else final.values.get(key, "")
            if bare in TRANSIENT_FIELDS or (value and shown != value):
                typed += 1
    # 7 identity + email + 4 password + captcha + 2 login + 3 biodata + captcha + 1 of the SK +
    # 2 status fields: 22, where 35 were typed before (tests/flow/test_prefill.py).
    assert typed == 22
    assert final.values["nama_sekolah"] == "Politeknik Kesehatan Bandung"
    assert entry["unit_kerja"] == "Puskesmas Dago"
    assert DEWI["nik"] in final.values["nik"].replace(" ", "")
