"""Issue 10 "Done means": many web processes and many workers on one PostgreSQL database, with
artifacts in a real S3 server (moto on loopback).

One cluster for the module, driven as an operator would drive it: ``skriptoteket db upgrade``,
``skriptoteket serve --workers 2`` and two ``skriptoteket worker`` processes with their own data
directories, all with ``SKRIPTOTEKET_RUN_QUEUE=procrastinate`` and
``SKRIPTOTEKET_ARTIFACT_STORE=s3``. Teachers' traffic goes through the JSON API with a bearer
token. The tests run in file order: each leaves the cluster running for the next.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.identity import Role
from skriptoteket.settings import Settings
from skriptoteket.testing.processes import (
    CliProcess,
    ServerProcess,
    process_env,
    processes_mentioning,
    worker_process,
)
from skriptoteket.testing.seeding import publish_tool
from skriptoteket.testing.services import service_missing

from .databases import fresh_postgres_database

SUM_TOOL = """\
from pathlib import Path

def run_tool(input_path, output_dir):
    total = sum(int(n) for n in Path(input_path).read_text().split())
    (Path(output_dir) / "summa.txt").write_text(str(total))
    return f"<p>Summa: {total}</p>"
"""

SLOW_TOOL = """\
import time

def run_tool(input_path, output_dir):
    time.sleep(float(open(input_path).read()))
    return "<p>Klar</p>"
