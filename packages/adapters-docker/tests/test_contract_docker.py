"""The backend-agnostic runner contract suite on the docker runner (DESIGN §8)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from skriptoteket.application.run_verdicts import judge
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.ports.execution import RunJob, Runner
from skriptoteket.settings import Settings
from skriptoteket.testing.runner_contract import (
    STARTED_THEN_SLEEP,
    JobFactory,
    RunnerContract,
)
from skriptoteket_docker.containers import Engine
from skriptoteket_docker.runner import DockerRunner

pytestmark = pytest.mark.docker


async def _started(runner: DockerRunner, job: RunJob, seconds: float = 15.0) -> None:
    """The docker runner returns output only at the end (one tar stream), so "started" is seen
    as: the run's container is active and the tool has had a second to write its marker."""
    deadline = time.monotonic() + seconds
    while not runner.is_running(job.run_id):
        assert time.monotonic() < deadline, "the run never started"
        await asyncio.sleep(0.02)
    await asyncio.sleep(1.0)


class TestDockerRunner(RunnerContract):
    @pytest.fixture
    async def runner(
        self, engine: Engine, tmp_path: Path, docker_settings: Callable[..., Settings]
    ) -> AsyncIterator[DockerRunner]:
        # The pool's limits equal the contract's TEST_LIMITS, so most jobs run warm.
        settings = docker_settings(
            tmp_path,
            runner_pool_size=1,
            runner_memory_limit="512m",
            runner_pids_limit=64,
            runner_cpu_limit=1.0,
            runner_work_area_limit="256m",
        )
        created = DockerRunner(settings)
        await created.started()
        assert created.pool is not None
        await asyncio.to_thread(created.pool.wait_filled)
        yield created
        await created.close()

    async def leftovers(self, runner: Runner, job: RunJob) -> list[str]:
        assert isinstance(runner, DockerRunner)
        container_id = runner.container_of(job.run_id)
        if container_id is None:
            return []
        engine = await runner.started()
        await runner.settle()
        found = await asyncio.to_thread(
            engine.client.containers.list, all=True, filters={"id": container_id}
        )
        return [f"container {c.short_id}" for c in found]

    async def kill_sandbox(self, runner: Runner, job: RunJob) -> bool:
        assert isinstance(runner, DockerRunner)
        container_id = runner.container_of(job.run_id)
        if container_id is None:
            return False
        engine = await runner.started()
        await asyncio.to_thread(engine.client.api.kill, container_id)
        return True

    async def test_sandbox_killed_from_outside(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-36, with the docker runner's notion of "started" (see ``_started``)."""
        assert isinstance(runner, DockerRunner)
        job = make_job(STARTED_THEN_SLEEP)
        task = asyncio.create_task(runner.run(job))
        try:
            await _started(runner, job)
            assert await self.kill_sandbox(runner, job)
            outcome = await asyncio.wait_for(task, 10)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        assert outcome.result_json is None
        assert not outcome.timed_out
        failure = judge(outcome, job.limits).failure  # issue 9: not "invalid answer"
        assert failure is not None
        assert failure.code is RunFailure.SANDBOX_LOST
        await self.assert_still_works(runner, make_job)

    async def test_cancelling_the_caller_stops_the_sandbox(
        self, runner: Runner, make_job: JobFactory
    ) -> None:
        assert isinstance(runner, DockerRunner)
        job = make_job(STARTED_THEN_SLEEP)
        task = asyncio.create_task(runner.run(job))
        await _started(runner, job)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < 5.0
        assert await self.leftovers(runner, job) == []
        await self.assert_still_works(runner, make_job)
