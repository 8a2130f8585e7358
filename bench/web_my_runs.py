"""Mina körningar ("my runs") with 1,000,000 runs in PostgreSQL (DESIGN §9: p99 ≤ 50 ms).

    uv run python bench/web_my_runs.py --postgres postgresql://skt:skt@127.0.0.1:5432/skt_test
        [--runs 1000000] [--users 2000] [--heavy 20000] [--seconds 10] [--connections 8]

Creates a fresh database on that server (dropped afterwards; the role needs CREATEDB; the URL
defaults to $SKRIPTOTEKET_TEST_POSTGRES_URL), seeds 10 runnable tools and --users users through
the core and SQL, then inserts --runs runs in one ``INSERT … SELECT … FROM generate_series``
(minutes, not hours): one teacher has --heavy of them (one in seven a sandbox run), the rest are
spread over the other users. It prints the plan PostgreSQL picks for the page's query (the exact
SQL the repository sends, under ``EXPLAIN ANALYZE``), starts the real server (``skriptoteket
serve`` on 127.0.0.1 and a free port), logs the teacher in and measures ``/my-runs`` (the first
page, and a keyset page deep in the history) and a typical user's first page with
``wrk --latency``, with one connection (one user's latency) and --connections (under load).
Prints requests/s and p50/p99 and the machine's load; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import urllib.parse
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.runs import RunContext
from skriptoteket.settings import Settings
from skriptoteket_sql.engine import create_sync_engine_for
from skriptoteket_sql.migrations import AlembicMigrations
from web_catalog import TEACHER, seed
from webbench import HEADER, database, machine, require_wrk, row, serve, wrk

TYPICAL = "elev00001@bench.skriptoteket.se"
PAGE_SIZE = 50  # skriptoteket_web.pages.runs.PAGE_SIZE

# The users are one INSERT; they log in with the bench password hash copied from the teacher.
INSERT_USERS = """
INSERT INTO users (id, email, role, auth_provider, password_hash, is_active, created_at,
                   updated_at)
SELECT gen_random_uuid(), format('elev%s@bench.skriptoteket.se', lpad(i::text, 5, '0')), 'user',
       'local', (SELECT password_hash FROM users WHERE email = :teacher), true, now(), now()
FROM generate_series(1, :users) AS i
"""

# Runs in time order (as they are written): every runs/heavy-th the teacher's, the others spread
# evenly (by a hash) over the other users; one in 7 a sandbox run; statuses and outputs vary.
INSERT_RUNS = """
WITH t AS (
    SELECT array_agg(id ORDER BY slug) AS tools,
           array_agg(active_version_id ORDER BY slug) AS versions, count(*) AS n
    FROM tools
), u AS (
    SELECT array_agg(id ORDER BY email) AS ids, count(*) AS n
    FROM users WHERE email LIKE 'elev%%'
), heavy AS (SELECT id FROM users WHERE email = :teacher)
INSERT INTO tool_runs (id, tool_id, version_id, context, requested_by_user_id, status, created_at,
                       workdir_path, input_files, input_values, started_at, finished_at,
                       html_output, error_summary, artifacts)
SELECT gen_random_uuid(),
       t.tools[1 + i %% t.n], t.versions[1 + i %% t.n],
       CASE WHEN i %% 7 = 0 THEN 'sandbox' ELSE 'production' END,
       CASE WHEN i %% :every = 0 THEN heavy.id
            ELSE u.ids[1 + (hashtext(i::text) & 2147483647) %% u.n] END,
       CASE WHEN i %% 13 = 0 THEN 'failed' ELSE 'succeeded' END,
       timestamptz '2026-01-01 07:00+00' + i * interval '20 seconds',
       md5(i::text),
       '[{"name": "klasslista_7b.csv", "bytes": 1234, "field": "file"}]'::jsonb,
       '{}'::jsonb,
       timestamptz '2026-01-01 07:00+00' + i * interval '20 seconds' + interval '50 ms',
       timestamptz '2026-01-01 07:00+00' + i * interval '20 seconds' + interval '400 ms',
       CASE WHEN i %% 13 = 0 THEN NULL
            ELSE '<h2>Resultat</h2><p>28 elever, 56 vårdnadshavare.</p>' END,
       CASE WHEN i %% 13 = 0 THEN 'Filen saknar kolumnen E-post' END,
       CASE WHEN i %% 3 = 0
            THEN '[{"artifact_id": "output_lista_csv", "path": "output/lista.csv", "bytes": 900}]'
            ELSE '[]' END::jsonb
