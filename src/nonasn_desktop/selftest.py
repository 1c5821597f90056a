"""``nonasn self-test``: does this installation work, here, now?

Meant for the frozen application on an office laptop as much as for a checkout: every check
exercises a library the application depends on through the application's own code (its data
files, shared libraries and plug-ins are exactly what a frozen build forgets), in a temporary
folder that is removed afterwards. The user's data folder is never touched.

A check is a function of a scratch folder that returns a short detail in Indonesian or raises;
:func:`run_selftest` runs each in turn, catches everything (a self-test that crashes tells
nothing), and reports one line per check: ``[OK] …`` or ``[GAGAL] … (reason)``. The Qt check
lives in ``gui/`` (this layer never imports Qt) and is added by the command line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from nonasn_desktop.errors import UserError

if TYPE_CHECKING:
    from nonasn_desktop.accounts.authz import Actor
    from nonasn_desktop.core.context import AppContext

log = logging.getLogger(__name__)

Check = Callable[[Path], str]
OK_MARK = "[OK]"
FAILED_MARK = "[GAGAL]"
OFFICE_CODE = "3273"
OFFICE_NAME = "BKD Uji Mandiri"
# The admin of the scratch office the card is printed in (a throw-away folder).
SCRATCH_ADMIN = ("uji.mandiri", "UjiMandiri2026")
# A fixed reference date: the checks must not depend on today's date.
TODAY = dt.date(2026, 1, 5)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    # On success a short detail ("skema 0003_…"), on failure the reason.
    detail: str
    seconds: float = 0.0

    def line(self) -> str:
        if self.ok:
            return f"{OK_MARK} {self.name}" + (f" — {self.detail}" if self.detail else "")
        return f"{FAILED_MARK} {self.name} ({self.detail})"


@dataclass
class SelfTestReport:
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    @property
    def failed(self) -> list[CheckResult]:
        return [result for result in self.results if not result.ok]

    def summary(self) -> str:
        if self.ok:
            return f"Semua {len(self.results)} pemeriksaan berhasil."
        names = ", ".join(result.name for result in self.failed)
        return f"{len(self.failed)} dari {len(self.results)} pemeriksaan gagal: {names}."


class SelfTestError(Exception):
    """A check found something wrong (the message says what, in Indonesian)."""


def _expect(condition: bool, problem: str) -> None:
    if not condition:
        raise SelfTestError(problem)


# -- the checks ------------------------------------------------------------------------------


def check_policy(_scratch: Path) -> str:
    from nonasn_desktop.policy import default_policy

    policy = default_policy()
    _expect(len(policy.steps) == 24, f"forms/ berisi {len(policy.steps)} langkah, bukan 24")
    return f"forms/ terbaca, {len(policy.steps)} langkah"


def check_database(scratch: Path) -> str:
    """A new data folder: database created and every migration applied, then sound."""
    from nonasn_desktop.office.identity import initialise
    from nonasn_desktop.startup import open_app
    from nonasn_desktop.storage.database import Database
    from nonasn_desktop.storage.upgrade import integrity_problems

    with open_app(scratch / "data", create=True) as ctx:
        revision = ctx.db.current_revision()
        head = Database.head_revision()
        _expect(revision == head, f"skema {revision}, seharusnya {head}")
        initialise(ctx, office_code=OFFICE_CODE, office_name=OFFICE_NAME)
        path = ctx.data_dir.database_path
    connection = sqlite3.connect(path)
    try:
        problems = integrity_problems(connection)
    finally:
        connection.close()
    _expect(not problems, "pemeriksaan keutuhan gagal: " + "; ".join(problems[:3]))
    return f"dibuat dan dimigrasi ke skema {revision}, SQLite {sqlite3.sqlite_version}"


def check_encryption(scratch: Path) -> str:
    """A data folder encrypted at rest as `nonasn init` makes it: SQLCipher (the native library
    inside the sqlcipher3 wheel), an encrypted document, and the folder opened again with the
    admin's key slot."""
    from nonasn_desktop.startup import encrypt_new_folder, open_app, unlock
    from nonasn_desktop.storage import cipher

    folder = scratch / "terenkripsi"
    with open_app(folder, create=True) as ctx:
        _scratch_admin(ctx)
        path = ctx.data_dir.database_path
    encrypt_new_folder(folder, *SCRATCH_ADMIN)
    _expect(not cipher.is_plain_sqlite(path), "basis data masih terbaca tanpa kunci")
    unlocked = unlock(folder, *SCRATCH_ADMIN)
    _expect(unlocked.key is not None, "slot kunci admin tidak terbuka")
    with open_app(folder, key=unlocked.key) as ctx:
        sha = ctx.blobs.put(b"%PDF-1.4 uji mandiri")
        _expect(ctx.blobs.get(sha) == b"%PDF-1.4 uji mandiri", "dokumen terenkripsi tidak terbaca")
    return "SQLCipher, dokumen terenkripsi dan slot kunci admin"


