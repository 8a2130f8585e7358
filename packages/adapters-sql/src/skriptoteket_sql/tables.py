"""SQLAlchemy Core tables: the schema the migrations build, used by the repositories' queries.

The migrations in ``migrations/versions`` create this schema explicitly; ``tests`` compare the two.
Constraints that protect invariants live in the database (VER-02, VER-03, ID-03, NOM-06), and
actor/audit foreign keys are ``RESTRICT`` so that deleting a user never erases history (VER-06,
AMB-24).
"""

from __future__ import annotations

import sqlalchemy as sa

from skriptoteket_sql.types import JSONDocument, UTCDateTime

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

CASCADE = "CASCADE"
RESTRICT = "RESTRICT"
SET_NULL = "SET NULL"


def _now_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def _user_fk(ondelete: str = RESTRICT) -> sa.ForeignKey:
    return sa.ForeignKey("users.id", ondelete=ondelete)


# --- identity (ID-03, ID-19, NOM-06) --------------------------------------------------------------

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("email", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("auth_provider", sa.String(16), nullable=False),
    sa.Column("external_id", sa.String(255), nullable=True),
    sa.Column("password_hash", sa.Text(), nullable=True),
    sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()),
    *_now_columns(),
    sa.Column("preferred_language", sa.String(8), nullable=True),  # issue 11; NULL: default
    sa.UniqueConstraint("email"),
    sa.UniqueConstraint("auth_provider", "external_id"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("user_id", sa.Uuid(), _user_fk(CASCADE), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(128), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("user_id", sa.Uuid(), _user_fk(CASCADE), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(128), nullable=False),
    sa.Column("prefix", sa.String(32), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("last_used_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("token_hash"),
)

nominations = sa.Table(
    "nominations",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("nominee_user_id", sa.Uuid(), _user_fk(), nullable=False, index=True),
    sa.Column("nominated_by_user_id", sa.Uuid(), _user_fk(), nullable=False, index=True),
    sa.Column("rationale", sa.Text(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("decided_by_user_id", sa.Uuid(), _user_fk(), nullable=True),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Column("decision_rationale", sa.Text(), nullable=True),
    sa.Index("ix_nominations_status_created_at", "status", "created_at"),
    sa.Index(
        "ux_nominations_one_pending_per_nominee",
        "nominee_user_id",
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    ),
)

# --- taxonomy and tools (CAT-01, TOOL-01, TOOL-12) -----------------------------------------------

professions = sa.Table(
    "professions",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("slug", sa.String(64), nullable=False),
    sa.Column("label", sa.String(100), nullable=False),
    sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
    *_now_columns(),
    sa.UniqueConstraint("slug"),
)

categories = sa.Table(
    "categories",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("slug", sa.String(64), nullable=False),
    sa.Column("label", sa.String(100), nullable=False),
    *_now_columns(),
    sa.UniqueConstraint("slug"),
)

profession_categories = sa.Table(
    "profession_categories",
    metadata,
    sa.Column(
        "profession_id",
        sa.Uuid(),
        sa.ForeignKey("professions.id", ondelete=CASCADE),
        primary_key=True,
    ),
    sa.Column(
        "category_id", sa.Uuid(), sa.ForeignKey("categories.id", ondelete=CASCADE), primary_key=True
    ),
    sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
)

tools = sa.Table(
    "tools",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("slug", sa.String(128), nullable=False),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("summary", sa.Text(), nullable=True),
    sa.Column("is_published", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column(
        "active_version_id",
        sa.Uuid(),
        sa.ForeignKey("tool_versions.id", ondelete=SET_NULL, use_alter=True),
        nullable=True,
        index=True,
    ),
    *_now_columns(),
    sa.Column("first_published_at", UTCDateTime(), nullable=True),
    # Migration 0003: title, summary and slug folded by skriptoteket.domain.tools.search_text
    # (written by the repository on every add/update), searched with LIKE on both engines.
    sa.Column("search_text", sa.Text(), nullable=False, server_default=""),
    sa.UniqueConstraint("slug"),
    sa.Index("ix_tools_title_slug", "title", "slug"),
    # Migration 0003 (replaces ix_tools_is_published): the catalog's published tools in title
    # order, so a page of them is read in order and stops at its LIMIT (no sort of them all).
    sa.Index("ix_tools_is_published_title_slug", "is_published", "title", "slug"),
)

# Tag links keep the order the tool lists its tags in (``position``).
tool_professions = sa.Table(
    "tool_professions",
    metadata,
    sa.Column("tool_id", sa.Uuid(), sa.ForeignKey("tools.id", ondelete=CASCADE), primary_key=True),
    sa.Column(
        "profession_id",
        sa.Uuid(),
        sa.ForeignKey("professions.id", ondelete=CASCADE),
        primary_key=True,
        index=True,
    ),
    sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
)

tool_categories = sa.Table(
    "tool_categories",
    metadata,
    sa.Column("tool_id", sa.Uuid(), sa.ForeignKey("tools.id", ondelete=CASCADE), primary_key=True),
    sa.Column(
        "category_id",
        sa.Uuid(),
        sa.ForeignKey("categories.id", ondelete=CASCADE),
        primary_key=True,
        index=True,
    ),
    sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
)

tool_maintainers = sa.Table(
    "tool_maintainers",
    metadata,
    sa.Column(
        "tool_id",
        sa.Uuid(),
        sa.ForeignKey("tools.id", ondelete=CASCADE),
        primary_key=True,
        index=True,
    ),
    sa.Column("user_id", sa.Uuid(), _user_fk(), primary_key=True, index=True),
)

# --- suggestions (SUG-05, SUG-11; actor FKs RESTRICT per AMB-24) ---------------------------------

script_suggestions = sa.Table(
    "script_suggestions",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("submitted_by_user_id", sa.Uuid(), _user_fk(), nullable=False, index=True),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("profession_slugs", JSONDocument, nullable=False),
    sa.Column("category_slugs", JSONDocument, nullable=False),
    sa.Column("status", sa.String(32), nullable=False, server_default="pending_review", index=True),
    sa.Column("reviewed_by_user_id", sa.Uuid(), _user_fk(), nullable=True, index=True),
    sa.Column("reviewed_at", UTCDateTime(), nullable=True, index=True),
    sa.Column("review_rationale", sa.Text(), nullable=True),
    sa.Column(
        "draft_tool_id", sa.Uuid(), sa.ForeignKey("tools.id", ondelete=SET_NULL), nullable=True
    ),
    *_now_columns(),
    sa.Index("ix_script_suggestions_created_at_id", "created_at", "id"),
)

script_suggestion_decisions = sa.Table(
    "script_suggestion_decisions",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column(
        "suggestion_id",
        sa.Uuid(),
        sa.ForeignKey("script_suggestions.id", ondelete=CASCADE),
        nullable=False,
        index=True,
    ),
    sa.Column("decided_by_user_id", sa.Uuid(), _user_fk(), nullable=False, index=True),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("rationale", sa.Text(), nullable=False),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("profession_slugs", JSONDocument, nullable=False),
    sa.Column("category_slugs", JSONDocument, nullable=False),
    sa.Column(
        "created_tool_id", sa.Uuid(), sa.ForeignKey("tools.id", ondelete=SET_NULL), nullable=True
    ),
    sa.Column("decided_at", UTCDateTime(), nullable=False),
)

# --- versions and runs (VER-01–VER-07) -----------------------------------------------------------

ACTIVE_STATE_WHERE = "state = 'active'"

tool_versions = sa.Table(
    "tool_versions",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column(
        "tool_id",
        sa.Uuid(),
        sa.ForeignKey("tools.id", ondelete=CASCADE),
        nullable=False,
        index=True,
    ),
    sa.Column("version_number", sa.Integer(), nullable=False),
    sa.Column("state", sa.String(32), nullable=False, index=True),
    sa.Column("source_code", sa.Text(), nullable=False),
    sa.Column("entrypoint", sa.String(128), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column(
        "derived_from_version_id",
        sa.Uuid(),
        sa.ForeignKey("tool_versions.id", ondelete=SET_NULL),
        nullable=True,
    ),
    sa.Column("created_by_user_id", sa.Uuid(), _user_fk(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
    sa.Column("submitted_for_review_by_user_id", sa.Uuid(), _user_fk(), nullable=True),
    sa.Column("submitted_for_review_at", UTCDateTime(), nullable=True),
    sa.Column("reviewed_by_user_id", sa.Uuid(), _user_fk(), nullable=True),
    sa.Column("reviewed_at", UTCDateTime(), nullable=True),
    sa.Column("published_by_user_id", sa.Uuid(), _user_fk(), nullable=True),
    sa.Column("published_at", UTCDateTime(), nullable=True),
    sa.Column("change_summary", sa.Text(), nullable=True),
    sa.Column("review_note", sa.Text(), nullable=True),
    # Contract 2 (migration 0002): the version's input schema as JSON; NULL for contract 1.
    sa.Column("input_schema", JSONDocument, nullable=True),
    sa.UniqueConstraint("tool_id", "version_number"),
    sa.Index("ix_tool_versions_tool_id_content_hash", "tool_id", "content_hash"),
    sa.Index(
        "ux_tool_versions_one_active_per_tool",
        "tool_id",
        unique=True,
        postgresql_where=sa.text(ACTIVE_STATE_WHERE),
        sqlite_where=sa.text(ACTIVE_STATE_WHERE),
    ),
)

tool_runs = sa.Table(
    "tool_runs",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column(
        "tool_id",
        sa.Uuid(),
        sa.ForeignKey("tools.id", ondelete=CASCADE),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "version_id", sa.Uuid(), sa.ForeignKey("tool_versions.id"), nullable=False, index=True
    ),
    sa.Column("context", sa.String(16), nullable=False),
    sa.Column("requested_by_user_id", sa.Uuid(), _user_fk(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("workdir_path", sa.Text(), nullable=False),
    sa.Column("input_files", JSONDocument, nullable=False),
    sa.Column("input_values", JSONDocument, nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=True),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Column("html_output", sa.Text(), nullable=True),
    sa.Column("stdout", sa.Text(), nullable=True),
    sa.Column("stderr", sa.Text(), nullable=True),
    sa.Column("error_summary", sa.Text(), nullable=True),
    sa.Column("artifacts", JSONDocument, nullable=False),
    # Migration 0004: why a failed or timed-out run did not succeed (RunFailure) and details.
    sa.Column("failure_code", sa.String(32), nullable=True),
    sa.Column("failure_details", JSONDocument, nullable=True),
    # Migration 0005: "host:pid:start-time" of the process whose in-memory queue holds the run
    # (start-up recovery fails only runs of dead owners); NULL for runs from before it.
    sa.Column("owner", sa.String(255), nullable=True),
    # Migration 0006: the name of the process that executed the run (a worker's --name).
    sa.Column("worker", sa.String(255), nullable=True),
    sa.Index("ix_tool_runs_status_created_at", "status", "created_at"),
)

# Migration 0006 (issue 10): the uploads of a run a worker on another machine executes; written
# with the queued row, deleted when the run ends.
run_inputs = sa.Table(
    "run_inputs",
    metadata,
    sa.Column(
        "run_id",
        sa.Uuid(),
        sa.ForeignKey("tool_runs.id", ondelete=CASCADE),
        primary_key=True,
    ),
    sa.Column("position", sa.Integer(), primary_key=True),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("data", sa.LargeBinary(), nullable=False),
)

# Keyset pagination of "my runs" (DESIGN §9: p99 ≤ 50 ms with 1M rows).
sa.Index(
    "ix_tool_runs_requested_by_created_at_id",
    tool_runs.c.requested_by_user_id,
    tool_runs.c.created_at.desc(),
    tool_runs.c.id.desc(),
)

# --- audit log (GOV-06, AMB-28): append-only, enforced by triggers ---

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("occurred_at", UTCDateTime(), nullable=False),
    sa.Column("actor_user_id", sa.Uuid(), _user_fk(), nullable=True, index=True),
    sa.Column("actor_label", sa.String(255), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("subject_type", sa.String(32), nullable=False),
    sa.Column("subject_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("details", JSONDocument, nullable=False),
    sa.Index("ix_audit_log_occurred_at_id", "occurred_at", "id"),
    sa.Index("ix_audit_log_action_occurred_at", "action", "occurred_at"),
)

AUDIT_APPEND_ONLY_MESSAGE = "audit_log is append-only"

# --- login throttle (ID-12, issue 10): shared by every web process ---

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer(), nullable=False),
    sa.Column("recent", JSONDocument, nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Index("ix_login_failures_expires_at", "expires_at"),
)
