"""What the verval screen shows: the queue, one record in full, the correction choices."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.accounts import actor_for
from helpers.batches import clone, prepared_data_folder
from nonasn_desktop.core.context import AppContext
from nonasn_desktop.errors import NotFoundError
from nonasn_desktop.policy import default_policy
from nonasn_desktop.rules.status import RecordStatus
from nonasn_desktop.verval import review as verval_review
from nonasn_desktop.verval.decisions import decide
from nonasn_desktop.verval.review import format_value


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepared_data_folder(tmp_path_factory.mktemp("verval"), approved=1, others=3, seed=3)


@pytest.fixture
def ctx(template: Path, tmp_path: Path) -> Iterator[AppContext]:
    opened = clone(template, tmp_path / "data")
    try:
        yield opened
    finally:
        opened.close()


def test_the_queue_holds_finished_records_oldest_first(ctx: AppContext) -> None:
    queue = verval_review.review_queue(ctx, actor=actor_for(ctx))
    assert len(queue) == 3
    stamps = [item.completed_at for item in queue]
    assert stamps == sorted(stamps)  # type: ignore[type-var]
    assert all(item.account_number for item in queue)
    decide(
        ctx,
        queue[0].id,
        RecordStatus.DITOLAK,
        reason="Data ganda di instansi lain.",
        actor=actor_for(ctx),
    )
    assert [item.id for item in verval_review.review_queue(ctx, actor=actor_for(ctx))] == [
        q.id for q in queue[1:]
    ]


def test_a_record_in_full(ctx: AppContext) -> None:
    item = verval_review.review_queue(ctx, actor=actor_for(ctx))[0]
    review = verval_review.load_review(ctx, item.id, actor=actor_for(ctx))
    assert review.status is RecordStatus.PENDAFTARAN_SELESAI
    assert review.nik == item.nik
    titles = [section.title for section in review.sections]
    assert titles[0] == "Pengecekan Identitas (Langkah 1 pembuatan akun)"
    values = {f.key: f.value for section in review.sections for f in section.fields}
    assert values["nama"] == item.nama
    assert values["jenis_kelamin"] in ("Laki-laki", "Perempuan")
    assert re.fullmatch(r"\d\d-\d\d-\d{4}", values["tanggal_lahir"])
    assert values["nomor_hp"].startswith("08")
    # Secrets and the sign-in page are never shown.
    assert not {"kata_sandi", "jawaban_pengaman", "login_kata_sandi", "captcha"} & set(values)
    assert review.work_history
    work = {f.key: f.value for f in review.work_history[0].fields}
    assert work["gaji_bulanan"].startswith("Rp ")
    assert review.work_history[0].title == "SK ke-1"
    assert [c.code for c in review.criteria] == ["E1", "E2", "E3", "E4", "E5"]
    assert review.outcome in ("Memenuhi Syarat (MS)", "Tidak Memenuhi Syarat (TMS)")
    kinds = [d.kind for d in review.documents]
    assert kinds[:2] == ["ktp", "pas_foto"]
    assert set(kinds) == set(default_policy().documents.rules)
    assert all(d.key == f"dokumen_{d.kind}" for d in review.documents)
    sk = next(d for d in review.documents if d.kind == "sk_jabatan")
    assert sk.variant is not None


def test_unknown_record(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError, match="tidak ditemukan"):
        verval_review.load_review(ctx, 9999, actor=actor_for(ctx))


def test_correction_choices_leave_out_the_fixed_identity(ctx: AppContext) -> None:
    keys = [choice.key for choice in verval_review.correction_choices(ctx)]
    assert "nik" not in keys
    assert "nama" not in keys
    assert "dokumen_pas_foto" not in keys
    assert {"nomor_kk", "alamat", "jabatan", "dokumen_ijazah", "dokumen_ktp"} <= set(keys)
    item = verval_review.review_queue(ctx, actor=actor_for(ctx))[0]
    # Every choice is accepted by the decision service.
    decide(
        ctx,
        item.id,
        RecordStatus.PERLU_PERBAIKAN,
        reason="Mohon perbaiki isian yang ditandai.",
        fields=keys,
        actor=actor_for(ctx),
    )


def test_values_are_formatted_the_indonesian_way() -> None:
    fields = default_policy().fields
    assert format_value(fields["tanggal_lahir"], dt.date(1984, 3, 7)) == "07-03-1984"
    assert format_value(fields["gaji_bulanan"], 1500000) == "Rp 1.500.000"
    assert format_value(fields["masih_aktif"], False) == "Tidak"
    assert format_value(fields["nomor_hp"], "+6281234567890") == "0812-3456-7890"
    assert format_value(fields["email"], None) == "-"
    assert format_value(fields["alamat"], "  Jl.  Asia   Afrika ") == "Jl. Asia Afrika"
