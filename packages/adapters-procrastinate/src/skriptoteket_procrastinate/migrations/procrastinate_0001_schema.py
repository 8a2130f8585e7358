"""Procrastinate's schema (jobs, workers, events; its functions and triggers), the run queue
of ``SKRIPTOTEKET_RUN_QUEUE=procrastinate`` (issue 10). PostgreSQL only: on SQLite nothing is
created (the queue refuses SQLite).

The branch stands beside the sql backend's (no ``depends_on``): Procrastinate's tables need none
of ours, and ``alembic_version`` then holds one row per branch, so the sql backend's own
revision stays readable for its schema check.

Revision ID: procrastinate_0001
Revises: (the branch's base)
"""

from __future__ import annotations

from typing import Any

from alembic import op

revision: str = "procrastinate_0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = ("procrastinate",)
depends_on: str | None = None


def _cursor() -> Any:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    # the driver's cursor, in the migration's transaction: the schema holds '%' and $$ bodies
    driver: Any = bind.connection.driver_connection
    return driver.cursor()


def upgrade() -> None:
    from skriptoteket_procrastinate.schema import apply_schema

    cursor = _cursor()
    if cursor is not None:
        apply_schema(cursor)


def downgrade() -> None:
    from skriptoteket_procrastinate.schema import drop_schema

    cursor = _cursor()
    if cursor is not None:
        drop_schema(cursor)
