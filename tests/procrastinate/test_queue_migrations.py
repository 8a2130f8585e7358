"""Issue 10: ``skriptoteket db upgrade`` applies the procrastinate package's Alembic branch
(Procrastinate's schema) with the sql backend's, ``db downgrade base`` removes both; the
schema check and ``db current`` speak of the sql branch. Real PostgreSQL, the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest
from skriptoteket_sql.migrations import head_revision

from ..databases import fresh_postgres_database  # noqa: TID252 (the workspace tests share it)


def _cli(url: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKRIPTOTEKET_")}
    env["SKRIPTOTEKET_DATABASE_URL"] = url
    done = subprocess.run(
        [sys.executable, "-m", "skriptoteket_cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        functions = conn.execute(
            "SELECT count(*) FROM pg_proc WHERE proname LIKE 'procrastinate%'"
        ).fetchone()
        types = conn.execute(
            "SELECT count(*) FROM pg_type WHERE typname LIKE 'procrastinate%'"
        ).fetchone()
    assert functions is not None
    assert types is not None
    extra = {"(functions)"} if functions[0] else set()
    return {str(r[0]) for r in rows} | extra | ({"(types)"} if types[0] else set())


@pytest.mark.postgres
def test_db_upgrade_and_downgrade_carry_the_procrastinate_branch() -> None:
    with fresh_postgres_database() as url:
        out = _cli(url, "db", "upgrade")
        head = head_revision()
        assert f"at revision {head} (head: {head})" in out
        tables = _tables(url)
        assert {"tool_runs", "run_inputs", "procrastinate_jobs", "procrastinate_workers"} <= tables
        assert {"(functions)", "(types)"} <= tables
        with psycopg.connect(url) as conn:
            versions = {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}
        assert versions == {head, "procrastinate_0001"}
        assert _cli(url, "db", "current").strip() == f"{head} (head)"
        _cli(url, "db", "upgrade")  # a no-op the second time
        _cli(url, "plugins")

        out = _cli(url, "db", "downgrade", "base")
        assert "(empty)" in out
        assert _tables(url) - {"alembic_version"} == set()

        _cli(url, "db", "upgrade")  # and back up: the queue's schema is whole again
        assert "procrastinate_jobs" in _tables(url)
