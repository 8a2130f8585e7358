"""Scale-out (issue 10): runs/s with 1 and 2 workers, and ``/katalog`` requests/s with
``serve --workers 1`` and ``--workers 2``, in one run, with the ratios.

    uv run python bench/cluster.py [--postgres URL] [--runs 120] [--seconds 10]
                                   [--connections 8] [--tools 1000]

Needs PostgreSQL (``--postgres``, default ``$SKRIPTOTEKET_TEST_POSTGRES_URL``; a database is
created there and dropped afterwards) and ``wrk``. Everything runs on this machine and talks
only to 127.0.0.1: ``skriptoteket serve`` and ``skriptoteket worker`` processes with
``SKRIPTOTEKET_RUN_QUEUE=procrastinate`` and the local runner.

- Runs: a trivial tool; ``--runs`` runs are started at once through the JSON API, and the time
  from the first start until every run is final gives runs/s; with one worker, then with two
  (each worker ``--concurrency 1``, so the ratio shows what a second worker adds).
- Catalog: 1,000 published tools, ``wrk`` on ``/katalog`` as a logged-in teacher at one
  connection and at ``--connections``, with one web process, then two.
Prints the figures, the ratios and the machine's load; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from skriptoteket.bootstrap import bootstrap
from skriptoteket.settings import Settings
from skriptoteket.testing.processes import CliProcess, ServerProcess, process_env, worker_process
from skriptoteket.testing.seeding import publish_tool
from web_catalog import TEACHER, seed
from webbench import HEADER, PASSWORD, Server, database, machine, require_wrk, row, wrk

TRIVIAL = "def run_tool(input_path, output_dir):\n    return '<p>ok</p>'\n"
FINAL = {"succeeded", "failed", "cancelled", "timed_out"}


def upgrade(env: dict[str, str]) -> None:
    """``skriptoteket db upgrade``, as an operator runs it (Procrastinate's schema included)."""
    subprocess.run(
        [sys.executable, "-m", "skriptoteket_cli", "db", "upgrade"],
        env=process_env(env),
        check=True,
        capture_output=True,
    )


async def prepare(env: dict[str, str], tools: int) -> str:
    async with bootstrap(Settings(database_url=env["SKRIPTOTEKET_DATABASE_URL"])) as app:
        await seed(app, tools)
        root = await app.find_active_user("rektor@bench.skriptoteket.se")
        assert root is not None
        await publish_tool(app, root, slug="trivialt", source_code=TRIVIAL)
        issued = await app.create_api_token(root, owner_email=TEACHER, name="bench")
        return issued.secret


def burst(web: ServerProcess, token: str, runs: int) -> tuple[float, int]:
    """Start ``runs`` runs at once; seconds until all are final, and how many succeeded."""

    def start(_: int) -> str:
        status, body = web.api("POST", "/tools/trivialt/runs", token, files=[("a.txt", b"1")])
        assert status == 202, body
        return str(body["id"])

    def finish(run_id: str) -> dict[str, Any]:
        while True:
            _, run = web.api("GET", f"/runs/{run_id}", token)
            if run["status"] in FINAL:
                return dict(run)
            time.sleep(0.02)

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(start, range(runs)))
        finished = list(pool.map(finish, ids))
    seconds = time.monotonic() - began
    return seconds, sum(run["status"] == "succeeded" for run in finished)


def runs_per_second(
    workdir: Path, env: dict[str, str], token: str, workers: int, runs: int
) -> float:
    web = ServerProcess.create(workdir, env, workers=1, name=f"web-runs-{workers}")
    started: list[CliProcess] = []
    web.start()
    try:
        web.wait_healthy()
        for n in range(workers):
            worker = worker_process(workdir, env, name=f"bench-{workers}-{n}")
            worker.start()
            worker.wait_for_output("worker started")
            started.append(worker)
        burst(web, token, 10)  # warm-up: imports, connections, ready launchers
        seconds, succeeded = burst(web, token, runs)
    finally:
        web.stop()
        for worker in started:
            worker.stop()
    rate = runs / seconds
    print(
        f"{workers} worker(s): {runs} runs in {seconds:.2f} s = {rate:.1f} runs/s "
        f"({succeeded} succeeded)"
    )
    return rate


def catalog(
    workdir: Path, env: dict[str, str], processes: int, seconds: int, connections: int
) -> dict[int, float]:
    web = Server.create(workdir, env, workers=processes, name=f"web-catalog-{processes}")
    web.start()
    rates: dict[int, float] = {}
    try:
        web.wait_healthy()
        cookie = web.login(TEACHER, PASSWORD)
        wrk(f"{web.base_url}/katalog", headers={"Cookie": cookie}, seconds=2, connections=2)
        for conns in (1, connections):
            result = wrk(
                f"{web.base_url}/katalog",
                headers={"Cookie": cookie},
                seconds=seconds,
                connections=conns,
                threads=min(2, conns),
            )
            rates[conns] = result.requests_per_second
            print(
                row(
                    f"/katalog, --workers {processes}, {conns} conn.",
                    result,
                    target_rps=None,
                    target_p99=50,
                )
            )
    finally:
        web.stop()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("SKRIPTOTEKET_TEST_POSTGRES_URL"))
    parser.add_argument("--runs", type=int, default=120)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--tools", type=int, default=1000)
    args = parser.parse_args()
    if not args.postgres:
        print("bench/cluster.py needs PostgreSQL: --postgres postgresql://…", file=sys.stderr)
        raise SystemExit(2)
    require_wrk()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp, database(args.postgres, Path(tmp) / "x") as url:
        workdir = Path(tmp)
        env = {
            "SKRIPTOTEKET_DATABASE_URL": url,
            "SKRIPTOTEKET_RUN_QUEUE": "procrastinate",
            "SKRIPTOTEKET_RUNNER": "local",
            "SKRIPTOTEKET_DATA_DIR": str(workdir / "data-web"),
        }
        upgrade(env)
        token = asyncio.run(prepare(env, args.tools))
        one = runs_per_second(workdir, env, token, 1, args.runs)
        two = runs_per_second(workdir, env, token, 2, args.runs)
        print(HEADER)
        single = catalog(workdir, env, 1, args.seconds, args.connections)
        double = catalog(workdir, env, 2, args.seconds, args.connections)
    print()
    print(f"runs/s, 2 workers / 1 worker: {two / one:.2f}")
    for conns in single:
        print(
            f"/katalog req/s at {conns} conn., --workers 2 / --workers 1: "
            f"{double[conns] / single[conns]:.2f}"
        )
    print(f"machine after: {machine()}")


if __name__ == "__main__":
    main()
