"""Issue 10 end to end over HTTP: the real ``skriptoteket serve`` with
``SKRIPTOTEKET_RUN_QUEUE=procrastinate`` queues a run posted to the JSON API, a
``skriptoteket worker`` subprocess executes it, the API shows the worker's name (null while
queued) and the artifact downloads through the web server; a cancel through the API stops a
run on the worker and answers with the final state. Real PostgreSQL, the local runner."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from skriptoteket.bootstrap import bootstrap
from skriptoteket.settings import Settings
from skriptoteket.testing.processes import ServerProcess, processes_mentioning

from .support import EMAIL, queue_env, start_worker


def _wait(server: ServerProcess, token: str, run_id: str, statuses: set[str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        status, run = server.api("GET", f"/runs/{run_id}", token)
        assert status == 200, run
        if run["status"] in statuses or time.monotonic() > deadline:
            return dict(run)
        time.sleep(0.2)


async def test_serve_queues_a_worker_executes_and_the_api_shows_it(
    tmp_path: Path, queue_db: str
) -> None:
    async with bootstrap(Settings(data_dir=tmp_path / "seed", database_url=queue_db)) as app:
        root = await app.find_active_user(EMAIL)
        token = (await app.create_api_token(root, owner_email=EMAIL, name="test")).secret
    shared = tmp_path / "shared-artifacts"  # a disk both see (or SKRIPTOTEKET_ARTIFACT_STORE=s3)
    env = queue_env(
        queue_db,
        SKRIPTOTEKET_DATA_DIR=str(tmp_path / "web"),
        SKRIPTOTEKET_ARTIFACTS_ROOT=str(shared),
    )
    server = ServerProcess.create(tmp_path, env)
    server.start()
    worker = None
    try:
        server.wait_healthy()
        status, queued = server.api(
            "POST", "/tools/eko/runs", token, files=[("in.txt", b"hej hej")]
        )
        assert status == 202, queued
        assert queued["status"] == "queued"
        assert queued["worker"] is None
        assert queued["queue_position"] == 1
        worker = start_worker(
            tmp_path,
            queue_db,
            "skolans-dator",
            concurrency=1,
            SKRIPTOTEKET_ARTIFACTS_ROOT=str(shared),
        )
        done = _wait(server, token, queued["id"], {"succeeded", "failed"})
        assert done["status"] == "succeeded", (done, worker.output())
        assert done["worker"] == "skolans-dator"
        assert done["html_output"] == "<p>7 byte</p>"
        (artifact,) = done["artifacts"]
        status, _, content = server.request(
            "GET", artifact["download_url"], headers={"Authorization": f"Bearer {token}"}
        )
        assert (status, content) == (200, b"jeh jeh")  # stored by the worker

        status, slow = server.api("POST", "/tools/sov/runs", token, files=[("in.txt", b"120")])
        assert status == 202, slow
        running = _wait(server, token, slow["id"], {"running"})
        assert running["worker"] == "skolans-dator"
        began = time.monotonic()
        status, cancelled = server.api("POST", f"/runs/{slow['id']}/cancel", token)
        assert status == 200, cancelled
        assert cancelled["status"] == "cancelled"
        assert time.monotonic() - began < 10
        assert not processes_mentioning(slow["id"])
    finally:
        if worker is not None:
            worker.stop()
        server.stop(timeout=30)
