"""Documents of a registration: check, keep, fix, read.

A file the honorer brings is checked before anything is kept. A file that passes is stored
(content-addressed, see :mod:`nonasn_desktop.storage.blobs`) and becomes the active document
of its kind. A file that fails only on size, format or orientation is kept too, inactive, so
the compliant copy can be made from it and the original stays on record, untouched; the copy
points at it. A file that fails otherwise is not kept: the clerk gets the reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nonasn_desktop.accounts.authz import Actor, require
from nonasn_desktop.core import audit
from nonasn_desktop.core.context import AppContext, use_session
from nonasn_desktop.errors import AuthError, DocumentError, NotFoundError
from nonasn_desktop.flow.state import FINISHED_STATUSES, DocumentRef
from nonasn_desktop.rules.compliant_copy import CompliantCopy, make_compliant_copy
from nonasn_desktop.rules.documents import DocumentCheck, check_document, check_document_file
from nonasn_desktop.rules.permissions import Permission
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.storage import jsontext
from nonasn_desktop.storage.models import Document, Registration


@dataclass(frozen=True)
class Upload:
    """The outcome of offering one file for a document kind."""

    check: DocumentCheck
    # Set when the file passed: what the flow attaches.
    ref: DocumentRef | None
    # Set when the file was kept (passed, or fixable): its document id.
    document_id: int | None

    @property
    def passed(self) -> bool:
        return self.check.passed

    @property
    def fixable(self) -> bool:
        return self.check.fixable and self.document_id is not None


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    registration_id: int
    kind: str
    variant: str | None
    original_name: str
    size: int
    media_type: str
    sha256: str
    passed: bool
    active: bool
    is_compliant_copy: bool
    source_document_id: int | None
    findings: tuple[tuple[bool, str], ...]


def _findings_json(check: DocumentCheck) -> str:
    return jsontext.dumps(
        [
            {"code": f.code, "ok": f.ok, "message": f.message, "fixable": f.fixable}
            for f in check.findings
        ]
    )


def _info(row: Document) -> DocumentInfo:
    findings = jsontext.loads(row.check_results) or []
    return DocumentInfo(
        id=row.id,
        registration_id=row.registration_id,
        kind=row.kind,
        variant=row.variant,
        original_name=row.original_name,
        size=row.size,
        media_type=row.media_type,
        sha256=row.sha256,
        passed=row.check_passed,
        active=row.active,
        is_compliant_copy=row.is_compliant_copy,
        source_document_id=row.source_document_id,
        findings=tuple((bool(f["ok"]), str(f["message"])) for f in findings),
    )


def _ref(row: Document) -> DocumentRef:
    return DocumentRef(
        kind=row.kind,
        document_id=row.id,
        sha256=row.sha256,
        original_name=row.original_name,
        passed=row.check_passed,
        variant=row.variant,
    )


def _registration(session: Session, registration_id: int) -> Registration:
    row = session.get(Registration, registration_id)
    if row is None:
        raise NotFoundError(f"Pendaftaran nomor {registration_id} tidak ditemukan.")
    return row


def _keep(
    ctx: AppContext,
    session: Session,
    *,
    registration_id: int,
    kind: str,
    data: bytes,
    original_name: str,
    check: DocumentCheck,
    actor: Actor,
    variant: str | None,
    source_document_id: int | None = None,
) -> Document:
    require(session, ctx, actor, Permission.REGISTRATION_EDIT)
    status = RecordStatus(_registration(session, registration_id).status)
    if status in FINISHED_STATUSES:
        raise AuthError(
            f"Dokumen pendaftaran berstatus {status.label} tidak dapat diubah lagi.",
            hint="Data yang sudah diakhiri hanya dapat diubah setelah verifikator "
            "mengembalikannya untuk diperbaiki (Perlu Perbaikan).",
        )
    # In the record's transaction: with the office database as store, bytes and row commit together.
    sha = ctx.blobs.put(data, session=session)
    if check.passed:
        # The new file replaces the kind's active document; the old one stays on record.
        session.execute(
            update(Document)
            .where(
                Document.registration_id == registration_id,
                Document.kind == kind,
                Document.active.is_(True),
            )
            .values(active=False)
        )
    now = ctx.now()
    row = Document(
        registration_id=registration_id,
        kind=kind,
        variant=variant,
        original_name=original_name[:255],
        size=len(data),
        media_type=check.media_type or "application/octet-stream",
        sha256=sha,
        check_passed=check.passed,
        check_results=_findings_json(check),
        is_compliant_copy=source_document_id is not None,
        source_document_id=source_document_id,
        active=check.passed,
        created_at=now,
        created_by=actor.clerk_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="document.compliant_copy" if source_document_id else "document.upload",
        entity="registration",
        entity_id=registration_id,
        changes={f"dokumen_{kind}": (None, f"{original_name} ({sha[:12]})")},
        reason=None if check.passed else "disimpan untuk dibuatkan salinan yang memenuhi syarat",
        at=now,
    )
    return row


def offer_bytes(
    ctx: AppContext,
    registration_id: int,
    kind: str,
    data: bytes,
    original_name: str,
    *,
    actor: Actor,
    variant: str | None = None,
    session: Session | None = None,
    check: DocumentCheck | None = None,
) -> Upload:
    """Check ``data`` as a document of ``kind`` and keep it when it passes or can be fixed.

    ``check`` may be given when the same bytes were just checked (the demo generator reuses
    one check for many records); it must be the check of exactly these bytes.
    """
    with use_session(ctx, session) as active:
        require(active, ctx, actor, Permission.REGISTRATION_EDIT)
    result = check if check is not None else check_document(kind, data, policy=ctx.policy)
    if not (result.passed or result.fixable):
        return Upload(result, None, None)
    with use_session(ctx, session) as active:
        row = _keep(
            ctx,
            active,
            registration_id=registration_id,
            kind=kind,
            data=data,
            original_name=original_name,
            check=result,
            actor=actor,
            variant=variant,
        )
        return Upload(result, _ref(row) if result.passed else None, row.id)


def offer_file(
    ctx: AppContext,
    registration_id: int,
    kind: str,
    path: Path,
    *,
    actor: Actor,
    variant: str | None = None,
) -> Upload:
    """:func:`offer_bytes` for a file on disk; an enormous file is refused unread."""
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.REGISTRATION_EDIT)
    check = check_document_file(kind, path, policy=ctx.policy)
    if not (check.passed or check.fixable):
        return Upload(check, None, None)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"Berkas {path.name} tidak dapat dibaca: {exc.strerror}.",
            hint="Salin berkas itu ke komputer ini lalu pilih lagi.",
        ) from None
    return offer_bytes(
        ctx,
        registration_id,
        kind,
        data,
        path.name,
        actor=actor,
        variant=variant,
        check=check if len(data) == check.size else None,
    )


def _document(session: Session, document_id: int) -> Document:
    row = session.get(Document, document_id)
    if row is None:
        raise NotFoundError(f"Dokumen nomor {document_id} tidak ditemukan.")
    return row


def preview_compliant_copy(ctx: AppContext, document_id: int, *, actor: Actor) -> CompliantCopy:
    """Make (but do not keep) the compliant copy of a kept original, for the clerk to see."""
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.REGISTRATION_EDIT)
        row = _document(session, document_id)
        kind, sha, name = row.kind, row.sha256, row.original_name
    return make_compliant_copy(kind, ctx.blobs.get(sha, name=name), policy=ctx.policy)


def accept_compliant_copy(
    ctx: AppContext, document_id: int, copy: CompliantCopy, *, actor: Actor
) -> Upload:
    """Keep the copy the clerk saw as the active document; the original stays untouched."""
    if not copy.check.passed:
        raise DocumentError("Salinan ini belum memenuhi ketentuan dan tidak dapat dipakai.")
    with ctx.db.session() as session:
        original = _document(session, document_id)
        stem = Path(original.original_name).stem or original.kind
        row = _keep(
            ctx,
            session,
            registration_id=original.registration_id,
            kind=original.kind,
            data=copy.data,
            original_name=f"{stem}_diperbaiki.jpg",
            check=copy.check,
            actor=actor,
            variant=original.variant,
            source_document_id=original.id,
        )
        return Upload(copy.check, _ref(row), row.id)


def document_bytes(ctx: AppContext, document_id: int, *, actor: Actor) -> bytes:
    """The content of a document, verified against its SHA-256."""
    with ctx.db.session() as session:
        require(session, ctx, actor, Permission.DOCUMENT_READ)
        row = _document(session, document_id)
        sha, name = row.sha256, row.original_name
    return ctx.blobs.get(sha, name=name)


def documents_of(
    ctx: AppContext,
    registration_id: int,
    *,
    actor: Actor,
    active_only: bool = True,
    session: Session | None = None,
) -> Sequence[DocumentInfo]:
    """The documents kept for a record (their names, checks and hashes, not their bytes)."""
    query = select(Document).where(Document.registration_id == registration_id)
    if active_only:
        query = query.where(Document.active.is_(True))
    with use_session(ctx, session) as active:
        require(active, ctx, actor, Permission.DOCUMENT_READ)
        return [_info(row) for row in active.scalars(query.order_by(Document.id))]
