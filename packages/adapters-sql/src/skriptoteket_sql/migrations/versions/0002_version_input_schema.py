"""Tool contract 2: a version may declare an input schema (DESIGN §4).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from skriptoteket_sql.types import JSONDocument

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("tool_versions") as batch:
        batch.add_column(sa.Column("input_schema", JSONDocument, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tool_versions") as batch:
        batch.drop_column("input_schema")
