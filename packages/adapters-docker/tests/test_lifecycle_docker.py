"""Warm pool, orphan sweep, cancellation and containers killed from outside (DESIGN §5)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.ports.execution import RunJob
from skriptoteket.settings import Settings
from skriptoteket_docker.containers import INSTANCE, WORKER, Engine, SandboxSpec
from skriptoteket_docker.runner import DockerRunner

pytestmark = pytest.mark.docker
MakeJob = Callable[..., RunJob]
SLEEPER = "import time\ndef run_tool(i, o):\n    time.sleep(30)\n    return ''\n"


def _owned_by(instance: str) -> dict[str, str]:
    """The labels of a container another process created (its worker name is its identity)."""
    return {INSTANCE: instance, WORKER: instance}


def _exists(engine: Engine, container_id: str) -> bool:
    return any(c.id == container_id for c in engine.client.containers.list(all=True))


async def test_pool_containers_exist_before_the_request_and_are_used_once(
    runner: DockerRunner, engine: Engine, tmp_path: Path, make_job: MakeJob
) -> None:
    assert runner.pool is not None
    (before,) = runner.pool.ready_ids()
    info = engine.client.api.inspect_container(before)
    assert info["State"]["Running"]  # started, its agent waiting for the job on stdin
    source = "def run_tool(i, o):\n    return 'ok'\n"
    outcome = await runner.run(make_job(tmp_path / "a", source))
    assert outcome.diagnostics["pool"] == "warm"
    assert before.startswith(outcome.diagnostics["container"])
    await runner.settle()
    assert not _exists(engine, before)  # destroyed after its one run
    runner.pool.wait_filled()
    (refilled,) = runner.pool.ready_ids()
    assert refilled != before
    second = await runner.run(make_job(tmp_path / "b", source))
    assert refilled.startswith(second.diagnostics["container"])


async def test_empty_pool_runs_cold(
    engine: Engine, tmp_path: Path, make_job: MakeJob, docker_settings: Callable[..., Settings]
) -> None:
    runner = DockerRunner(docker_settings(tmp_path, runner_pool_size=0))
    try:
        outcome = await runner.run(
            make_job(tmp_path / "ws", "def run_tool(i, o):\n    return 'x'\n")
        )
        assert outcome.diagnostics["pool"] == "cold"
        assert json.loads(outcome.result_json or b"{}")["html_output"] == "x"
    finally:
        await runner.close()


async def test_concurrent_runs_each_get_a_fresh_container(
    runner: DockerRunner, tmp_path: Path, make_job: MakeJob
) -> None:
    source = "import os\ndef run_tool(i, o):\n    return str(len(os.listdir('/sandbox')))\n"
    jobs = [make_job(tmp_path / f"w{n}", source) for n in range(4)]
    outcomes = await asyncio.gather(*(runner.run(job) for job in jobs))
    containers = {o.diagnostics["container"] for o in outcomes}
    assert len(containers) == 4
    for outcome in outcomes:
        assert json.loads(outcome.result_json or b"{}")["status"] == "succeeded"


async def test_orphan_sweep_removes_leftovers_of_dead_processes(
    engine: Engine, tmp_path: Path, docker_settings: Callable[..., Settings]
) -> None:
    spec = SandboxSpec.from_settings(docker_settings(tmp_path))
    hostname = engine.instance.split(":", 1)[0]
    dead = engine.create(spec, _owned_by(f"{hostname}:999999999:1"))
    foreign = engine.create(spec, _owned_by("another-host:1:1"))
    try:
        runner = DockerRunner(docker_settings(tmp_path, runner_pool_size=0))
        await runner.started()
        await runner.close()
        assert dead.id in runner.swept
        assert not _exists(engine, dead.id)
        assert _exists(engine, foreign.id)  # another host's process: not ours to judge
    finally:
        engine.remove(dead.id)
        engine.remove(foreign.id)


async def test_sweep_spares_a_live_instance_s_just_stopped_container(
    engine: Engine, tmp_path: Path, docker_settings: Callable[..., Settings]
) -> None:
    """Two app processes on one engine: one's start-up sweep must not remove a sandbox the
    other has just finished with (it may still be reading the result), only a long-stopped one."""
    spec = SandboxSpec.from_settings(docker_settings(tmp_path))
    other = engine.create(spec, _owned_by("another-host:1:1"))
    try:
        await asyncio.to_thread(engine.client.api.start, other.id)
        await asyncio.to_thread(engine.client.api.kill, other.id)
        await asyncio.to_thread(engine.client.api.wait, other.id, 20)
        assert other.id not in engine.sweep_orphans()
        assert _exists(engine, other.id)
        assert other.id in engine.sweep_orphans(live_grace_seconds=0)
        assert not _exists(engine, other.id)
    finally:
        engine.remove(other.id)


async def test_cancellation_kills_and_removes_the_container(
    runner: DockerRunner, engine: Engine, tmp_path: Path, make_job: MakeJob
) -> None:
    task = asyncio.create_task(runner.run(make_job(tmp_path / "ws", SLEEPER)))
    await asyncio.sleep(1.0)
    (active,) = runner._active
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < 5
    assert not _exists(engine, active)


async def test_container_removed_from_outside_ends_the_run(
    runner: DockerRunner, engine: Engine, tmp_path: Path, make_job: MakeJob
) -> None:
    task = asyncio.create_task(runner.run(make_job(tmp_path / "ws", SLEEPER)))
    await asyncio.sleep(1.0)
    (active,) = runner._active
    await asyncio.to_thread(engine.client.api.remove_container, active, force=True)
    outcome = await asyncio.wait_for(task, 10)
    assert outcome.result_json is None
    assert not outcome.timed_out
    assert "ended before reporting back" in outcome.stderr


async def test_container_killed_from_outside_ends_the_run(
    runner: DockerRunner, engine: Engine, tmp_path: Path, make_job: MakeJob
) -> None:
    task = asyncio.create_task(runner.run(make_job(tmp_path / "ws", SLEEPER)))
    await asyncio.sleep(1.0)
    (active,) = runner._active
    await asyncio.to_thread(engine.client.api.kill, active)
    outcome = await asyncio.wait_for(task, 10)
    assert outcome.result_json is None
    await runner.settle()
    assert not _exists(engine, active)


async def test_missing_image_names_the_build_command(
    engine: Engine, tmp_path: Path, docker_settings: Callable[..., Settings], make_job: MakeJob
) -> None:
    runner = DockerRunner(docker_settings(tmp_path, runner_image="skriptoteket-runner:missing"))
    try:
        with pytest.raises(DomainError) as caught:
            await runner.run(make_job(tmp_path / "ws", SLEEPER))
    finally:
        await runner.close()
    assert caught.value.code is ErrorCode.SERVICE_UNAVAILABLE
    assert "skriptoteket runner build-image" in caught.value.message


def test_unreachable_engine_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_job: MakeJob
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-such.sock")

    async def scenario() -> Any:
        runner = DockerRunner(Settings(data_dir=tmp_path))
        try:
            return await runner.run(make_job(tmp_path / "ws", SLEEPER))
        finally:
            await runner.close()

    with pytest.raises(DomainError) as caught:
        asyncio.run(scenario())
    assert caught.value.code is ErrorCode.SERVICE_UNAVAILABLE
    assert "The Docker engine is not reachable" in caught.value.message
    assert "dockerd" in caught.value.message
    assert "systemctl start docker" in caught.value.message
