"""Record list indexes for an office database on PostgreSQL (nothing changes on SQLite).

Revision ID: 0005_record_list_postgres
Revises: 0004_office_desks
Create Date: 2026-12-03

The list index of 0002 suits SQLite, whose planner needs it to avoid the wide rows. On
PostgreSQL over 100,000 records it left every filter but the default a scan of the table or of
that whole eight-column index (EXPLAIN ANALYZE, issue 10): 150-250 ms for the first page of a
status or a work unit, 50-110 ms to count a NIK prefix or a name. PostgreSQL plans with
statistics, so it gets an index per filter, each ordered or carrying what the list then needs:

- status and work unit: led by the filter, then ``updated_at, id`` (the default order and its
  tie-breaker), so the first page is the first entries of the index; the unit index carries
  the status so counting per status reads the index alone;
- eligibility: the same, for MS/TMS;
- NIK, name and account number: in collation "C" (a prefix is then an exact range, whatever
  the server's collation) and carrying the status, for the search box's "starts with" and its
  counts per status;
- the orders by name, NIK and work unit: records without the value first, as on SQLite
  (PostgreSQL sorts NULL last unless told), with the id as tie-breaker, so a page of any order
  is the first entries of an index, walked forwards or backwards.

``ANALYZE`` at the end gives the planner the statistics of the new expression indexes now
rather than at autovacuum's next visit.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_record_list_postgres"
down_revision: str | None = "0004_office_desks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name: (key columns or expressions, included columns)
INDEXES: dict[str, tuple[str, str]] = {
    "ix_registration_status_recent": ("status, updated_at, id", ""),
    "ix_registration_unit_recent": ("unit_kerja, updated_at, id", "status"),
    "ix_registration_eligible_recent": ("eligible, updated_at, id", "status"),
    "ix_registration_nik_prefix": ('(nik COLLATE "C")', "status"),
    "ix_registration_name_prefix": ('(nama_search COLLATE "C")', "status"),
    "ix_registration_account_prefix": ('(account_number COLLATE "C")', "status"),
    "ix_registration_name_order": ("nama_search NULLS FIRST, id", ""),
    "ix_registration_nik_order": ("nik NULLS FIRST, id", ""),
    "ix_registration_unit_order": ("unit_kerja NULLS FIRST, id", ""),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (keys, included) in INDEXES.items():
        include = f" INCLUDE ({included})" if included else ""
        op.execute(f"CREATE INDEX {name} ON registration ({keys}){include}")
    op.execute("ANALYZE registration")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in reversed(INDEXES):
        op.execute(f"DROP INDEX {name}")
