"""A whole walk of the wizard by a person the Admin Instansi registered completely.

Import as ``from wizard.walk_support import ...``. :func:`walk_roster_person` drives the
wizard like a clerk from page 1 to page 24 and calls ``on_page(step)`` on arrival at every
page, before anything is typed there: the tests look at the page as the clerk first sees it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.accounts import actor_for
from nonasn_desktop.roster import entries as roster
from wizard.wizard_support import LEFT, PASSWORD, Driver

if TYPE_CHECKING:
    from nonasn_desktop.core.context import AppContext

# Dewi, born 15-05-1992 in Bandung; what only she (not the roster) can tell.
DEWI = {
    "nik": "3273015505920002",
    "nomor_kk": "3273012502150007",
    "nama": "DEWI LESTARI",
    "tempat_lahir": "Bandung",
    "tanggal_lahir": "15-05-1992",
    "jenis_kelamin": "P",
    "nomor_hp": "0813-2000-4455",
}
DEWI_BIODATA = {
    "agama": "islam",
    "status_perkawinan": "kawin",
    "alamat": "Jl. Dago No. 5, Bandung",
}
# Everything else the record holds comes from her roster entry.
DEWI_ROSTER = roster.RosterInput(
    nik=DEWI["nik"],
    nama=DEWI["nama"],
    tempat_lahir="Bandung",
    tanggal_lahir=dt.date(1992, 5, 15),
    jenis_kelamin="P",
    pendidikan_jenjang="d3",
    nama_sekolah="Politeknik Kesehatan Bandung",
    jurusan="Keperawatan",
    nomor_ijazah="PK-2013/0042",
    tanggal_ijazah=dt.date(2013, 8, 30),
    nomor_sk="800/77/PKM/2014",
    tanggal_sk=dt.date(2013, 12, 20),
    tmt=dt.date(2014, 1, 2),
    jabatan="Perawat",
    unit_kerja="Puskesmas Dago",
    pejabat_penandatangan="pimpinan_opd",
    sumber_gaji="apbd",
    gaji_bulanan=2_100_000,
)


def register_dewi(ctx: AppContext) -> None:
    roster.add_entry(ctx, DEWI_ROSTER, actor=actor_for(ctx))


def walk_roster_person(
    wizard: Driver, samples: Callable[[str], Path], on_page: Callable[[int], None]
) -> None:
    """From page 1 to page 24 (captcha typed when on); ``on_page`` at every page's arrival."""
    on_page(1)
    wizard.to_identity()
    on_page(2)
    wizard.identity(DEWI)
    on_page(3)
    wizard.type("email", "dewi@contoh.id")
    wizard.press("Lanjutkan")
    wizard.wait_step(5)
    on_page(5)
    wizard.password()
    on_page(6)
    wizard.ktp_and_photo(samples)
    if wizard.flow.captcha_enabled:
        wizard.wait_step(7)
        on_page(7)
        wizard.captcha()
        wizard.press("Lanjutkan")
    wizard.wait_step(9)
    on_page(9)
    wizard.press("Proses Pembuatan Akun")
    wizard.answer_dialog(yes=True)
    wizard.wait_step(12)
    on_page(12)
    wizard.press("Lanjutkan Pendaftaran")
    wizard.wait_step(13)
    on_page(13)
    wizard.type("login_nik", DEWI["nik"])
    wizard.type("login_kata_sandi", PASSWORD)
    wizard.press("Lanjutkan Login Pendaftaran")
    wizard.wait_step(15)
    on_page(15)
    wizard.fill(DEWI_BIODATA)
    for kind in ("ijazah", "kk", "swafoto"):
        wizard.attach(kind, samples(kind))
    wizard.press("Lanjutkan")
    if wizard.flow.captcha_enabled:
        wizard.wait_step(16)
        on_page(16)
        wizard.captcha()
        wizard.press("Selanjutnya")
    wizard.wait_step(17)
    on_page(17)
    wizard.fill_entry(1, {"melalui_pengadaan": "tidak"})
    wizard.yes_no("masih_aktif", yes=True)
    wizard.choose("bentuk_sk", "asli")
    wizard.attach("sk_jabatan", samples("sk_jabatan"))
    wizard.attach("bukti_gaji", samples("bukti_gaji"))
    wizard.press("Selanjutnya")
    wizard.wait_step(19)
    on_page(19)
    wizard.press("Periksa Kembali")
    wizard.wait_step(21)
    on_page(21)
    wizard.qtbot.mouseClick(wizard.widget("pernyataan"), LEFT)
    wizard.press("Akhiri Proses Pendaftaran")
    wizard.answer_dialog(yes=True)
    wizard.wait_step(24)
    on_page(24)
