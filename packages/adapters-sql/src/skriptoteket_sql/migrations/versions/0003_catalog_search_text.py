"""Catalog search in the database (issue 4 benchmarks, DESIGN §9): ``tools.search_text`` and
an index that reads published tools in title order.

The column holds a tool's title, summary and slug folded in Python (NFKC + casefold), so a
``LIKE`` on it is case-insensitive for å/ä/ö on SQLite (whose LIKE folds ASCII only) and on
PostgreSQL whatever the database's locale. The repository writes it on every add and update;
this revision fills it for the tools that exist.

``ix_tools_is_published_title_slug`` replaces ``ix_tools_is_published`` (its prefix): a catalog
page of published tools is then read in title order and stops at its LIMIT.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def _fold(text: str) -> str:
    """Frozen copy of ``skriptoteket.domain.tools.fold_search_text`` as of this revision (a
    migration must not change when the code does)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def upgrade() -> None:
    # Plain ALTER TABLE on both engines, never batch mode's copy of the table: dropping the
    # old ``tools`` with foreign keys on would cascade to its versions, tags and runs.
    op.add_column("tools", sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    tools = sa.table(
        "tools",
        sa.column("id", sa.Uuid()),
        sa.column("slug", sa.String()),
        sa.column("title", sa.String()),
        sa.column("summary", sa.Text()),
        sa.column("search_text", sa.Text()),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(tools.c.id, tools.c.title, tools.c.summary, tools.c.slug)).all()
    for row in rows:
        text = _fold("\n".join((row.title, row.summary or "", row.slug)))
        conn.execute(tools.update().where(tools.c.id == row.id).values(search_text=text))
    op.drop_index("ix_tools_is_published", table_name="tools")
    op.create_index("ix_tools_is_published_title_slug", "tools", ["is_published", "title", "slug"])


def downgrade() -> None:
    op.drop_index("ix_tools_is_published_title_slug", table_name="tools")
    op.create_index("ix_tools_is_published", "tools", ["is_published"])
    # In place on SQLite too (ALTER TABLE … DROP COLUMN, SQLite ≥ 3.35), see upgrade().
    op.drop_column("tools", "search_text")
