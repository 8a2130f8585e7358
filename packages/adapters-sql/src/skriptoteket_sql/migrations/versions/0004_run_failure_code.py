"""Run failure codes (issue 9): ``tool_runs.failure_code`` and ``failure_details``.

Every run that ends failed or timed out stores why as a stable code (``RunFailure``) and the
details a text needs (which limit, how large). Hosts translate the code; nothing matches the
English summary any more. This revision classifies the runs that exist from the summaries the
code wrote before it (frozen here: a migration must not change when the code does); a failed
run whose summary is none of them was a tool's own message (ToolUserError).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from skriptoteket_sql.types import JSONDocument

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

# (LIKE pattern of the old English/Swedish summary, failure code), first match wins.
_OLD_SUMMARIES: tuple[tuple[str, str], ...] = (
    ("Execution timed out.", "timeout"),
    ("Execution failed (runner contract violation).", "invalid_result"),
    ("Execution failed (artifact extraction violation).", "output_not_allowed"),
    ("Execution failed (internal error).", "internal"),
    ("Execution failed (the tool was stopped: it used too much memory%", "memory"),
    ("Execution failed (the tool was stopped: it wrote more than its work area%", "disk"),
    ("Tool execution failed (MemoryError).", "memory"),
    ("Tool execution failed (%", "tool_error"),
    ("SyntaxError%", "syntax_error"),
    ("The run queue is%", "queue_full"),
    ("The Docker engine is not reachable%", "engine_unavailable"),
    ("The runner image%", "engine_unavailable"),
    ("Could not start a sandbox container%", "engine_unavailable"),
    ("Körningen avbröts eftersom servern startades om%", "interrupted"),
)


def upgrade() -> None:
    # Plain ALTER TABLE on both engines (see 0003): no batch copy of tool_runs.
    op.add_column("tool_runs", sa.Column("failure_code", sa.String(32), nullable=True))
    op.add_column("tool_runs", sa.Column("failure_details", JSONDocument, nullable=True))
    runs = sa.table(
        "tool_runs",
        sa.column("status", sa.String()),
        sa.column("error_summary", sa.Text()),
        sa.column("failure_code", sa.String()),
    )
    summary = runs.c.error_summary
    code = sa.case(
        (runs.c.status == "timed_out", "timeout"),
        *((summary.like(pattern), value) for pattern, value in _OLD_SUMMARIES),
        (summary.is_(None), "internal"),
        else_="user_error",
    )
    op.get_bind().execute(
        runs.update().where(runs.c.status.in_(("failed", "timed_out"))).values(failure_code=code)
    )


def downgrade() -> None:
    op.drop_column("tool_runs", "failure_details")
    op.drop_column("tool_runs", "failure_code")
