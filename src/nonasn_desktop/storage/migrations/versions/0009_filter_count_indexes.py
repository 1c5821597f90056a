"""Small indexes to count the records of a work unit and of an eligibility (MS/TMS).

Revision ID: 0009_filter_count_indexes
Revises: 0008_office_data_key
Create Date: 2026-12-05

The record list counts the records of its filters per status at every filter change. On
SQLite those counts went through the list index of 0002 (eight columns, about 25 MB over
100,000 records): larger than the page cache, so each count read all of it again, and in an
encrypted folder (issue 11) decrypted each page again too (1.5-1.7x the plain time). These
two indexes carry the status after their filter, so a count reads only the entries of its own
unit or eligibility. The unit index replaces the single-column one of 0001, which it covers
(equality, ordering and the list of units all use its first column).

PostgreSQL gets them as well (the models are one schema); its planner also has 0005's.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_filter_count_indexes"
down_revision: str | None = "0008_office_data_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_registration_unit_kerja", table_name="registration")
    op.create_index(
        "ix_registration_unit_counts", "registration", ["unit_kerja", "eligible", "status"]
    )
    op.create_index("ix_registration_eligible_counts", "registration", ["eligible", "status"])


def downgrade() -> None:
    op.drop_index("ix_registration_eligible_counts", table_name="registration")
    op.drop_index("ix_registration_unit_counts", table_name="registration")
    op.create_index("ix_registration_unit_kerja", "registration", ["unit_kerja"])
