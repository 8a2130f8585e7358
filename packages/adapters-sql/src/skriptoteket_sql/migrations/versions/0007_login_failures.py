"""Login throttle in the database (issue 10): ``login_failures``.

One row per throttled key — an (account, client address) pair or an address, each a SHA-256
digest — with its failure count, the times of its latest failures (a JSON list of ISO-8601
strings) and when it expires. Every web process and machine on the database counts the same
failures; expired rows are deleted and the table is capped (``domain.login_throttle``).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from skriptoteket_sql.types import JSONDocument, UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("recent", JSONDocument, nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_login_failures"),
    )
    op.create_index("ix_login_failures_expires_at", "login_failures", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_expires_at", table_name="login_failures")
    op.drop_table("login_failures")
