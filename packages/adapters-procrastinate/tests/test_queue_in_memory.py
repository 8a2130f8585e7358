"""Fast unit tests of the queue's wiring on Procrastinate's ``InMemoryConnector`` (no
PostgreSQL): a deferred job reaches the handler as its run id on a worker, and a job whose
worker stopped heartbeating is reaped: its run is interrupted and the job failed, not retried.
The queue's own SQL (positions, stats, deferring in a transaction) is tested on PostgreSQL in
the workspace tests (tests/procrastinate)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from uuid import UUID

from procrastinate import App
from procrastinate.testing import InMemoryConnector
from skriptoteket_procrastinate.queue import QUEUE_NAME, TASK_NAME, ProcrastinateRunQueue


def _queue(heartbeat: float = 0.05) -> tuple[ProcrastinateRunQueue, InMemoryConnector]:
    connector = InMemoryConnector()
    queue = ProcrastinateRunQueue(
        App(connector=connector), max_waiting=10, concurrency=1, heartbeat_seconds=heartbeat
    )
    return queue, connector


async def test_a_deferred_job_reaches_the_handler_on_a_worker() -> None:
    queue, connector = _queue()
    seen: list[UUID] = []

    async def handler(run_id: UUID) -> None:
        seen.append(run_id)

    run_id = uuid.uuid4()
    await queue.start(handler)
    try:
        await queue._task.defer_async(run_id=str(run_id))
        (job,) = connector.jobs.values()
        assert (job["task_name"], job["queue_name"]) == (TASK_NAME, QUEUE_NAME)
        worker = asyncio.create_task(queue.work(name="w", concurrency=1, shutdown_seconds=1))
        for _ in range(200):
            if seen:
                break
            await asyncio.sleep(0.01)
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    finally:
        await queue.close()
    assert seen == [run_id]
    assert connector.jobs == {}  # a succeeded job is deleted


async def test_a_stalled_job_is_reaped_once_and_failed() -> None:
    queue, connector = _queue(heartbeat=3600)  # the background reaper's rounds stay out
    interrupted: list[UUID] = []

    async def interrupt(run_id: UUID) -> bool:
        interrupted.append(run_id)
        return True

    async def never(run_id: UUID) -> None:
        raise AssertionError("not executed here")

    run_id = uuid.uuid4()
    await queue.start(never, interrupt=interrupt)
    try:
        job_id = await queue._task.defer_async(run_id=str(run_id))
        worker_id = await queue.app.job_manager.register_worker()
        job = await queue.app.job_manager.fetch_job(queues=[QUEUE_NAME], worker_id=worker_id)
        assert job is not None
        assert job.id == job_id
        assert await queue.reap() == 0  # its worker is alive
        await queue.app.job_manager.unregister_worker(worker_id)  # gone: no heartbeat at all
        assert await queue.reap() == 1
        assert await queue.reap() == 0
    finally:
        await queue.close()
    assert interrupted == [run_id]
    assert connector.jobs[job_id]["status"] == "failed"
