"""ARCH-10: every migration goes up, up again (no-op), down to base and up, on SQLite and
PostgreSQL, followed by a smoke check of the schema and the CAT-02 seed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from skriptoteket.builtin.memory.state import MemoryState
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.taxonomy import seed_profession_id
from skriptoteket_sql import tables
from skriptoteket_sql.engine import create_sync_engine_for
from skriptoteket_sql.migrations import AlembicMigrations, head_revision
from skriptoteket_sql.tables import metadata

EXPECTED_TABLES = {
    "users",
    "sessions",
    "api_tokens",
    "nominations",
    "professions",
    "categories",
    "profession_categories",
    "tools",
    "tool_professions",
    "tool_categories",
    "tool_maintainers",
    "script_suggestions",
    "script_suggestion_decisions",
    "tool_versions",
    "tool_runs",
    "run_inputs",
    "audit_log",
    "login_failures",
}


def _user_tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def _smoke_check(engine: sa.Engine) -> None:
    inspector = sa.inspect(engine)
    assert _user_tables(engine) == EXPECTED_TABLES
    indexes = {ix["name"]: ix for ix in inspector.get_indexes("tool_versions")}
    active = indexes["ux_tool_versions_one_active_per_tool"]
    assert active["unique"]
    assert active["column_names"] == ["tool_id"]
    uniques = {uq["name"] for uq in inspector.get_unique_constraints("tool_versions")}
    assert "uq_tool_versions_tool_id_version_number" in uniques
    assert "uq_users_email" in {uq["name"] for uq in inspector.get_unique_constraints("users")}
    run_indexes = {ix["name"] for ix in inspector.get_indexes("tool_runs")}
    assert "ix_tool_runs_requested_by_created_at_id" in run_indexes
    tool_indexes = {ix["name"] for ix in inspector.get_indexes("tools")}
    assert "ix_tools_is_published_title_slug" in tool_indexes
    assert "ix_tools_is_published" not in tool_indexes

    memory = MemoryState()
    memory.seed_taxonomy()
    with engine.connect() as conn:
        professions = conn.execute(
            sa.text("SELECT id, slug, label, sort_order FROM professions ORDER BY sort_order")
        ).all()
        categories = conn.execute(sa.text("SELECT id, slug, label FROM categories")).all()
        links = conn.execute(
            sa.text(
                "SELECT p.slug, c.slug, pc.sort_order FROM profession_categories pc "
                "JOIN professions p ON p.id = pc.profession_id "
                "JOIN categories c ON c.id = pc.category_id"
            )
        ).all()
    assert [(p.slug, p.label, p.sort_order) for p in professions] == [
        ("larare", "Lärare", 10),
        ("specialpedagog", "Specialpedagog", 20),
        ("skoladministrator", "Skoladministratör", 30),
        ("rektor", "Rektor", 40),
        ("gemensamt", "Gemensamt", 50),
    ]
    assert len(categories) == 4
    assert len(links) == 20
    assert {order for _, _, order in links} == {10, 20, 30, 40}
    assert {(p, c): o for p, c, o in links} == memory.links
    # Same ids as the in-memory seed (uuid5 over TAXONOMY_NAMESPACE).
    assert {p.slug: uuid.UUID(str(p.id)) for p in professions} == {
        slug: p.id for slug, p in memory.professions.items()
    }
    assert {c.slug: uuid.UUID(str(c.id)) for c in categories} == {
        slug: c.id for slug, c in memory.categories.items()
    }


def test_upgrade_twice_downgrade_base_upgrade_then_smoke_check(empty_db_url: str) -> None:
    """ARCH-10 on both engines."""
    migrations = AlembicMigrations(empty_db_url)
    assert migrations.current() is None
    assert migrations.head() == head_revision() == "0008"

    migrations.upgrade("head")
    assert migrations.current() == "0008"
    migrations.upgrade("head")  # no-op
    assert migrations.current() == "0008"

    migrations.downgrade("base")
    assert migrations.current() is None
    engine = create_sync_engine_for(empty_db_url)
    try:
        assert _user_tables(engine) == set()
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                functions = conn.execute(
                    sa.text("SELECT count(*) FROM pg_proc WHERE proname = 'audit_log_append_only'")
                ).scalar()
            assert functions == 0

        migrations.upgrade("head")
        assert migrations.current() == "0008"
        _smoke_check(engine)
    finally:
        engine.dispose()


def test_migrations_match_the_table_metadata(db_url: str) -> None:
    """The explicit create_table calls and ``tables.py`` describe the same schema."""
    engine = create_sync_engine_for(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["", "   "])
def test_empty_url_fails_loudly(url: str) -> None:
    """CFG-02."""
    with pytest.raises(DomainError) as info:
        AlembicMigrations(url)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert "SKRIPTOTEKET_DATABASE_URL" in info.value.message


def test_unsupported_scheme_is_rejected() -> None:
    with pytest.raises(DomainError) as info:
        AlembicMigrations("mysql://u:secret@localhost/db").upgrade()
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert "secret" not in str(info.value.details)


def _seed_one_tool(engine: sa.Engine) -> tuple[uuid.UUID, uuid.UUID]:
    """A superuser and a tool with its active version and one profession (schema 0002+);
    returns (user id, version id)."""
    now = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    user_id, tool_id, version_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            tables.users.insert().values(
                id=user_id,
                email="rektor@skolan.se",
                role="superuser",
                auth_provider="local",
                created_at=now,
                updated_at=now,
            )
        )
        conn.execute(
            tables.tools.insert().values(
                id=tool_id,
                slug="mejl-bcc",
                title="Mejllista för VÅRDNADSHAVARE",
                summary="Åk 7–9",
                is_published=False,
                created_at=now,
                updated_at=now,
            )
        )
        conn.execute(
            tables.tool_versions.insert().values(
                id=version_id,
                tool_id=tool_id,
                version_number=1,
                state="active",
                source_code="def run_tool(i, o):\n    return ''\n",
                entrypoint="run_tool",
                content_hash="0" * 64,
                created_by_user_id=user_id,
                created_at=now,
            )
        )
        conn.execute(
            tables.tools.update()
            .where(tables.tools.c.id == tool_id)
            .values(active_version_id=version_id)
        )
        conn.execute(
            tables.tool_professions.insert().values(
                tool_id=tool_id, profession_id=seed_profession_id("larare"), position=0
            )
        )
    return user_id, version_id


def _insert_run(
    conn: sa.Connection, run_id: uuid.UUID, *, status: str, now: datetime, **columns: object
) -> None:
    """A production run of the tool of ``_seed_one_tool`` by its superuser, with ``columns``
    (those of the schema at hand) on top."""
    tool_id, version_id = conn.execute(
        sa.select(tables.tool_versions.c.tool_id, tables.tool_versions.c.id)
    ).one()
    conn.execute(
        tables.tool_runs.insert().values(
            id=run_id,
            tool_id=tool_id,
            version_id=version_id,
            context="production",
            requested_by_user_id=conn.execute(sa.select(tables.users.c.id)).scalar_one(),
            status=status,
            created_at=now,
            workdir_path=str(run_id),
            input_files=[],
            input_values={},
            artifacts=[],
            **columns,
        )
    )


def test_0003_fills_search_text_and_its_downgrade_keeps_every_row(empty_db_url: str) -> None:
    """Issue 4 / DESIGN §9: 0003 folds existing tools' title, summary and slug into
    ``tools.search_text``; going down drops only that column (no copy of ``tools`` that would
    cascade to its versions, tags and runs)."""
    migrations = AlembicMigrations(empty_db_url)
    migrations.upgrade("0002")
    engine = create_sync_engine_for(empty_db_url)
    try:
        _, version_id = _seed_one_tool(engine)
        migrations.upgrade("0003")
        with engine.connect() as conn:
            text = conn.execute(sa.text("SELECT search_text FROM tools")).scalar_one()
        assert text == "mejllista för vårdnadshavare\nåk 7–9\nmejl-bcc"
        migrations.downgrade("0002")
        with engine.connect() as conn:
            assert "search_text" not in {c["name"] for c in sa.inspect(conn).get_columns("tools")}
            counts = [
                conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("tools", "tool_versions", "tool_professions")
            ]
            active = conn.execute(sa.text("SELECT active_version_id FROM tools")).scalar_one()
        assert counts == [1, 1, 1]
        assert uuid.UUID(str(active)) == version_id
    finally:
        engine.dispose()


def test_0004_classifies_existing_runs_by_their_old_summaries(empty_db_url: str) -> None:
    """Issue 9 item 6: runs from before failure codes get the code their English summary
    meant, so the web never has to read a summary again; going down drops only the columns."""
    migrations = AlembicMigrations(empty_db_url)
    migrations.upgrade("0003")
    engine = create_sync_engine_for(empty_db_url)
    old = {
        ("timed_out", "Execution timed out."): "timeout",
        ("failed", "Execution failed (runner contract violation)."): "invalid_result",
        ("failed", "Execution failed (artifact extraction violation)."): "output_not_allowed",
        ("failed", "Execution failed (internal error)."): "internal",
        (
            "failed",
            "Execution failed (the tool was stopped: it used too much memory or too many "
            "processes).",
        ): "memory",
        (
            "failed",
            "Execution failed (the tool was stopped: it wrote more than its work area holds).",
        ): "disk",
        ("failed", "Tool execution failed (KeyError)."): "tool_error",
        ("failed", "Tool execution failed (MemoryError)."): "memory",
        ("failed", "SyntaxError: invalid syntax (line 1, col 5)"): "syntax_error",
        ("failed", "The run queue is full; retry in a moment"): "queue_full",
        ("failed", "The Docker engine is not reachable (x); start it"): "engine_unavailable",
        ("failed", "Körningen avbröts eftersom servern startades om. Försök igen."): "interrupted",
        ("failed", "Filen saknar kolumnen E-post"): "user_error",
        ("failed", None): "internal",
        ("succeeded", None): None,
        ("cancelled", "Körningen avbröts."): None,
    }
    try:
        _seed_one_tool(engine)
        now = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
        ids = {key: uuid.uuid4() for key in old}
        with engine.begin() as conn:
            for (status, summary), run_id in ids.items():
                _insert_run(conn, run_id, status=status, now=now, error_summary=summary)
        migrations.upgrade("0004")
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(tables.tool_runs.c.id, tables.tool_runs.c.failure_code)
            ).all()
        codes = {row[0]: row[1] for row in rows}
        assert {key: codes[run_id] for key, run_id in ids.items()} == old
        migrations.downgrade("0003")
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("tool_runs")}
            count = conn.execute(sa.text("SELECT count(*) FROM tool_runs")).scalar_one()
        assert "failure_code" not in columns
        assert count == len(old)
    finally:
        engine.dispose()


def test_0005_adds_the_run_owner_and_drops_only_it(empty_db_url: str) -> None:
    """Issue 10 (owner-aware start-up recovery): runs from before owners read NULL (recovered as
    before); an owner is stored; going down drops only the column, the runs stay."""
    migrations = AlembicMigrations(empty_db_url)
    migrations.upgrade("0004")
    engine = create_sync_engine_for(empty_db_url)
    try:
        _seed_one_tool(engine)
        now = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
        old_run, new_run = uuid.uuid4(), uuid.uuid4()
        with engine.begin() as conn:
            _insert_run(conn, old_run, status="running", now=now)
        migrations.upgrade("0005")
        owner = "skolserver:4242:" + "9" * 230  # long values fit (String(255))
        with engine.begin() as conn:
            _insert_run(conn, new_run, status="running", now=now, owner=owner)
            owners = dict(
                conn.execute(sa.select(tables.tool_runs.c.id, tables.tool_runs.c.owner)).all()
            )
        assert owners == {old_run: None, new_run: owner}
        migrations.downgrade("0004")
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("tool_runs")}
            count = conn.execute(sa.text("SELECT count(*) FROM tool_runs")).scalar_one()
        assert "owner" not in columns
        assert "failure_code" in columns
        assert count == 2
    finally:
        engine.dispose()


def test_0008_adds_the_chosen_language_and_drops_only_it(empty_db_url: str) -> None:
    """Issue 11 (the UI stays Swedish unless the person chose): 0008 adds the nullable
    ``users.preferred_language``; existing users get NULL (the default language); going down
    drops only that column, the users stay."""
    migrations = AlembicMigrations(empty_db_url)
    migrations.upgrade("0007")
    engine = create_sync_engine_for(empty_db_url)
    try:
        user_id, _ = _seed_one_tool(engine)
        assert "preferred_language" not in _columns(engine, "users")
        migrations.upgrade("0008")
        with engine.begin() as conn:
            before = conn.execute(sa.select(tables.users.c.preferred_language)).scalar_one()
            conn.execute(
                tables.users.update()
                .where(tables.users.c.id == user_id)
                .values(preferred_language="en")
            )
            after = conn.execute(sa.select(tables.users.c.preferred_language)).scalar_one()
        assert (before, after) == (None, "en")
        migrations.downgrade("0007")
        assert migrations.current() == "0007"
        assert "preferred_language" not in _columns(engine, "users")
        with engine.connect() as conn:
            emails = conn.execute(sa.select(sa.text("email")).select_from(sa.text("users")))
            assert len(emails.all()) == 1
    finally:
        engine.dispose()


def _columns(engine: sa.Engine, table: str) -> set[str]:
    with engine.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def test_0007_adds_login_failures_and_drops_only_it(empty_db_url: str) -> None:
    """Issue 10 (the login throttle shared by web processes): 0007 creates ``login_failures``
    whose rows keep aware times and JSON lists; going down drops only that table."""
    migrations = AlembicMigrations(empty_db_url)
    migrations.upgrade("0005")
    engine = create_sync_engine_for(empty_db_url)
    try:
        assert "login_failures" not in _user_tables(engine)
        _seed_one_tool(engine)
        migrations.upgrade("0007")
        expires = datetime(2026, 11, 1, 8, 15, tzinfo=UTC)
        recent = ["2026-11-01T08:00:00.250000+00:00"]
        with engine.begin() as conn:
            conn.execute(
                tables.login_failures.insert().values(
                    key="f" * 64, failures=6, recent=recent, expires_at=expires
                )
            )
            row = conn.execute(sa.select(tables.login_failures)).one()
        assert (row.key, row.failures, row.recent, row.expires_at) == (
            "f" * 64, 6, recent, expires
        )  # fmt: skip
        migrations.downgrade("0005")
        assert "login_failures" not in _user_tables(engine)
        with engine.connect() as conn:
            users_left = conn.execute(sa.select(sa.func.count()).select_from(tables.users))
            assert users_left.scalar_one() == 1
            columns = {c["name"] for c in sa.inspect(conn).get_columns("tool_runs")}
        assert "owner" in columns
    finally:
        engine.dispose()


def test_0006_adds_the_run_worker_and_inputs_and_drops_only_them(empty_db_url: str) -> None:
    """Issue 10 (Procrastinate queue): a run's worker name and its stored uploads (bytes kept
    exactly, deleted with the run); going down drops only them, the runs stay."""
    migrations = AlembicMigrations(empty_db_url)
    migrations.upgrade("0005")
    engine = create_sync_engine_for(empty_db_url)
    try:
        _seed_one_tool(engine)
        now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
        old_run, new_run = uuid.uuid4(), uuid.uuid4()
        with engine.begin() as conn:
            _insert_run(conn, old_run, status="queued", now=now)
        migrations.upgrade("0006")
        data = bytes(range(256)) * 4
        with engine.begin() as conn:
            _insert_run(conn, new_run, status="queued", now=now, worker="w1:7")
            conn.execute(
                tables.run_inputs.insert(),
                [
                    {"run_id": new_run, "position": 0, "name": "a.csv", "data": data},
                    {"run_id": new_run, "position": 1, "name": "b.txt", "data": b""},
                ],
            )
            workers = dict(
                conn.execute(sa.select(tables.tool_runs.c.id, tables.tool_runs.c.worker)).all()
            )
            stored = (
                conn.execute(
                    sa.select(tables.run_inputs.c.data).order_by(tables.run_inputs.c.position)
                )
                .scalars()
                .all()
            )
        assert workers == {old_run: None, new_run: "w1:7"}
        assert [bytes(d) for d in stored] == [data, b""]
        with engine.begin() as conn:  # the inputs go with their run
            conn.execute(tables.tool_runs.delete().where(tables.tool_runs.c.id == new_run))
            left = conn.execute(sa.text("SELECT count(*) FROM run_inputs")).scalar_one()
        assert left == 0
        migrations.downgrade("0005")
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("tool_runs")}
            table_names = set(sa.inspect(conn).get_table_names())
            count = conn.execute(sa.text("SELECT count(*) FROM tool_runs")).scalar_one()
        assert "worker" not in columns
        assert "owner" in columns
        assert "run_inputs" not in table_names
        assert count == 1
    finally:
        engine.dispose()
