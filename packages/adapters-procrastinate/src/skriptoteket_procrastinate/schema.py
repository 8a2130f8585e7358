"""Procrastinate's own tables, functions and triggers in the database (its ``schema.sql``).

Applied by the ``procrastinate`` Alembic branch (``skriptoteket db upgrade``) and dropped by its
downgrade; both take an open DB-API connection so they run in the migration's transaction.
"""

from __future__ import annotations

from typing import Any

from procrastinate.schema import SchemaManager

DROP_SQL = """
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%'
    LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || f.sig || ' CASCADE';
    END LOOP;
END $$;
DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_status,
    procrastinate_job_event_type CASCADE;
"""


def schema_sql() -> str:
    return str(SchemaManager.get_schema())


def apply_schema(cursor: Any) -> None:
    """Create Procrastinate's schema through a DB-API ``cursor`` (psycopg)."""
    cursor.execute(schema_sql())


def drop_schema(cursor: Any) -> None:
    cursor.execute(DROP_SQL)
