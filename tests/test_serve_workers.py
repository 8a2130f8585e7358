"""Issue 10: ``skriptoteket serve --workers 2`` on PostgreSQL — two real web processes on one
port. Both answer pages; ``/metrics``, whichever process answers it, adds up the requests of
both (prometheus_client's multiprocess mode); the per-process series tell them apart by pid.

Several processes need a shared run queue (``RunQueueBackend.shared``). The queue backends that
are really shared come from other packages, so this test installs a tiny plugin the honest way —
an entry point in a ``.dist-info`` on the children's ``PYTHONPATH`` — whose backend says it is
shared. It reuses the in-process queue (no run is started here): only the serving is tested."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from skriptoteket.testing.processes import ServerProcess, cli_output

from .databases import fresh_postgres_database

pytestmark = pytest.mark.postgres

PLUGIN = """
from skriptoteket.builtin.plugin import create_inprocess_queue
from skriptoteket.plugins import RunQueueBackend, hookimpl


@hookimpl
def skriptoteket_register_run_queues():
    yield RunQueueBackend(
        name="test-shared", create=create_inprocess_queue, shared=True, description="tests"
    )
"""


def _install_plugin(root: Path) -> Path:
    root.mkdir()
    (root / "skt_shared_queue_test.py").write_text(PLUGIN)
    info = root / "skt_shared_queue_test-0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: skt-shared-queue-test\nVersion: 0.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[skriptoteket]\nshared-queue-test = skt_shared_queue_test\n"
    )
    return root


@pytest.fixture
def two_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)  # serve sets its own
    with fresh_postgres_database() as url:
        env = {
            "SKRIPTOTEKET_DATA_DIR": str(tmp_path / "data"),
            "SKRIPTOTEKET_DATABASE_URL": url,
            "SKRIPTOTEKET_RUN_QUEUE": "test-shared",
            "PYTHONPATH": str(_install_plugin(tmp_path / "plugins")),
        }
        cli_output(env, "db", "upgrade")
        server = ServerProcess.create(tmp_path, env, workers=2, name="serve")
        server.start()
        try:
            server.wait_healthy(timeout=90)
            yield server
        finally:
            server.stop(timeout=20)


def _samples(server: ServerProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, _, body = server.request("GET", "/metrics")
    assert status == 200, body
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def _login_pages(server: ServerProcess, count: int) -> None:
    def one(_: int) -> int:
        return server.request("GET", "/login")[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(one, range(count))) == {200}


def test_two_worker_processes_serve_one_port_and_metrics_add_up(
    two_workers: ServerProcess,
) -> None:
    server = two_workers
    sent = 0
    deadline = time.monotonic() + 120
    while True:
        _login_pages(server, 40)
        sent += 40
        samples = _samples(server)
        per_process = {
            dict(labels)["pid"]: value
            for (name, labels), value in samples.items()
            if name == "skriptoteket_http_requests_in_process"
        }
        if len([v for v in per_process.values() if v > 0]) >= 2:
            break
        assert time.monotonic() < deadline, f"one process answered everything: {per_process}"
    assert len(per_process) == 2, per_process  # two processes, each with its own series
    login = ("method", "GET"), ("route", "/login"), ("status", "200")
    assert samples[("skriptoteket_http_requests_total", login)] == sent  # both processes' sum
    assert sum(per_process.values()) >= sent
    waiting = samples[("skriptoteket_run_queue_waiting", ())]
    assert waiting == 0  # one value for the queue, not one per process
    assert not any(name.startswith("process_") for name, _ in samples)  # no one process's CPU
