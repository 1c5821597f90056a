"""Initial schema: office, settings, clerks, roster, registrations, documents, audit log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22

Frozen copy of the models at this revision (types and enum values are spelled out, not
imported, so later model changes cannot alter what this revision does). The audit log is made
append-only by two triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("operator", "verifikator", "admin")
STATUSES = (
    "draf",
    "akun_dibuat",
    "pendaftaran_selesai",
    "disetujui",
    "perlu_perbaikan",
    "ditolak",
    "diekspor",
)

# Shown when anything tries to change or remove an audit entry.
AUDIT_APPEND_ONLY = "log audit hanya dapat ditambah; perubahan dan penghapusan ditolak"


def _sql_list(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _audit_triggers() -> None:
    # SQLite is the only supported database; other dialects would need their own trigger syntax.
    if op.get_bind().dialect.name != "sqlite":
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{AUDIT_APPEND_ONLY}'); END"
        )


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_index(
        "ix_audit_log_entity_entity_id", "audit_log", ["entity", "entity_id"], unique=False
    )
    op.create_table(
        "batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_uuid", sa.String(length=36), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch")),
        sa.UniqueConstraint("batch_uuid", name=op.f("uq_batch_batch_uuid")),
        sa.UniqueConstraint("sequence", name=op.f("uq_batch_sequence")),
    )
    op.create_table(
        "clerk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"role IN ({_sql_list(ROLES)})", name=op.f("ck_clerk_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clerk")),
        sa.UniqueConstraint("username", name=op.f("uq_clerk_username")),
    )
    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("instansi_name", sa.String(length=150), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_office_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
    )
    op.create_table(
        "roster_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("nama", sa.String(length=100), nullable=False),
        sa.Column("nomor_thk2", sa.String(length=30), nullable=True),
        sa.Column("tempat_lahir", sa.String(length=60), nullable=True),
        sa.Column("tanggal_lahir", sa.Date(), nullable=True),
        sa.Column("jenis_kelamin", sa.String(length=1), nullable=True),
        sa.Column("pendidikan_jenjang", sa.String(length=10), nullable=True),
        sa.Column("nama_sekolah", sa.String(length=150), nullable=True),
        sa.Column("jurusan", sa.String(length=150), nullable=True),
        sa.Column("nomor_ijazah", sa.String(length=60), nullable=True),
        sa.Column("tanggal_ijazah", sa.Date(), nullable=True),
        sa.Column("nomor_sk", sa.String(length=100), nullable=True),
        sa.Column("tanggal_sk", sa.Date(), nullable=True),
        sa.Column("tmt", sa.Date(), nullable=True),
        sa.Column("tanggal_selesai", sa.Date(), nullable=True),
        sa.Column("jabatan", sa.String(length=150), nullable=True),
        sa.Column("unit_kerja", sa.String(length=150), nullable=True),
        sa.Column("pejabat_penandatangan", sa.String(length=40), nullable=True),
        sa.Column("sumber_gaji", sa.String(length=40), nullable=True),
        sa.Column("gaji_bulanan", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.CheckConstraint("length(nik) = 16", name=op.f("ck_roster_entry_nik_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_entry")),
        sa.UniqueConstraint("nik", name=op.f("uq_roster_entry_nik")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=True),
        sa.Column("roster_entry_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(length=32), nullable=True),
        sa.Column("nomor_kk", sa.String(length=16), nullable=True),
        sa.Column("nama", sa.String(length=100), nullable=True),
        sa.Column("nama_search", sa.String(length=100), nullable=True),
        sa.Column("tempat_lahir", sa.String(length=60), nullable=True),
        sa.Column("tanggal_lahir", sa.Date(), nullable=True),
        sa.Column("jenis_kelamin", sa.String(length=1), nullable=True),
        sa.Column("nomor_hp", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("nomor_thk2", sa.String(length=30), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("pertanyaan_pengaman", sa.String(length=40), nullable=True),
        sa.Column("jawaban_pengaman_hash", sa.Text(), nullable=True),
        sa.Column("agama", sa.String(length=20), nullable=True),
        sa.Column("status_perkawinan", sa.String(length=20), nullable=True),
        sa.Column("alamat", sa.String(length=300), nullable=True),
        sa.Column("pendidikan_jenjang", sa.String(length=10), nullable=True),
        sa.Column("nama_sekolah", sa.String(length=150), nullable=True),
        sa.Column("jurusan", sa.String(length=150), nullable=True),
        sa.Column("nomor_ijazah", sa.String(length=60), nullable=True),
        sa.Column("tanggal_ijazah", sa.Date(), nullable=True),
        sa.Column("masih_aktif", sa.Boolean(), nullable=True),
        sa.Column("bentuk_sk", sa.String(length=40), nullable=True),
        sa.Column("declaration_at", sa.DateTime(), nullable=True),
        sa.Column("eligible", sa.Boolean(), nullable=True),
        sa.Column("failed_criteria", sa.String(length=40), nullable=True),
        sa.Column("eligibility_detail", sa.Text(), nullable=True),
        sa.Column("draft", sa.Text(), nullable=False),
        sa.Column("unit_kerja", sa.String(length=150), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("account_created_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("locked_by", sa.Integer(), nullable=True),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("correction_fields", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "current_step BETWEEN 1 AND 24", name=op.f("ck_registration_current_step_range")
        ),
        sa.CheckConstraint("length(nik) = 16", name=op.f("ck_registration_nik_length")),
        sa.CheckConstraint(
            f"status IN ({_sql_list(STATUSES)})", name=op.f("ck_registration_status")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_registration_batch_id_batch")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["clerk.id"], name=op.f("fk_registration_created_by_clerk")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["clerk.id"], name=op.f("fk_registration_decided_by_clerk")
        ),
        sa.ForeignKeyConstraint(
            ["locked_by"], ["clerk.id"], name=op.f("fk_registration_locked_by_clerk")
        ),
        sa.ForeignKeyConstraint(
            ["roster_entry_id"],
            ["roster_entry.id"],
            name=op.f("fk_registration_roster_entry_id_roster_entry"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["clerk.id"], name=op.f("fk_registration_updated_by_clerk")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
        sa.UniqueConstraint("account_number", name=op.f("uq_registration_account_number")),
        sa.UniqueConstraint("nik", name=op.f("uq_registration_nik")),
    )
    op.create_index("ix_registration_nama", "registration", ["nama"], unique=False)
    op.create_index("ix_registration_nama_search", "registration", ["nama_search"], unique=False)
    op.create_index("ix_registration_status", "registration", ["status"], unique=False)
    op.create_index("ix_registration_unit_kerja", "registration", ["unit_kerja"], unique=False)
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("variant", sa.String(length=40), nullable=True),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("check_passed", sa.Boolean(), nullable=False),
        sa.Column("check_results", sa.Text(), nullable=True),
        sa.Column("is_compliant_copy", sa.Boolean(), nullable=False),
        sa.Column("source_document_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_document_sha256_length")),
        sa.CheckConstraint("size >= 0", name=op.f("ck_document_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["clerk.id"], name=op.f("fk_document_created_by_clerk")
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_document_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_document_id"],
            ["document.id"],
            name=op.f("fk_document_source_document_id_document"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    op.create_index(
        "ix_document_registration_id_kind", "document", ["registration_id", "kind"], unique=False
    )
    op.create_index("ix_document_sha256", "document", ["sha256"], unique=False)
    op.create_table(
        "work_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("unit_kerja", sa.String(length=150), nullable=True),
        sa.Column("jabatan", sa.String(length=150), nullable=True),
        sa.Column("nomor_sk", sa.String(length=100), nullable=True),
        sa.Column("tanggal_sk", sa.Date(), nullable=True),
        sa.Column("tmt", sa.Date(), nullable=True),
        sa.Column("tanggal_selesai", sa.Date(), nullable=True),
        sa.Column("pejabat_penandatangan", sa.String(length=40), nullable=True),
        sa.Column("sumber_gaji", sa.String(length=40), nullable=True),
        sa.Column("melalui_pengadaan", sa.Boolean(), nullable=True),
        sa.Column("gaji_bulanan", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_work_history_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_history")),
        sa.UniqueConstraint(
            "registration_id", "seq", name=op.f("uq_work_history_registration_id_seq")
        ),
    )
    _audit_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    op.drop_table("work_history")
    op.drop_index("ix_document_sha256", table_name="document")
    op.drop_index("ix_document_registration_id_kind", table_name="document")
    op.drop_table("document")
    op.drop_index("ix_registration_unit_kerja", table_name="registration")
    op.drop_index("ix_registration_status", table_name="registration")
    op.drop_index("ix_registration_nama_search", table_name="registration")
    op.drop_index("ix_registration_nama", table_name="registration")
    op.drop_table("registration")
    op.drop_table("setting")
    op.drop_table("roster_entry")
    op.drop_table("office")
    op.drop_table("clerk")
    op.drop_table("batch")
    op.drop_index("ix_audit_log_entity_entity_id", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
