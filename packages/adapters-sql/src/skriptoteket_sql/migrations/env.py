"""Alembic environment of the Skriptoteket SQL backend.

Run programmatically by ``AlembicMigrations`` (which passes an open connection). When run by the
``alembic`` command instead, the URL comes from ``-x url=…``, the ``sqlalchemy.url`` option or
``SKRIPTOTEKET_DATABASE_URL``; with none of them it stops with an error (CFG-02). SQLite runs in
batch mode so ALTERs work there too.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context
from skriptoteket_sql.tables import metadata

config = context.config


def _url() -> str:
    url = (
        config.attributes.get("database_url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or os.environ.get("SKRIPTOTEKET_DATABASE_URL", "")
    )
    if not url:
        raise RuntimeError(
            "No database URL for migrations: set SKRIPTOTEKET_DATABASE_URL or pass -x url=…"
        )
    return str(url)


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    from skriptoteket_sql.engine import driver_url

    context.configure(
        url=driver_url(_url(), use_async=False),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from skriptoteket_sql.engine import create_sync_engine_for

    engine = create_sync_engine_for(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