def _scratch_admin(ctx: AppContext) -> Actor:
    """The office of a scratch folder set up, and its admin signed in: the checks do their
    work as a clerk would, through the same checks of who may."""
    from nonasn_desktop.accounts.users import authenticate
    from nonasn_desktop.office.identity import initialise

    initialise(ctx, office_code=OFFICE_CODE, office_name=OFFICE_NAME, admin=SCRATCH_ADMIN)
    return authenticate(ctx, *SCRATCH_ADMIN).actor


def check_backup(scratch: Path) -> str:
    """A backup archive of a small data folder, written and verified."""
    from nonasn_desktop.backup import archive as backup
    from nonasn_desktop.backup import verify as backup_verify
    from nonasn_desktop.startup import open_app

    with open_app(scratch / "data", create=True) as ctx:
        actor = _scratch_admin(ctx)
        ctx.blobs.put(b"dokumen uji")
        info = backup.create_backup(ctx, scratch / "cadangan.zip", actor=actor)
    verified = backup_verify.verify_backup(info.path)
    _expect(verified.documents == 1, f"{verified.documents} dokumen di cadangan, bukan 1")
    return "arsip ZIP dibuat dan diperiksa"


def check_passwords(_scratch: Path) -> str:
    from nonasn_desktop.crypto.passwords import hash_secret, verify_secret

    stored = hash_secret("Uji-Mandiri-2022")
    _expect(verify_secret(stored, "Uji-Mandiri-2022"), "kata sandi yang benar ditolak")
    _expect(not verify_secret(stored, "salah"), "kata sandi yang salah diterima")
    return "argon2id"


def check_identity(_scratch: Path) -> str:
    """NIK (python-stdnum, region table) and mobile numbers (phonenumbers metadata)."""
    from nonasn_desktop.rules.identity import normalise_phone, parse_kk, parse_nik

    info = parse_nik("3273015708850003", today=TODAY)
    _expect(info.birth_date == dt.date(1985, 8, 17), f"tanggal lahir NIK terbaca {info.birth_date}")
    _expect(parse_kk("3273010101150004") == "3273010101150004", "nomor KK tidak terbaca")
    phone = normalise_phone("0812-3456-7890")
    _expect(phone == "+6281234567890", f"nomor HP menjadi {phone}")
    return "NIK, nomor KK dan nomor HP"


def check_jpeg(_scratch: Path) -> str:
    from nonasn_desktop.demo.documents import make_sample_document
    from nonasn_desktop.rules.documents import check_document

    data, _name = make_sample_document("ktp", seed=1)
    result = check_document("ktp", data)
    _expect(result.passed, "contoh KTP tidak lolos: " + "; ".join(str(f) for f in result.findings))
    return f"contoh KTP {len(data) // 1024} KB lolos pemeriksaan"


def check_pdf_card(scratch: Path) -> str:
    """A real registration walked through the flow, its account card printed and rendered."""
    from nonasn_desktop.demo import generate as demo
    from nonasn_desktop.printing import printouts
    from nonasn_desktop.printing.pages import PdfPages
    from nonasn_desktop.registration import store as registrations
    from nonasn_desktop.rules.status import RecordStatus
    from nonasn_desktop.startup import open_app

    with open_app(scratch / "kartu", create=True) as ctx:
        actor = _scratch_admin(ctx)
        demo.generate(ctx, 1, RecordStatus.PENDAFTARAN_SELESAI, actor=actor, seed=1)
        counts = registrations.count_by_status(ctx)
        _expect(counts[RecordStatus.PENDAFTARAN_SELESAI] == 1, "pendaftaran contoh tidak selesai")
        pdf = printouts.account_card_pdf(ctx, 1, actor=actor)
    # PDFium (pypdfium2's shared library), as used for previews and printing.
    with PdfPages(pdf) as document:
        pages = document.count
        _expect(pages >= 1, "PDF tanpa halaman")
        image = document.render(0, dpi=36)
    # A grey image has one band: its extrema are (darkest, lightest).
    darkest, _lightest = cast("tuple[int, int]", image.convert("L").getextrema())
    _expect(darkest < 128, "halaman PDF kosong (tidak ada tulisan yang tergambar)")
    return f"{pages} halaman, {len(pdf) // 1024} KB, tergambar {image.width}×{image.height}"


