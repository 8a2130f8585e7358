"""Skriptoteket SQL backend: SQLAlchemy Core + Alembic on SQLite and PostgreSQL."""
