"""What the batch export records about each batch, to write a lost batch again unchanged.

Revision ID: 0003_batch_export
Revises: 0002_record_list_index
Create Date: 2026-11-22

``app_version`` (named in the batch's manifest), ``manifest_sha256`` (proves a rewrite has the
same content), ``key_id`` (the office key that signed it) and ``recipients`` (JSON list of the
age recipients it was encrypted to; NULL for a plain batch). All nullable: batches are only
written by the export, which fills them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_batch_export"
down_revision: str | None = "0002_record_list_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("batch") as batch:
        batch.add_column(sa.Column("app_version", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("manifest_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("recipients", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batch") as batch:
        batch.drop_column("recipients")
        batch.drop_column("key_id")
        batch.drop_column("manifest_sha256")
        batch.drop_column("app_version")
