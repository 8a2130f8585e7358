"""Fresh, uniquely named PostgreSQL databases for workspace tests (loopback only)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from skriptoteket.testing.services import postgres_url, service_missing


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create ``skt_<random>`` next to the test database and drop it afterwards."""
    admin_url = postgres_url()
    name = f"skt_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        service_missing("postgres", f"cannot connect: {error}")
        raise
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base, _, _ = admin_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
