"""Run owners (issue 10, owner-aware start-up recovery): ``tool_runs.owner``.

``host:pid:start-time`` of the process whose in-memory queue holds a queued or running run. A
process starting up fails only the unfinished runs whose owner is gone, so a second server on
the same database leaves the first one's live runs alone. Existing runs keep NULL (no owner
known: recovered as before).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Plain ALTER TABLE on both engines (see 0003): no batch copy of tool_runs.
    op.add_column("tool_runs", sa.Column("owner", sa.String(255), nullable=True))


def downgrade() -> None:
    op.drop_column("tool_runs", "owner")
