"""Keeping documents: pass, fixable, refused; the compliant copy and its original."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from helpers.accounts import actor_for
from helpers.files import colour_jpeg, grey_scan_rgb_jpeg, jpeg_of_size, truncated
from nonasn_desktop.core import audit
from nonasn_desktop.errors import DocumentError, NotFoundError
from nonasn_desktop.flow.state import RegistrationState
from nonasn_desktop.registration import documents
from nonasn_desktop.registration.store import SqlFlowStore

if TYPE_CHECKING:
    from pathlib import Path

    from nonasn_desktop.core.context import AppContext


@pytest.fixture
def registration(app_ctx: AppContext) -> int:
    return SqlFlowStore(app_ctx, actor=actor_for(app_ctx)).save_draft(RegistrationState())


def test_a_passing_file_becomes_the_active_document(app_ctx: AppContext, registration: int) -> None:
    data = colour_jpeg(600, 400)
    upload = documents.offer_bytes(
        app_ctx, registration, "ktp", data, "ktp.jpg", actor=actor_for(app_ctx)
    )
    assert upload.passed
    assert upload.ref is not None
    assert upload.ref.passed
    assert (
        documents.document_bytes(app_ctx, upload.ref.document_id, actor=actor_for(app_ctx)) == data
    )
    (kept,) = documents.documents_of(app_ctx, registration, actor=actor_for(app_ctx))
    assert (kept.kind, kept.original_name, kept.size) == ("ktp", "ktp.jpg", len(data))
    assert kept.media_type == "image/jpeg"
    assert all(ok for ok, _ in kept.findings)
    assert audit.history(app_ctx, "registration", registration)[-1].action == "document.upload"


def test_a_new_upload_replaces_the_old_one_which_stays_on_record(
    app_ctx: AppContext, registration: int
) -> None:
    first = documents.offer_bytes(
        app_ctx,
        registration,
        "ktp",
        colour_jpeg(600, 400, seed=1),
        "a.jpg",
        actor=actor_for(app_ctx),
    )
    second = documents.offer_bytes(
        app_ctx,
        registration,
        "ktp",
        colour_jpeg(600, 400, seed=2),
        "b.jpg",
        actor=actor_for(app_ctx),
    )
    active = documents.documents_of(app_ctx, registration, actor=actor_for(app_ctx))
    assert [d.original_name for d in active] == ["b.jpg"]
    everything = documents.documents_of(
        app_ctx, registration, active_only=False, actor=actor_for(app_ctx)
    )
    assert {d.id for d in everything} == {first.document_id, second.document_id}


def test_a_refused_file_is_not_kept(app_ctx: AppContext, registration: int) -> None:
    grey = documents.offer_bytes(
        app_ctx, registration, "ktp", grey_scan_rgb_jpeg(), "abu.jpg", actor=actor_for(app_ctx)
    )
    assert not grey.passed
    assert not grey.fixable
    assert grey.document_id is None
    broken = documents.offer_bytes(
        app_ctx,
        registration,
        "ktp",
        truncated(colour_jpeg(600, 400)),
        "x.jpg",
        actor=actor_for(app_ctx),
    )
    assert broken.document_id is None
    assert (
        documents.documents_of(app_ctx, registration, active_only=False, actor=actor_for(app_ctx))
        == []
    )


def test_a_large_scan_is_fixed_and_the_original_kept(
    app_ctx: AppContext, registration: int
) -> None:
    original = jpeg_of_size(230 * 1024, width=1200, height=800)
    upload = documents.offer_bytes(
        app_ctx, registration, "ktp", original, "ktp_besar.jpg", actor=actor_for(app_ctx)
    )
    assert not upload.passed
    assert upload.fixable
    assert upload.ref is None
    assert upload.document_id is not None
    copy = documents.preview_compliant_copy(app_ctx, upload.document_id, actor=actor_for(app_ctx))
    assert copy.check.passed
    assert len(copy.data) <= 200 * 1024
    fixed = documents.accept_compliant_copy(
        app_ctx, upload.document_id, copy, actor=actor_for(app_ctx)
    )
    assert fixed.ref is not None
    (active,) = documents.documents_of(app_ctx, registration, actor=actor_for(app_ctx))
    assert active.is_compliant_copy
    assert active.source_document_id == upload.document_id
    assert active.original_name == "ktp_besar_diperbaiki.jpg"
    assert (
        documents.document_bytes(app_ctx, upload.document_id, actor=actor_for(app_ctx)) == original
    )


def test_offering_a_file_from_disk(app_ctx: AppContext, registration: int, tmp_path: Path) -> None:
    path = tmp_path / "ktp.jpeg"
    path.write_bytes(colour_jpeg(640, 400))
    upload = documents.offer_file(app_ctx, registration, "ktp", path, actor=actor_for(app_ctx))
    assert upload.passed
    with pytest.raises(DocumentError):
        documents.offer_file(
            app_ctx, registration, "ktp", tmp_path / "hilang.jpg", actor=actor_for(app_ctx)
        )


def test_unknown_document(app_ctx: AppContext) -> None:
    with pytest.raises(NotFoundError):
        documents.document_bytes(app_ctx, 404, actor=actor_for(app_ctx))
