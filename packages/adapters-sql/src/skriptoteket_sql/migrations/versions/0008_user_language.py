"""The UI language a person chose (issue 11): ``users.preferred_language``.

Nullable: NULL means the school's default language (Swedish); existing accounts keep it.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("preferred_language", sa.String(8), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "preferred_language")
