"""Several workers share one Docker engine (issue 10): each worker's warm pool and start-up sweep
touch only the containers it created. Worker A stands for another worker process on this host:
its containers carry the process identity of a real live process (a ``sleep``); worker B is this
process. Both run tools while the other's containers exist (RUN-11, DESIGN §2 many machines)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from skriptoteket.builtin.process_identity import owner_of, process_start_time
from skriptoteket.ports.execution import RunJob, RunnerOutcome
from skriptoteket.settings import Settings
from skriptoteket_docker.containers import INSTANCE, WORKER, Engine, SandboxSpec
from skriptoteket_docker.ownership import Owner
from skriptoteket_docker.runner import DockerRunner

pytestmark = pytest.mark.docker
MakeJob = Callable[..., RunJob]
HOST = socket.gethostname()
SLOW = "import time\ndef run_tool(i, o):\n    time.sleep(4)\n    return 'slow done'\n"
QUICK = "def run_tool(i, o):\n    return 'quick done'\n"


@pytest.fixture
def other_process() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(["sleep", "300"])
    yield process
    process.kill()
    process.wait()


def identity(process: subprocess.Popen[bytes]) -> str:
    return owner_of(HOST, process.pid, process_start_time(process.pid) or "?")


def html_of(outcome: RunnerOutcome) -> str:
    assert outcome.result_json is not None, outcome.stderr
    return str(json.loads(outcome.result_json)["html_output"])


def worker_engine(owner: Owner) -> Callable[[], Engine]:
    def connect() -> Engine:
        return Engine(Engine.connect().client, owner)

    return connect


def labelled(engine: Engine, worker: str) -> set[str]:
    return {c.id for c in engine.managed() if c.labels.get(WORKER) == worker}


def exists(engine: Engine, container_id: str) -> bool:
    return any(c.id == container_id for c in engine.managed())


async def started(runner: DockerRunner) -> DockerRunner:
    await runner.started()
    assert runner.pool is not None
    await asyncio.to_thread(runner.pool.wait_filled)
    return runner


async def test_two_workers_keep_their_pools_and_running_sandboxes_apart(
    engine: Engine,
    tmp_path: Path,
    make_job: MakeJob,
    docker_settings: Callable[..., Settings],
    other_process: subprocess.Popen[bytes],
) -> None:
    a_owner = Owner(instance=identity(other_process), worker="worker-a")
    a = await started(
        DockerRunner(
            docker_settings(tmp_path / "a", runner_pool_size=2),
            engine_factory=worker_engine(a_owner),
        )
    )
    b: DockerRunner | None = None
    try:
        assert a.pool is not None
        a_pool = set(a.pool.ready_ids())
        assert len(a_pool) == 2
        assert labelled(engine, "worker-a") == a_pool
        # A runs a tool: its sandbox is running when B starts and sweeps.
        slow = asyncio.create_task(a.run(make_job(tmp_path / "a-ws", SLOW)))
        for _ in range(100):
            if a._active:
                break
            await asyncio.sleep(0.05)
        (a_running,) = a._active
        b = await started(
            DockerRunner(
                docker_settings(tmp_path / "b", runner_pool_size=2, worker_name="worker-b")
            )
        )
        assert b.pool is not None
        b_pool = set(b.pool.ready_ids())
        assert len(b_pool) == 2
        assert labelled(engine, "worker-b") == b_pool
        assert not b_pool & labelled(engine, "worker-a")
        assert not (a_pool | {a_running}) & set(b.swept)
        assert exists(engine, a_running)
        assert all(exists(engine, c) for c in a.pool.ready_ids())
        # Both still run tools, each from its own pool.
        quick = await b.run(make_job(tmp_path / "b-ws", QUICK))
        assert quick.diagnostics["pool"] == "warm"
        assert any(c.startswith(quick.diagnostics["container"]) for c in b_pool)
        assert html_of(quick) == "quick done"
        slow_outcome = await slow
        assert html_of(slow_outcome) == "slow done"
        assert any(c.startswith(slow_outcome.diagnostics["container"]) for c in a_pool)
    finally:
        if b is not None:
            await b.close()
        await a.close()
    assert not labelled(engine, "worker-a") | labelled(engine, "worker-b")


async def test_sweep_removes_a_dead_same_host_worker_s_containers_and_spares_another_host_s(
    engine: Engine,
    tmp_path: Path,
    docker_settings: Callable[..., Settings],
    other_process: subprocess.Popen[bytes],
) -> None:
    spec = SandboxSpec.from_settings(docker_settings(tmp_path))
    dead_engine = Engine(engine.client, Owner(identity(other_process), "worker-dead"))
    dead = dead_engine.create(spec, {})
    other_process.kill()
    other_process.wait()  # worker-dead's process is gone: its container is an orphan
    elsewhere = Engine(engine.client, Owner("worker-host-2:4242:987654", "worker-remote"))
    remote = elsewhere.create(spec, {})
    await asyncio.to_thread(engine.client.api.start, remote.id)  # a sandbox running there
    earlier = Engine(engine.client, Owner("old-hostname:7:12345", "worker-b")).create(spec, {})
    try:
        runner = DockerRunner(docker_settings(tmp_path, runner_pool_size=0, worker_name="worker-b"))
        await runner.started()
        await runner.close()
        assert dead.id in runner.swept
        assert not exists(engine, dead.id)
        assert earlier.id in runner.swept  # an earlier incarnation of worker-b
        assert not exists(engine, earlier.id)
        assert remote.id not in runner.swept
        assert exists(engine, remote.id)
        info = engine.client.api.inspect_container(remote.id)
        assert info["State"]["Running"]
        assert info["Config"]["Labels"][INSTANCE] == "worker-host-2:4242:987654"
    finally:
        for container in (dead, remote, earlier):
            engine.remove(container.id)
