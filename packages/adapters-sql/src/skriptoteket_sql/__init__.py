"""Skriptoteket SQL backend: SQLAlchemy Core + Alembic on SQLite and PostgreSQL.

``open_sql(settings)`` yields a ``UnitOfWorkFactory``; ``AlembicMigrations(url)`` manages the
schema. Both are registered as the ``sql`` repository backend by ``skriptoteket_sql.plugin``.
"""

from skriptoteket_sql.engine import open_sql
from skriptoteket_sql.migrations import AlembicMigrations
from skriptoteket_sql.uow import SqlUnitOfWork, SqlUnitOfWorkFactory

__all__ = ["AlembicMigrations", "SqlUnitOfWork", "SqlUnitOfWorkFactory", "open_sql"]