def check_xlsx(scratch: Path) -> str:
    import openpyxl

    path = scratch / "uji.xlsx"
    rows = [
        ("NIK", "Nama", "TMT", "Honorarium"),
        ("3273015708850003", "SITI AISYAH", TODAY, 1500000),
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    book.close()
    read = openpyxl.load_workbook(path, read_only=True)
    try:
        values = [tuple(cell for cell in row) for row in read.active.iter_rows(values_only=True)]
    finally:
        read.close()
    _expect(values[0] == rows[0], f"judul kolom terbaca {values[0]}")
    nik, name, tmt, pay = values[1]
    _expect((nik, name, pay) == ("3273015708850003", "SITI AISYAH", 1500000), f"baris {values[1]}")
    _expect(isinstance(tmt, dt.datetime) and tmt.date() == TODAY, f"tanggal terbaca {tmt!r}")
    return "ditulis dan dibaca kembali"


def check_signature(_scratch: Path) -> str:
    """Ed25519 (minisign format) signing and verification, and a tampered file refused."""
    from nonasn_desktop.crypto.errors import SignatureError
    from nonasn_desktop.crypto.minisign import SecretKey, verify_digest

    key = SecretKey.generate()
    public = key.public_key()
    content = b"batch uji mandiri"
    digest = hashlib.blake2b(content).digest()
    signature = key.sign_digest(digest, trusted_comment="uji mandiri")
    verify_digest(signature, public, digest, name="berkas uji")
    try:
        verify_digest(signature, public, hashlib.blake2b(content + b"!").digest(), name="uji")
    except SignatureError:
        return f"Ed25519, kunci {public.key_id_hex}"
    raise SelfTestError("berkas yang diubah tetap dianggap sah")


def core_checks() -> list[tuple[str, Check]]:
    """Every Qt-free check, in the order they are reported."""
    return [
        ("Berkas kebijakan (forms/)", check_policy),
        ("Basis data (pembuatan dan migrasi)", check_database),
        ("Enkripsi data pribadi (SQLCipher)", check_encryption),
        ("Cadangan (arsip dibuat dan diperiksa)", check_backup),
        ("Kata sandi (argon2)", check_passwords),
        ("Aturan NIK, KK dan nomor HP", check_identity),
        ("Pemeriksaan dokumen JPEG", check_jpeg),
        ("Kartu PDF", check_pdf_card),
        ("Berkas Excel xlsx (tulis dan baca)", check_xlsx),
        ("Tanda tangan digital (Ed25519)", check_signature),
    ]


MAX_REASON = 300


def _reason(exc: BaseException) -> str:
    """One short line: the message of a known error, else the exception's type and message."""
    if isinstance(exc, UserError | SelfTestError):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def run_selftest(
    checks: Sequence[tuple[str, Check]],
    *,
    on_result: Callable[[CheckResult], None] | None = None,
) -> SelfTestReport:
    """Run ``checks`` in turn, each in a scratch folder of its own; never raises for a check."""
    report = SelfTestReport()
    with tempfile.TemporaryDirectory(prefix="nonasn-uji-") as scratch_root:
        for index, (name, check) in enumerate(checks):
            scratch = Path(scratch_root) / f"{index:02d}"
            scratch.mkdir()
            started = time.perf_counter()
            try:
                detail = check(scratch)
                result = CheckResult(name, True, detail, time.perf_counter() - started)
            except Exception as exc:
                log.exception("self-test check %r failed", name)
                result = CheckResult(name, False, _reason(exc), time.perf_counter() - started)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            report.results.append(result)
            if on_result is not None:
                on_result(result)
    return report
