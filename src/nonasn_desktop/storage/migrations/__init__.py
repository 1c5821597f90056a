"""Alembic migrations of the application database (run by Database.upgrade)."""
