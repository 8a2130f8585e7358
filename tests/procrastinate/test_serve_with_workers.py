"""Issue 10 end to end over HTTP: the real ``skriptoteket serve`` with
``SKRIPTOTEKET_RUN_QUEUE=procrastinate`` queues a run posted to the JSON API, a
``skriptoteket worker`` subprocess executes it, the API shows the worker's name (null while
queued) and the artifact downloads through the web server; a cancel through the API stops a
run on the worker and answers with the final state. Real PostgreSQL, the local runner."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from skriptoteket.bootstrap import bootstrap
from skriptoteket.settings import Settings

from ..browser.harness import LOOPBACK, free_port  # noqa: TID252 (the workspace tests share it)
from ..test_logging_serve import http  # noqa: TID252
from .support import EMAIL, WorkerProcess, processes_mentioning, worker_env

API = "/api/v1"


@contextlib.contextmanager
def _serve(data_dir: Path, database_url: str, artifacts: Path) -> Iterator[str]:
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    base = f"http://{LOOPBACK}:{port}"
    with (data_dir / "serve.log").open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "skriptoteket_cli",
                "serve",
                "--host",
                LOOPBACK,
                "--port",
                str(port),
            ],
            env=worker_env(data_dir, database_url, SKRIPTOTEKET_ARTIFACTS_ROOT=str(artifacts)),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, (data_dir / "serve.log").read_text()
                with contextlib.suppress(OSError):
                    if http(base + "/health")[0] == 200:
                        break
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _post_run(base: str, token: str, slug: str, data: bytes) -> dict[str, Any]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="in.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _, answer = http(
        f"{base}{API}/tools/{slug}/runs",
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        body=body,
    )
    assert status == 202, answer
    run: dict[str, Any] = json.loads(answer)
    return run


def _get(base: str, token: str, path: str, method: str = "GET") -> tuple[int, bytes]:
    status, _, body = http(base + path, method=method, headers={"Authorization": f"Bearer {token}"})
    return status, body


def _wait(base: str, token: str, run_id: str, statuses: set[str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        status, body = _get(base, token, f"{API}/runs/{run_id}")
        assert status == 200, body
        run: dict[str, Any] = json.loads(body)
        if run["status"] in statuses or time.monotonic() > deadline:
            return run
        time.sleep(0.2)


async def test_serve_queues_a_worker_executes_and_the_api_shows_it(
    tmp_path: Path, queue_db: str
) -> None:
    async with bootstrap(Settings(data_dir=tmp_path / "seed", database_url=queue_db)) as app:
        root = await app.find_active_user(EMAIL)
        token = (await app.create_api_token(root, owner_email=EMAIL, name="test")).secret
    shared = tmp_path / "shared-artifacts"  # a disk both see (or SKRIPTOTEKET_ARTIFACT_STORE=s3)
    with _serve(tmp_path / "web", queue_db, shared) as base:
        queued = _post_run(base, token, "eko", b"hej hej")
        assert queued["status"] == "queued"
        assert queued["worker"] is None
        assert queued["queue_position"] == 1
        worker = WorkerProcess(
            "skolans-dator",
            tmp_path / "w1",
            queue_db,
            concurrency=1,
            env={"SKRIPTOTEKET_ARTIFACTS_ROOT": str(shared)},
        )
        try:
            done = _wait(base, token, queued["id"], {"succeeded", "failed"})
            assert done["status"] == "succeeded", (done, worker.log())
            assert done["worker"] == "skolans-dator"
            assert done["html_output"] == "<p>7 byte</p>"
            (artifact,) = done["artifacts"]
            status, content = _get(base, token, artifact["download_url"])
            assert (status, content) == (200, b"jeh jeh")  # stored by the worker

            slow = _post_run(base, token, "sov", b"120")
            running = _wait(base, token, slow["id"], {"running"})
            assert running["worker"] == "skolans-dator"
            began = time.monotonic()
            status, body = _get(base, token, f"{API}/runs/{slow['id']}/cancel", method="POST")
            assert status == 200, body
            assert json.loads(body)["status"] == "cancelled"
            assert time.monotonic() - began < 10
            assert not processes_mentioning(slow["id"])
        finally:
            worker.stop()
