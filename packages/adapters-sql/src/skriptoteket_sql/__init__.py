"""Skriptoteket SQL backend: SQLAlchemy Core + Alembic on SQLite and PostgreSQL.

``skriptoteket_sql.engine.open_sql(settings)`` yields a ``UnitOfWorkFactory``;
``skriptoteket_sql.migrations.AlembicMigrations(url)`` manages the schema. Both are registered
as the ``sql`` repository backend by ``skriptoteket_sql.plugin``. This module imports nothing
heavy, so plugin discovery stays fast.
"""
