"""Issue 10: the executor and the run use cases with a queue that executes elsewhere (a shared
queue, e.g. Procrastinate): uploads travel through the unit of work, not the queueing process's
workspace; the executing process stamps its name; a lost worker's run is failed as interrupted;
start-up recovery leaves unowned runs to the queue's reaper. In-memory store, scripted runner."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from skriptoteket.application.execution import Upload
from skriptoteket.application.runs import WORKER_LOST_MESSAGE
from skriptoteket.builtin.inprocess_queue import InProcessRunQueue
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.domain.runs import RunStatus
from skriptoteket.ports.execution import RunJob, RunnerOutcome
from skriptoteket.testing.world import World


class SharedQueue(InProcessRunQueue):
    """The in-process queue posing as one whose runs execute in another process."""

    @property
    def executes_here(self) -> bool:
        return False


class InputReadingRunner:
    def __init__(self) -> None:
        self.seen: list[dict[str, bytes]] = []
        self.gate = asyncio.Event()

    async def run(self, job: RunJob) -> RunnerOutcome:
        inputs = job.workspace / "input"
        self.seen.append({p.name: p.read_bytes() for p in inputs.iterdir()})
        await self.gate.wait()
        result = b'{"contract_version": 2, "status": "succeeded", "html_output": "<p>ok</p>"}'
        return RunnerOutcome(stdout="", stderr="", result_json=result)

    async def check(self) -> None:
        return None

    async def close(self) -> None:
        return None


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def _world(tmp_path: Path, runner: InputReadingRunner) -> tuple[World, SharedQueue]:
    world = await World.create()
    queue = SharedQueue(concurrency=1, max_waiting=10)
    world.execute_on_disk(tmp_path, runner=runner, queue=queue, worker_name="arbetare-7")
    await queue.start(world.app.execute_run, interrupt=world.app.fail_lost_run)
    return world, queue


async def test_inputs_travel_in_the_store_and_the_worker_is_named(tmp_path: Path) -> None:
    runner = InputReadingRunner()
    world, queue = await _world(tmp_path, runner)
    try:
        tool, _ = await world.published_tool()
        data = "Namn\nÅsa\n".encode()
        run = await world.app.start_production_run(
            world.user, slug=tool.slug, uploads=[Upload(filename="lista.csv", data=data)]
        )
        assert run.worker is None
        await _until(lambda: bool(runner.seen))
        assert runner.seen == [{"lista.csv": data}]  # built from the stored inputs
        running = world.store.state.runs[run.id]
        assert (running.status, running.worker) == (RunStatus.RUNNING, "arbetare-7")
        runner.gate.set()
        await _until(lambda: world.store.state.runs[run.id].status.is_terminal)
        done = world.store.state.runs[run.id]
        assert (done.status, done.worker) == (RunStatus.SUCCEEDED, "arbetare-7")
        assert run.id not in world.store.state.run_inputs  # deleted with the run's end
        assert not (tmp_path / "work" / str(run.id)).exists()
    finally:
        runner.gate.set()
        await queue.close()


async def test_a_lost_run_fails_as_interrupted_once_and_recovery_leaves_unowned_runs(
    tmp_path: Path,
) -> None:
    runner = InputReadingRunner()
    world, queue = await _world(tmp_path, runner)
    try:
        tool, result = await world.published_tool()
        stuck = await world.app.start_production_run(
            world.user, slug=tool.slug, uploads=[Upload(filename="a.txt", data=b"a")]
        )
        await _until(lambda: bool(runner.seen))
        # no owner (a shared queue's run): start-up recovery leaves it to the queue's reaper
        waiting = await world.add_run(result.new_active, world.user)
        assert await world.app.fail_interrupted_runs() == 0
        assert world.store.state.runs[waiting.id] == waiting
        # the reaper's callback: failed as interrupted, stored inputs gone, only once
        assert await world.app.fail_lost_run(stuck.id) is True
        lost = world.store.state.runs[stuck.id]
        assert (lost.status, lost.failure_code) == (RunStatus.FAILED, RunFailure.INTERRUPTED)
        assert lost.failure_details == {"cause": "worker_lost"}
        assert lost.error_summary == WORKER_LOST_MESSAGE
        assert stuck.id not in world.store.state.run_inputs
        assert await world.app.fail_lost_run(stuck.id) is False
        runner.gate.set()  # the executor's own end must not overwrite it, nor fail
        await asyncio.sleep(0.1)
        assert world.store.state.runs[stuck.id] == lost
    finally:
        runner.gate.set()
        await queue.close()
