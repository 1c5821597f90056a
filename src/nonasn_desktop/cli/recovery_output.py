"""Showing a data folder's recovery key on the command line (issue 11).

A recovery key is printed once, for an admin to write down (or, with ``--recovery-sheet``,
printed on an A4 sheet for the office safe). A folder encrypted just now also keeps a copy
sealed with its own key until an admin has seen the key (storage.vault): printing it is that
confirmation, and destroys the copy. A copy left by a run that stopped before it printed the
key is printed on standard error to the next admin who runs a command (:func:`show_pending`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import UserError
from nonasn_desktop.printing.recovery_sheet import save_recovery_sheet
from nonasn_desktop.rules.roles import Role
from nonasn_desktop.startup import open_app, pending_recovery_key, recovery_key_seen
from nonasn_desktop.storage.vault import DataKey

WARNING = (
    "PERINGATAN: kunci ini membuka seluruh data pribadi bila semua kata sandi hilang. "
    "Catat atau cetak, simpan di brankas kantor, dan jangan simpan di komputer ini."
)
FOLDER_ENCRYPTED = "Folder data dienkripsi. KUNCI PEMULIHAN (hanya ditampilkan sekali ini):"


def refuse_existing_sheet(sheet: Path | None) -> None:
    """Checked before anything changes: the new key's sheet must not overwrite another file."""
    if sheet is not None and sheet.exists():
        raise UserError(
            f"Berkas {sheet} sudah ada; lembar kunci pemulihan tidak menimpa berkas lain.",
            hint="Sebutkan nama berkas baru dengan --recovery-sheet. Tidak ada yang diubah.",
        )


def write_sheet(ctx: AppContext, recovery_text: str, sheet: Path) -> None:
    save_recovery_sheet(ctx, recovery_text, sheet)
    print(f"Lembar kunci pemulihan ditulis ke {sheet}; cetak lalu hapus berkasnya.")


def show_new_folder_key(
    data_dir: Path, key: DataKey | None, recovery_text: str, sheet: Path | None
) -> None:
    """The recovery key of a folder encrypted just now: printed, its A4 sheet written when
    asked; then the copy kept until an admin saw it is destroyed (a failure on the way leaves
    it, and the next admin command prints it again)."""
    print(FOLDER_ENCRYPTED)
    print(f"    {recovery_text}")
    print(WARNING)
    if sheet is not None:
        with open_app(data_dir, key=key) as ctx:
            write_sheet(ctx, recovery_text, sheet)
    recovery_key_seen(data_dir)


def show_pending(ctx: AppContext, role: Role) -> None:
    """An admin signed in to a folder whose recovery key nobody has seen yet (the run that
    encrypted it stopped first): the key is printed once, on standard error so that what the
    command itself prints stays as it was, and the kept copy destroyed."""
    recovery_text = pending_recovery_key(ctx, role)
    if recovery_text is None:
        return
    print(
        "PERHATIAN: kunci pemulihan folder data ini belum pernah ditampilkan (proses yang "
        "mengenkripsinya terhenti lebih dulu). KUNCI PEMULIHAN (hanya ditampilkan sekali ini):",
        file=sys.stderr,
    )
    print(f"    {recovery_text}", file=sys.stderr)
    print(WARNING, file=sys.stderr)
    print(
        "Untuk lembar A4 siap cetak, buat kunci baru: nonasn recover --new-key "
        "--recovery-sheet FILE.pdf",
        file=sys.stderr,
    )
    recovery_key_seen(ctx.data_dir.path)