"""

FINAL = {"succeeded", "failed", "cancelled", "timed_out"}
TEACHER = "larare@skolan.se"


@attrs.define
class Cluster:
    workdir: Path
    env: dict[str, str]
    token: str
    web: ServerProcess
    workers: dict[str, CliProcess]

    def start_web(self, workers: int = 2, name: str = "web") -> ServerProcess:
        web = ServerProcess.create(self.workdir, self.env, workers=workers, name=name)
        web.start()
        web.wait_healthy()
        return web

    def start_worker(self, name: str) -> CliProcess:
        worker = worker_process(self.workdir, self.env, name=name)
        worker.start()
        worker.wait_for_output("worker started")
        self.workers[name] = worker
        return worker

    def run(self, slug: str, content: bytes, name: str = "in.txt") -> dict[str, Any]:
        status, body = self.web.api(
            "POST", f"/tools/{slug}/runs", self.token, files=[(name, content)]
        )
        assert status == 202, body
        return dict(body)

    def get(self, run_id: str) -> dict[str, Any]:
        status, body = self.web.api("GET", f"/runs/{run_id}", self.token)
        assert status == 200, body
        return dict(body)

    def wait(self, run_id: str, *, until: set[str] = FINAL, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            run = self.get(run_id)
            if run["status"] in until:
                return run
            assert time.monotonic() < deadline, f"run {run_id} still {run['status']}"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def s3_env() -> Iterator[dict[str, str]]:
    try:
        from skriptoteket_s3.testing import ACCESS_KEY, SECRET_KEY, create_bucket, moto_server
    except ImportError as error:
        service_missing("s3", f"moto's S3 server is not installed ({error})")
        raise
    with moto_server() as endpoint:
        bucket = create_bucket(endpoint)
        yield {
            "SKRIPTOTEKET_ARTIFACT_STORE": "s3",
            "SKRIPTOTEKET_S3_BUCKET": bucket.name,
            "SKRIPTOTEKET_S3_ENDPOINT_URL": bucket.endpoint_url,
            "SKRIPTOTEKET_S3_REGION": bucket.region,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }


async def _seed(env: dict[str, str]) -> str:
    settings = Settings(database_url=env["SKRIPTOTEKET_DATABASE_URL"])
    async with bootstrap(settings) as app:
        root = await app.bootstrap_superuser(email="rektor@skolan.se", password="Kanelbulle-42")
        await app.create_user(root, email=TEACHER, password="Blabarssylt-17", role=Role.USER)
        await publish_tool(app, root, slug="summa", source_code=SUM_TOOL)
        await publish_tool(app, root, slug="langsam", source_code=SLOW_TOOL)
        issued = await app.create_api_token(root, owner_email=TEACHER, name="kluster")
        return issued.secret


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, s3_env: dict[str, str]) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("cluster")
    with fresh_postgres_database() as url:
        env = {
            **s3_env,
            "SKRIPTOTEKET_DATABASE_URL": url,
            "SKRIPTOTEKET_RUN_QUEUE": "procrastinate",
            "SKRIPTOTEKET_RUNNER": "local",
            "SKRIPTOTEKET_DATA_DIR": str(workdir / "data-web"),
        }
        subprocess.run(
            [sys.executable, "-m", "skriptoteket_cli", "db", "upgrade"],
            env=process_env(env),
            check=True,
            capture_output=True,
        )
        token = asyncio.run(_seed(env))
        found = Cluster(workdir=workdir, env=env, token=token, web=None, workers={})  # type: ignore[arg-type]
        found.web = found.start_web()
        try:
            found.start_worker("alfa")
            found.start_worker("beta")
            yield found
        finally:
            found.web.stop()
            for worker in found.workers.values():
                worker.stop()


def test_a_burst_of_60_runs_spreads_over_both_workers(cluster: Cluster) -> None:
    """Right answers, artifacts downloaded from the bucket, both workers used, and nothing of
    a run's artifacts left on a worker's disk."""
    with ThreadPoolExecutor(max_workers=12) as pool:
        queued = list(pool.map(lambda i: cluster.run("summa", f"{i} {i}".encode()), range(60)))
        finished = list(pool.map(lambda run: cluster.wait(run["id"]), queued))
    for i, run in enumerate(finished):
        assert run["status"] == "succeeded", run
        assert f"Summa: {2 * i}" in run["html_output"]
        (artifact,) = run["artifacts"]
        status, _, data = cluster.web.request(
            "GET",
            f"/api/v1/runs/{run['id']}/artifacts/{artifact['artifact_id']}",
            headers={"Authorization": f"Bearer {cluster.token}"},
        )
        assert (status, data) == (200, str(2 * i).encode())
    assert {run["worker"] for run in finished} == {"alfa", "beta"}
    for name in ("alfa", "beta"):
        left = [p for p in (cluster.workdir / f"data-{name}").rglob("summa.txt")]
        assert left == [], "artifacts must live in the bucket only"
        assert "artifacts of the runs" not in cluster.workers[name].output()  # no warning (s3)


def test_cancel_stops_a_run_on_whichever_worker_holds_it(cluster: Cluster) -> None:
    run = cluster.run("langsam", b"60")
    running = cluster.wait(run["id"], until={"running"}, timeout=30)
    assert running["worker"] in {"alfa", "beta"}
    deadline = time.monotonic() + 10
    while not processes_mentioning(run["id"]):
        assert time.monotonic() < deadline, "the sandbox never showed up"
        time.sleep(0.05)
    status, body = cluster.web.api("POST", f"/runs/{run['id']}/cancel", cluster.token)
    assert status == 200, body
    assert cluster.wait(run["id"], timeout=10)["status"] == "cancelled"
    deadline = time.monotonic() + 10
    while processes_mentioning(run["id"]):
        assert time.monotonic() < deadline, processes_mentioning(run["id"])
        time.sleep(0.1)


def test_a_worker_killed_mid_run_fails_that_run_within_60_s(cluster: Cluster) -> None:
    run = cluster.run("langsam", b"120")
    running = cluster.wait(run["id"], until={"running"}, timeout=30)
    victim = cluster.workers[running["worker"]]
    killed_at = time.monotonic()
    victim.kill()
    survivor = cluster.run("summa", b"20 22")  # the other worker keeps working meanwhile
    assert "Summa: 42" in cluster.wait(survivor["id"], timeout=30)["html_output"]
    final = cluster.wait(run["id"], timeout=75)
    assert time.monotonic() - killed_at < 60
    assert final["status"] == "failed"
    assert final["failure_code"] == "interrupted"
    cluster.start_worker(running["worker"])  # a new incarnation under the same name


def test_the_web_tier_killed_with_8_runs_in_flight_loses_none(cluster: Cluster) -> None:
    queued = [cluster.run("langsam", b"1") for _ in range(8)]
    cluster.web.kill()
    cluster.web = cluster.start_web(name="web-restarted")
    for run in queued:
        assert cluster.wait(run["id"], timeout=60)["status"] == "succeeded"


def test_a_second_serve_leaves_the_first_ones_runs_alone(cluster: Cluster) -> None:
    run = cluster.run("langsam", b"3")
    cluster.wait(run["id"], until={"running"}, timeout=30)
    second = cluster.start_web(workers=1, name="web-second")
    try:
        assert cluster.wait(run["id"], timeout=30)["status"] == "succeeded"
    finally:
        second.stop()


def test_nothing_is_left_queued_or_running(cluster: Cluster) -> None:
    async def unfinished() -> int:
        settings = Settings(database_url=cluster.env["SKRIPTOTEKET_DATABASE_URL"])
        async with bootstrap(settings) as app, app.deps.uow(readonly=True) as uow:
            return len(await uow.runs.list_unfinished())

    assert asyncio.run(unfinished()) == 0
