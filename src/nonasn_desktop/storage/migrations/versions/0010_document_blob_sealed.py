"""An index of which office documents are sealed, so the plain ones are found without reading
every document (PostgreSQL only; SQLite keeps its documents in files).

Revision ID: 0010_document_blob_sealed
Revises: 0009_filter_count_indexes
Create Date: 2026-12-06

An office's documents are encrypted with the office data key (0008); rows stored before it
stay plain until an admin's one-time conversion seals them. Two things ask which rows are
still plain: Bantuan › Tentang Aplikasi (how many, for IT staff) and a conversion run again
after an interruption (which ones). Without an index each question read the start of every
document out of its TOAST storage: about 15-40 ms per 3,000 documents, seconds for a large
office, on the GUI thread of the About dialog. This index holds, per row, whether its bytes
start with age's version line; its statistics tell the planner how few rows are plain, so
``(...) IS false`` reads only those entries. The expression must stay exactly the one of
storage.docstore.SEALED_ROW (tests/storage/test_migration_document_blob_sealed.py checks
the plan).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_document_blob_sealed"
down_revision: str | None = "0009_filter_count_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# b"age-encryption.org/v1\n", written out: a migration never changes with the code.
_VERSION_LINE_HEX = "6167652d656e6372797074696f6e2e6f72672f76310a"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_document_blob_sealed ON document_blob "
        f"((substring(data FROM 1 FOR 22) = '\\x{_VERSION_LINE_HEX}'::bytea))"
    )
    op.execute("ANALYZE document_blob")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_document_blob_sealed")
