"""Runs executed elsewhere (issue 10, the Procrastinate queue): ``tool_runs.worker`` and
``run_inputs``.

``worker`` is the name of the process that executed a run (``hostname:pid`` or a worker's
``--name``); NULL while queued and for runs from before it. ``run_inputs`` holds the sanitized
uploads of a run whose queue executes it on another machine: written in the transaction that
adds the queued row, read by the worker, deleted when the run ends (cascade with the run).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("tool_runs", sa.Column("worker", sa.String(255), nullable=True))
    op.create_table(
        "run_inputs",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["tool_runs.id"],
            name="fk_run_inputs_run_id_tool_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "position", name="pk_run_inputs"),
    )


def downgrade() -> None:
    op.drop_table("run_inputs")
    op.drop_column("tool_runs", "worker")