FROM generate_series(1, :runs) AS i, t, u, heavy
"""


async def seed_core(url: str, data_dir: Path) -> None:
    await asyncio.to_thread(AlembicMigrations(url).upgrade, "head")
    async with bootstrap(Settings(database_url=url, data_dir=data_dir)) as app:
        await seed(app, 10)


def seed_bulk(url: str, *, users: int, runs: int, heavy: int) -> None:
    engine = create_sync_engine_for(url)
    try:
        with engine.begin() as conn:
            started = time.perf_counter()
            conn.execute(sa.text(INSERT_USERS), {"teacher": TEACHER, "users": users})
            conn.exec_driver_sql(
                INSERT_RUNS.replace(":every", str(max(1, runs // heavy)))
                .replace(":teacher", "%(teacher)s")
                .replace(":runs", "%(runs)s"),
                {"teacher": TEACHER, "runs": runs},
            )
            print(
                f"inserted {users} users and {runs} runs in {time.perf_counter() - started:.0f} s"
            )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            started = time.perf_counter()
            conn.exec_driver_sql("VACUUM ANALYZE tool_runs")
            conn.exec_driver_sql("ANALYZE")
            print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")
            counts = conn.execute(
                sa.text(
                    "SELECT u.email, count(*) FROM tool_runs r JOIN users u "
                    "ON u.id = r.requested_by_user_id WHERE u.email IN (:a, :b) GROUP BY u.email"
                ),
                {"a": TEACHER, "b": TYPICAL},
            ).all()
            total = conn.exec_driver_sql("SELECT count(*) FROM tool_runs").scalar()
        print(f"tool_runs: {total} rows; " + ", ".join(f"{e}: {n}" for e, n in counts))
    finally:
        engine.dispose()


async def page_queries(url: str, data_dir: Path, deep: int) -> tuple[str, list[str]]:
    """The keyset cursor ``deep`` runs into the teacher's history, and the plans PostgreSQL
    picks for the page's query (first page and that deep page), from the SQL the repository
    itself sends."""
    async with bootstrap(Settings(database_url=url, data_dir=data_dir)) as app:
        teacher = await app.find_active_user(TEACHER)
        assert teacher is not None
        engine: Any = app.deps.uow.engine  # type: ignore[attr-defined]
        sent: list[tuple[str, Any]] = []

        def record(_c: Any, _cur: Any, statement: str, parameters: Any, *_a: Any) -> None:
            if "FROM tool_runs" in statement:
                sent.append((statement, parameters))

        sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
        await app.list_my_runs(teacher, context=RunContext.PRODUCTION, limit=PAGE_SIZE + 1)
        before: tuple[datetime, UUID] | None = None
        seen = 0
        while seen < deep:  # walk the history a page at a time, as "Äldre" does
            views = await app.list_my_runs(
                teacher, context=RunContext.PRODUCTION, limit=200, before=before
            )
            seen += len(views)
            before = (views[-1].run.created_at, views[-1].run.id)
        await app.list_my_runs(
            teacher, context=RunContext.PRODUCTION, limit=PAGE_SIZE + 1, before=before
        )
        sa.event.remove(engine.sync_engine, "before_cursor_execute", record)
        plans = []
        async with engine.connect() as conn:
            for statement, parameters in (sent[0], sent[-1]):
                result = await conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
                )
                plans.append("\n".join(r[0] for r in result))
    assert before is not None
    cursor = f"{before[0].isoformat()}_{before[1]}"
    return cursor, plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("SKRIPTOTEKET_TEST_POSTGRES_URL"))
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--heavy", type=int, default=20_000, help="runs of the one heavy user")
    parser.add_argument("--deep", type=int, default=15_000, help="runs skipped for the deep page")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    require_wrk()
    if not args.postgres:
        parser.error("--postgres URL is needed (or SKRIPTOTEKET_TEST_POSTGRES_URL)")
    with tempfile.TemporaryDirectory(prefix="skriptoteket-bench-") as tmp:
        work = Path(tmp)
        data_dir = work / "data"
        data_dir.mkdir()
        with database(args.postgres, data_dir / "unused.db") as url:
            asyncio.run(seed_core(url, data_dir))
            seed_bulk(url, users=args.users, runs=args.runs, heavy=args.heavy)
            cursor, plans = asyncio.run(page_queries(url, data_dir, args.deep))
            names = ("first page", f"page after {args.deep} runs")
            for name, plan in zip(names, plans, strict=True):
                print(f"\nEXPLAIN ANALYZE, {name}:\n{plan}")
            env = {"SKRIPTOTEKET_DATABASE_URL": url, "SKRIPTOTEKET_DATA_DIR": str(data_dir)}
            with serve(work, env) as server:
                teacher = server.login(TEACHER)
                typical = server.login(TYPICAL)
                deep_path = "/my-runs?" + urllib.parse.urlencode({"before": cursor})
                status, _, body = server.request("GET", deep_path, headers={"Cookie": teacher})
                if status != 200 or body.count(b'href="/my-runs/') < PAGE_SIZE:
                    raise RuntimeError(f"the deep page answered {status} without {PAGE_SIZE} runs")
                pages = (
                    ("/my-runs, first page (20,000-run user)", "/my-runs", teacher),
                    (f"/my-runs?before=… ({args.deep:,} runs deep)", deep_path, teacher),
                    ("/my-runs, first page (typical user)", "/my-runs", typical),
                )
                print(f"\n{args.runs:,} runs, {args.users} users, database postgresql")
                print(f"before: {machine()}")
                print(f"wrk: 1 and {args.connections} connections, {args.seconds} s a page\n")
                print(HEADER)
                for connections in sorted({1, args.connections}):
                    print(f"-- {connections} connection(s)")
                    for name, path, cookie in pages:
                        headers = {"Cookie": cookie}
                        wrk(server.base_url + path, headers=headers, seconds=2, connections=2)
                        result = wrk(
                            server.base_url + path,
                            headers=headers,
                            seconds=args.seconds,
                            connections=connections,
                            threads=min(2, connections),
                        )
                        print(row(name, result, target_rps=None, target_p99=50), flush=True)
                print(f"\nafter: {machine()}")
                print("target (DESIGN §9): p99 ≤ 50 ms")


if __name__ == "__main__":
    main()
