"""Initial schema: identity, taxonomy (with the CAT-02 seed), tools, suggestions, versions, runs
and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from skriptoteket_sql.types import JSONDocument, UTCDateTime

# CAT-02 seed, frozen here as it was when this revision was written: a migration must not change
# when the code does. A later change to the taxonomy is a new revision. The ids are uuid5 over
# this namespace, the same as the in-memory backend's (checked by test_migrations.py).
TAXONOMY_NAMESPACE = uuid.UUID("5b0f1f1e-6d2c-4c8e-9a55-2f3d7a6c9e10")
SEED_PROFESSIONS = (
    ("larare", "Lärare", 10),
    ("specialpedagog", "Specialpedagog", 20),
    ("skoladministrator", "Skoladministratör", 30),
    ("rektor", "Rektor", 40),
    ("gemensamt", "Gemensamt", 50),
)
SEED_CATEGORIES = (
    ("lektionsplanering", "Lektionsplanering", 10),
    ("mentorskap", "Mentorskap", 20),
    ("administration", "Administration", 30),
    ("ovrigt", "Övrigt", 40),
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE_WHERE = "state = 'active'"
PENDING_WHERE = "status = 'pending'"
APPEND_ONLY = "audit_log is append-only"


def _ts(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def _uuid(name: str, *, nullable: bool = False) -> sa.Column[uuid.UUID]:
    return sa.Column(name, sa.Uuid(), nullable=nullable)


def _fk(column: str, target: str, ondelete: str | None, table: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], ondelete=ondelete, name=f"fk_{table}_{column}_{referred}"
    )


def _user_fk(table: str, column: str, ondelete: str = "RESTRICT") -> sa.ForeignKeyConstraint:
    return _fk(column, "users.id", ondelete, table)


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    sqlite = _is_sqlite()

    # --- identity (ID-03, ID-19, NOM-06) ---
    op.create_table(
        "users",
        _uuid("id"),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("auth_provider", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.UniqueConstraint(
            "auth_provider", "external_id", name="uq_users_auth_provider_external_id"
        ),
    )
    op.create_table(
        "sessions",
        _uuid("id"),
        _uuid("user_id"),
        sa.Column("csrf_token", sa.String(128), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        _user_fk("sessions", "user_id", "CASCADE"),
    )
    _index("sessions", "user_id")
    _index("sessions", "expires_at")
    op.create_table(
        "api_tokens",
        _uuid("id"),
        _uuid("user_id"),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(128), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        _ts("created_at"),
        _ts("last_used_at", nullable=True),
        _ts("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        _user_fk("api_tokens", "user_id", "CASCADE"),
    )
    _index("api_tokens", "user_id")
    op.create_table(
        "nominations",
        _uuid("id"),
        _uuid("nominee_user_id"),
        _uuid("nominated_by_user_id"),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("created_at"),
        _uuid("decided_by_user_id", nullable=True),
        _ts("decided_at", nullable=True),
        sa.Column("decision_rationale", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_nominations"),
        _user_fk("nominations", "nominee_user_id"),
        _user_fk("nominations", "nominated_by_user_id"),
        _user_fk("nominations", "decided_by_user_id"),
    )
    _index("nominations", "nominee_user_id")
    _index("nominations", "nominated_by_user_id")
    _index("nominations", "status", "created_at")
    op.create_index(
        "ux_nominations_one_pending_per_nominee",
        "nominations",
        ["nominee_user_id"],
        unique=True,
        postgresql_where=sa.text(PENDING_WHERE),
        sqlite_where=sa.text(PENDING_WHERE),
    )

    # --- taxonomy (CAT-01) ---
    op.create_table(
        "professions",
        _uuid("id"),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_professions"),
        sa.UniqueConstraint("slug", name="uq_professions_slug"),
    )
    op.create_table(
        "categories",
        _uuid("id"),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_categories"),
        sa.UniqueConstraint("slug", name="uq_categories_slug"),
    )
    op.create_table(
        "profession_categories",
        _uuid("profession_id"),
        _uuid("category_id"),
        sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("profession_id", "category_id", name="pk_profession_categories"),
        _fk("profession_id", "professions.id", "CASCADE", "profession_categories"),
        _fk("category_id", "categories.id", "CASCADE", "profession_categories"),
    )

    # --- tools (CAT-01, TOOL-01, TOOL-12) ---
    # tools.active_version_id → tool_versions is circular: SQLite takes the reference before the
    # table exists; PostgreSQL gets the constraint once tool_versions exists.
    active_fk = [_fk("active_version_id", "tool_versions.id", "SET NULL", "tools")]
    op.create_table(
        "tools",
        _uuid("id"),
        sa.Column("slug", sa.String(128), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("is_published", sa.Boolean(), nullable=False, server_default=sa.false()),
        _uuid("active_version_id", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("first_published_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tools"),
        sa.UniqueConstraint("slug", name="uq_tools_slug"),
        *(active_fk if sqlite else []),
    )
    _index("tools", "is_published")
    _index("tools", "active_version_id")
    _index("tools", "title", "slug")
    for name, tag_table in (("tool_professions", "professions"), ("tool_categories", "categories")):
        tag_column = "profession_id" if tag_table == "professions" else "category_id"
        op.create_table(
            name,
            _uuid("tool_id"),
            _uuid(tag_column),
            sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
            sa.PrimaryKeyConstraint("tool_id", tag_column, name=f"pk_{name}"),
            _fk("tool_id", "tools.id", "CASCADE", name),
            _fk(tag_column, f"{tag_table}.id", "CASCADE", name),
        )
        _index(name, tag_column)
    op.create_table(
        "tool_maintainers",
        _uuid("tool_id"),
        _uuid("user_id"),
        sa.PrimaryKeyConstraint("tool_id", "user_id", name="pk_tool_maintainers"),
        _fk("tool_id", "tools.id", "CASCADE", "tool_maintainers"),
        _user_fk("tool_maintainers", "user_id"),
    )
    _index("tool_maintainers", "tool_id")
    _index("tool_maintainers", "user_id")

    # --- suggestions (SUG-05, SUG-11; actor FKs RESTRICT per AMB-24) ---
    op.create_table(
        "script_suggestions",
        _uuid("id"),
        _uuid("submitted_by_user_id"),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("profession_slugs", JSONDocument, nullable=False),
        sa.Column("category_slugs", JSONDocument, nullable=False),
        sa.Column("status", sa.String(32), nullable=False, server_default="pending_review"),
        _uuid("reviewed_by_user_id", nullable=True),
        _ts("reviewed_at", nullable=True),
        sa.Column("review_rationale", sa.Text(), nullable=True),
        _uuid("draft_tool_id", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_script_suggestions"),
        _user_fk("script_suggestions", "submitted_by_user_id"),
        _user_fk("script_suggestions", "reviewed_by_user_id"),
        _fk("draft_tool_id", "tools.id", "SET NULL", "script_suggestions"),
    )
    for column in ("submitted_by_user_id", "status", "reviewed_by_user_id", "reviewed_at"):
        _index("script_suggestions", column)
    _index("script_suggestions", "created_at", "id")
    op.create_table(
        "script_suggestion_decisions",
        _uuid("id"),
        _uuid("suggestion_id"),
        _uuid("decided_by_user_id"),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("profession_slugs", JSONDocument, nullable=False),
        sa.Column("category_slugs", JSONDocument, nullable=False),
        _uuid("created_tool_id", nullable=True),
        _ts("decided_at"),
        sa.PrimaryKeyConstraint("id", name="pk_script_suggestion_decisions"),
        _fk("suggestion_id", "script_suggestions.id", "CASCADE", "script_suggestion_decisions"),
        _user_fk("script_suggestion_decisions", "decided_by_user_id"),
        _fk("created_tool_id", "tools.id", "SET NULL", "script_suggestion_decisions"),
    )
    _index("script_suggestion_decisions", "suggestion_id")
    _index("script_suggestion_decisions", "decided_by_user_id")

    # --- versions (VER-01–VER-04, VER-06) ---
    op.create_table(
        "tool_versions",
        _uuid("id"),
        _uuid("tool_id"),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("source_code", sa.Text(), nullable=False),
        sa.Column("entrypoint", sa.String(128), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        _uuid("derived_from_version_id", nullable=True),
        _uuid("created_by_user_id"),
        _ts("created_at"),
        _uuid("submitted_for_review_by_user_id", nullable=True),
        _ts("submitted_for_review_at", nullable=True),
        _uuid("reviewed_by_user_id", nullable=True),
        _ts("reviewed_at", nullable=True),
        _uuid("published_by_user_id", nullable=True),
        _ts("published_at", nullable=True),
        sa.Column("change_summary", sa.Text(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tool_versions"),
        sa.UniqueConstraint(
            "tool_id", "version_number", name="uq_tool_versions_tool_id_version_number"
        ),
        _fk("tool_id", "tools.id", "CASCADE", "tool_versions"),
        _fk("derived_from_version_id", "tool_versions.id", "SET NULL", "tool_versions"),
        _user_fk("tool_versions", "created_by_user_id"),
        _user_fk("tool_versions", "submitted_for_review_by_user_id"),
        _user_fk("tool_versions", "reviewed_by_user_id"),
        _user_fk("tool_versions", "published_by_user_id"),
    )
    for column in ("tool_id", "state", "created_at"):
        _index("tool_versions", column)
    _index("tool_versions", "tool_id", "content_hash")
    op.create_index(
        "ux_tool_versions_one_active_per_tool",
        "tool_versions",
        ["tool_id"],
        unique=True,
        postgresql_where=sa.text(ACTIVE_WHERE),
        sqlite_where=sa.text(ACTIVE_WHERE),
    )
    if not sqlite:
        op.create_foreign_key(
            "fk_tools_active_version_id_tool_versions",
            "tools",
            "tool_versions",
            ["active_version_id"],
            ["id"],
            ondelete="SET NULL",
        )

    # --- runs (VER-05, AMB-08) ---
    op.create_table(
        "tool_runs",
        _uuid("id"),
        _uuid("tool_id"),
        _uuid("version_id"),
        sa.Column("context", sa.String(16), nullable=False),
        _uuid("requested_by_user_id"),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("created_at"),
        sa.Column("workdir_path", sa.Text(), nullable=False),
        sa.Column("input_files", JSONDocument, nullable=False),
        sa.Column("input_values", JSONDocument, nullable=False),
        _ts("started_at", nullable=True),
        _ts("finished_at", nullable=True),
        sa.Column("html_output", sa.Text(), nullable=True),
        sa.Column("stdout", sa.Text(), nullable=True),
        sa.Column("stderr", sa.Text(), nullable=True),
        sa.Column("error_summary", sa.Text(), nullable=True),
        sa.Column("artifacts", JSONDocument, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tool_runs"),
        _fk("tool_id", "tools.id", "CASCADE", "tool_runs"),
        _fk("version_id", "tool_versions.id", None, "tool_runs"),
        _user_fk("tool_runs", "requested_by_user_id"),
    )
    _index("tool_runs", "tool_id")
    _index("tool_runs", "version_id")
    _index("tool_runs", "status", "created_at")
    op.create_index(
        "ix_tool_runs_requested_by_created_at_id",
        "tool_runs",
        ["requested_by_user_id", sa.text("created_at DESC"), sa.text("id DESC")],
    )

    # --- audit log (GOV-06, AMB-24, AMB-28) ---
    op.create_table(
        "audit_log",
        _uuid("id"),
        _ts("occurred_at"),
        _uuid("actor_user_id", nullable=True),
        sa.Column("actor_label", sa.String(255), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(32), nullable=False),
        _uuid("subject_id"),
        sa.Column("details", JSONDocument, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        _user_fk("audit_log", "actor_user_id"),
    )
    _index("audit_log", "actor_user_id")
    _index("audit_log", "subject_id")
    _index("audit_log", "occurred_at", "id")
    _index("audit_log", "action", "occurred_at")
    _create_audit_triggers(sqlite)

    _seed_taxonomy()


def _create_audit_triggers(sqlite: bool) -> None:
    if sqlite:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER trg_audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'restrict_violation'; END $$"
    )
    op.execute(
        "CREATE TRIGGER trg_audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
    )
    op.execute(
        "CREATE TRIGGER trg_audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
    )


def _seed_taxonomy() -> None:
    """CAT-02: the same ids as ``MemoryState.seed_taxonomy``."""
    now = datetime.now(UTC)
    professions = sa.table(
        "professions",
        sa.column("id", sa.Uuid()),
        sa.column("slug", sa.String()),
        sa.column("label", sa.String()),
        sa.column("sort_order", sa.Integer()),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    categories = sa.table(
        "categories",
        sa.column("id", sa.Uuid()),
        sa.column("slug", sa.String()),
        sa.column("label", sa.String()),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    links = sa.table(
        "profession_categories",
        sa.column("profession_id", sa.Uuid()),
        sa.column("category_id", sa.Uuid()),
        sa.column("sort_order", sa.Integer()),
    )

    def pid(slug: str) -> uuid.UUID:
        return uuid.uuid5(TAXONOMY_NAMESPACE, f"profession:{slug}")

    def cid(slug: str) -> uuid.UUID:
        return uuid.uuid5(TAXONOMY_NAMESPACE, f"category:{slug}")

    op.bulk_insert(
        professions,
        [
            {
                "id": pid(slug),
                "slug": slug,
                "label": label,
                "sort_order": order,
                "created_at": now,
                "updated_at": now,
            }
            for slug, label, order in SEED_PROFESSIONS
        ],
    )
    op.bulk_insert(
        categories,
        [
            {"id": cid(slug), "slug": slug, "label": label, "created_at": now, "updated_at": now}
            for slug, label, _ in SEED_CATEGORIES
        ],
    )
    op.bulk_insert(
        links,
        [
            {"profession_id": pid(p_slug), "category_id": cid(c_slug), "sort_order": c_order}
            for p_slug, _, _ in SEED_PROFESSIONS
            for c_slug, _, c_order in SEED_CATEGORIES
        ],
    )


def downgrade() -> None:
    sqlite = _is_sqlite()
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS trg_audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS trg_audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_audit_log_no_update_delete ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS trg_audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    for table in (
        "audit_log",
        "tool_runs",
        "script_suggestion_decisions",
        "script_suggestions",
        "tool_maintainers",
        "tool_categories",
        "tool_professions",
    ):
        op.drop_table(table)
    if not sqlite:
        op.drop_constraint("fk_tools_active_version_id_tool_versions", "tools", type_="foreignkey")
    for table in (
        "tool_versions",
        "tools",
        "profession_categories",
        "categories",
        "professions",
        "nominations",
        "api_tokens",
        "sessions",
        "users",
    ):
        op.drop_table(table)
