"""The one-time encryption of an existing office's documents, which an admin triggers.

An office database made before the office data key keeps its scans plain in
``document_blob``. An admin runs this once (``nonasn keys encrypt-documents``; the GUI can
call the same function): the office data key is made when the office has none (with the
admin's slot and a recovery slot, whose key is returned to be shown once), then every row
still stored plain is encrypted with it, one short transaction per row, so the other desks keep
working and an interrupted run is simply run again. Rows are read and written by their hash,
so no record changes. Running it again finds nothing left to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from nonasn_desktop.accounts import slots
from nonasn_desktop.accounts.authz import Actor, authorise
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.core.progress import Progress, ProgressStep
from nonasn_desktop.errors import ConflictError
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.storage import officeslots
from nonasn_desktop.storage.docstore import EncryptedDatabaseDocumentStore, PlainRows

PHASE = "Mengenkripsi dokumen kantor"


@dataclass(frozen=True)
class DocumentsEncrypted:
    """What the conversion did; ``recovery_text``: the new recovery key, when the office data
    key was made just now (show it once; it is not kept anywhere)."""

    rows: PlainRows
    recovery_text: str | None


def _office_store(
    ctx: AppContext, actor: Actor, password: str
) -> tuple[EncryptedDatabaseDocumentStore, str | None]:
    if not ctx.db.is_postgresql:
        raise ConflictError(
            "Perintah ini untuk basis data kantor (PostgreSQL); folder data satu meja "
            "dienkripsi saat admin masuk.",
            hint="Tidak ada yang diubah.",
        )
    recovery_text: str | None = None
    if ctx.office_key is None:
        with ctx.db.session() as session:
            has_key = officeslots.exists(session)
        if has_key:
            raise ConflictError(
                "Kunci dokumen kantor belum terbuka untuk akun ini.",
                hint="Minta admin lain yang memegang kunci itu memberi akses dokumen kepada Anda "
                "di mejanya (Admin › Pengguna › Beri Akses Dokumen; Anda mengetik kata sandi "
                "Anda sendiri), masuk lagi, lalu ulangi. Bila lupa kata sandi, minta ia mengatur "
                "ulang kata sandi Anda.",
            )
        recovery_text = slots.create_office_key(ctx, actor=actor, password=password)
    store = ctx.blobs
    assert isinstance(store, EncryptedDatabaseDocumentStore)
    return store, recovery_text


def encrypt_office_documents(
    ctx: AppContext, *, actor: Actor, password: str, progress: Progress | None = None
) -> DocumentsEncrypted:
    """Make the office data key if needed (``password``: the admin's own, for their slot)
    and encrypt every document row still stored plain (admins only)."""
    authorise(ctx, actor, Permission.KEY_MANAGE)
    store, recovery_text = _office_store(ctx, actor, password)

    def on_row(done: int, total: int) -> None:
        if progress is not None:
            progress(ProgressStep(PHASE, done, total))

    rows = store.encrypt_plain_rows(on_row)
    with ctx.db.session() as session:
        audit.record(
            session,
            actor=actor.username,
            action="office.documents_encrypt",
            entity="document_blob",
            entity_id=None,
            reason=f"{rows.encrypted} dokumen dienkripsi, {rows.already} sudah terenkripsi, "
            f"{len(rows.damaged)} rusak dibiarkan",
            at=ctx.now(),
        )
    return DocumentsEncrypted(rows=rows, recovery_text=recovery_text)
