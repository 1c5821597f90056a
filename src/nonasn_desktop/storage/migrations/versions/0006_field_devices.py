"""Field laptops: enrolled devices, their transfers, record identities, flagged NIK conflicts.

Revision ID: 0006_field_devices
Revises: 0005_record_list_postgres
Create Date: 2026-12-05

- ``device``: the office's enrolled field laptops (code used in account numbers, public key
  and key id of the device's own signing key, its age recipient, enrolment and revocation, the
  last transfer imported from it and the last refresh sent to it).
- ``device_transfer``: every transfer file imported, by (device, sequence), with the SHA-256 of
  its manifest: the same file again adds nothing; another file under a known sequence is
  refused.
- ``registration.uid``: a UUID4 text made when a record is first saved (also for every
  existing row here), so the office tells "the same record again" from "another record".
- ``registration.nik_conflict`` / ``conflict_nik`` / ``nik_conflict_with``: a NIK registered
  twice (at the office and on a device, or on two devices) keeps both records, flagged, each
  pointing at the other. The record that arrived second keeps the NIK in ``conflict_nik`` (and
  in its draft), so ``nik`` stays unique without rebuilding the table (see below).
- ``registration.source_updated_at``: the device's own time of the version last merged from a
  transfer; ``registration.returned_to_device``: the device a record was sent back to for
  correction.
- ``audit_log.origin_ref``: "<device>:<id>" of an audit entry merged from a transfer (unique),
  so a transfer imported twice does not duplicate the trail. Adding nullable columns keeps the
  audit log's triggers (no table rebuild on SQLite).
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_field_devices"
down_revision: str | None = "0005_record_list_postgres"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_APPEND_ONLY = "log audit hanya dapat ditambah; perubahan dan penghapusan ditolak"


def _registration_uids() -> None:
    bind = op.get_bind()
    registration = sa.table("registration", sa.column("id", sa.Integer), sa.column("uid"))
    ids = list(bind.execute(sa.select(registration.c.id)).scalars())
    for row_id in ids:
        bind.execute(
            registration.update().where(registration.c.id == row_id).values(uid=str(uuid.uuid4()))
        )


def upgrade() -> None:
    op.create_table(
        "device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.Column("enrolled_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("last_sha256", sa.String(length=64), nullable=True),
        sa.Column("refresh_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("code", name=op.f("uq_device_code")),
        sa.UniqueConstraint("key_id", name=op.f("uq_device_key_id")),
        sa.CheckConstraint("last_sequence >= 0", name=op.f("ck_device_last_sequence_range")),
    )
    op.create_table(
        "device_transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_blake2b", sa.String(length=128), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_device_transfer_device_id_device")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_transfer")),
        sa.UniqueConstraint(
            "device_id", "sequence", name=op.f("uq_device_transfer_device_id_sequence")
        ),
    )
    # Only new nullable columns and new indexes: rebuilding ``registration`` on SQLite would
    # drop the old table inside this one transaction, and with foreign keys on that deletes
    # every document and work history row with it (ON DELETE CASCADE).
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("uid", sa.String(length=36), nullable=True))
        # NULL reads as "no conflict": a NOT NULL column would need a default the models
        # would then have to repeat.
        batch.add_column(sa.Column("nik_conflict", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("conflict_nik", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("nik_conflict_with", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("source_updated_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("returned_to_device", sa.String(length=16), nullable=True))
    _registration_uids()
    op.create_index("ix_registration_uid", "registration", ["uid"], unique=True)
    op.create_index("ix_registration_conflict_nik", "registration", ["conflict_nik"])
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("origin_ref", sa.String(length=48), nullable=True))
    op.create_index("ix_audit_log_origin_ref", "audit_log", ["origin_ref"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_audit_log_origin_ref", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("origin_ref")
    if op.get_bind().dialect.name == "sqlite":
        # Dropping a column rebuilds the table on SQLite, and its triggers with it.
        for event in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{event.lower()}")
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{AUDIT_APPEND_ONLY}'); END"
            )
    op.drop_index("ix_registration_conflict_nik", table_name="registration")
    op.drop_index("ix_registration_uid", table_name="registration")
    with op.batch_alter_table("registration") as batch:
        for column in (
            "returned_to_device",
            "source_updated_at",
            "nik_conflict_with",
            "conflict_nik",
            "nik_conflict",
            "uid",
        ):
            batch.drop_column(column)
    op.drop_table("device_transfer")
    op.drop_table("device")
