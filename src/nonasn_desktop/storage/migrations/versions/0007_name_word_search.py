"""A trigram index for searching a word of the name on PostgreSQL (nothing changes on SQLite).

Revision ID: 0007_name_word_search
Revises: 0006_field_devices
Create Date: 2026-12-05

Searching a later word of a name (``nama_search LIKE '% sant%'``) had no index to use: over
100,000 records PostgreSQL tested the pattern on every entry of the name index of 0005 for the
counts per status (EXPLAIN ANALYZE: 26-33 ms of the 123 ms the dashboard took for that filter,
issue 10). pg_trgm's GIN index finds the matching rows directly (1.3 ms for 3,500 of 100,000).

Creating the extension may be refused (a role that does not own the database, a server older
than 13 or without contrib): the migration then still completes and the search keeps its
0005 indexes; see ``storage/namesearch.py`` for the fallback and what an administrator runs.
The extension is left in place on downgrade: other objects of the database may use it.
"""

from collections.abc import Sequence

from alembic import op

from nonasn_desktop.storage import namesearch

revision: str = "0007_name_word_search"
down_revision: str | None = "0006_field_devices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if namesearch.create_name_index(bind):
        op.execute("ANALYZE registration")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {namesearch.INDEX}")
