"""One office, many desks: the office key and documents in the office database, desk codes.

Revision ID: 0004_office_desks
Revises: 0003_batch_export
Create Date: 2026-12-01

- ``office_key``: the office's one signing key (sealed), shared by every desk of the office;
  an older data folder's key file is taken in at start-up (office.keys.adopt_key_file).
- ``document_blob``: document bytes by SHA-256 for a PostgreSQL office database (SQLite keeps
  its ``documents/`` folder; the table stays empty there).
- ``registration.locked_device`` / ``locked_device_name``: the desk that holds the edit lock;
  ``registration.origin_device`` and ``audit_log.device``: the device a record or a change was
  made on (NULL for what existed before).
- On PostgreSQL, the audit log becomes append-only as it has been on SQLite since 0001.

Adding nullable columns needs no table rebuild on SQLite (Alembic's batch mode alters in
place), so the audit log's triggers stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_office_desks"
down_revision: str | None = "0003_batch_export"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_APPEND_ONLY = "log audit hanya dapat ditambah; perubahan dan penghapusan ditolak"


def _postgres_audit_triggers() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{AUDIT_APPEND_ONLY}'; END $$"
    )
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )


def upgrade() -> None:
    op.create_table(
        "office_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_office_key_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_key")),
    )
    op.create_table(
        "document_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_document_blob_sha256_length")),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_document_blob")),
    )
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("locked_device", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("locked_device_name", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("origin_device", sa.String(length=16), nullable=True))
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("device", sa.String(length=16), nullable=True))
    _postgres_audit_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("device")
    if op.get_bind().dialect.name == "sqlite":
        # Dropping a column rebuilds the table on SQLite, and its triggers with it.
        for event in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{event.lower()}")
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{AUDIT_APPEND_ONLY}'); END"
            )
    with op.batch_alter_table("registration") as batch:
        batch.drop_column("origin_device")
        batch.drop_column("locked_device_name")
        batch.drop_column("locked_device")
    op.drop_table("document_blob")
    op.drop_table("office_key")
