"""Covering index for the record list (dashboard) over large offices.

Revision ID: 0002_record_list_index
Revises: 0001_initial
Create Date: 2026-11-22

A registration row is several kilobytes (the JSON draft sits in the middle of it), so any
query that has to read rows to filter, count or order them touches a page per record: about
170 ms for the first page of 100,000 records ordered by update time. This index holds every
column the list filters, counts and orders by, led by ``updated_at`` (the default order), so
those queries read the index alone and fetch only the rows of the page shown.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_record_list_index"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_registration_list"
COLUMNS = [
    "updated_at",
    "status",
    "eligible",
    "unit_kerja",
    "nik",
    "account_number",
    "nama_search",
    "nama",
]


def upgrade() -> None:
    op.create_index(INDEX, "registration", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="registration")
