"""Key slots of the office data key, which encrypts the documents of a PostgreSQL office.

Revision ID: 0008_office_data_key
Revises: 0007_name_word_search
Create Date: 2026-12-06

``office_data_key_slot``: one row per clerk (the key wrapped with a key derived from the
clerk's password) and one for the recovery key (see storage.models.OfficeDataKeySlot and
accounts.slots). Existing documents are left as they are: an office's rows stay readable and
are encrypted when rewritten or when an admin runs the one-time conversion
(``nonasn office-documents encrypt``). On SQLite the table stays empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_office_data_key"
down_revision: str | None = "0007_name_word_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "office_data_key_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_data_key_slot")),
        sa.UniqueConstraint("kind", "label", name=op.f("uq_office_data_key_slot_kind_label")),
    )


def downgrade() -> None:
    op.drop_table("office_data_key_slot")
