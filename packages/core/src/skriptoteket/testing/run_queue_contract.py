"""The run queue contract suite every ``RunQueue`` backend runs (DESIGN §5, issue 10).

Subclass ``RunQueueContract`` in a test module and provide a ``queue_kit`` fixture: a fresh,
empty queue (concurrency 1), a unit-of-work factory it can ``enqueue`` in, and ``executing``,
an async context manager that starts the queue with a handler and lets runs execute (the
in-process queue dispatches once started; a shared queue runs ``work`` in the background)::

    class TestInProcessRunQueue(RunQueueContract):
        @pytest.fixture
        def queue_kit(self): return QueueKit(queue, store.unit_of_work, executing)

The tests only use the port: ``enqueue`` inside a unit of work, ``commit``, ``submit``; then
``position``, ``stats``, ``cancel`` while a handler holds the one slot.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from uuid import UUID

import attrs
import pytest

from skriptoteket.ports.execution import RunHandler, RunQueue
from skriptoteket.ports.repositories import UnitOfWorkFactory

Executing = Callable[[RunHandler], AbstractAsyncContextManager[None]]


@attrs.frozen
class QueueKit:
    queue: RunQueue
    uow: UnitOfWorkFactory
    executing: Executing


class Recorder:
    """A handler that records the runs it gets and holds each until ``release``."""

    def __init__(self) -> None:
        self.started: list[UUID] = []
        self.finished: list[UUID] = []
        self.cancelled: list[UUID] = []
        self.gate = asyncio.Event()

    async def __call__(self, run_id: UUID) -> None:
        self.started.append(run_id)
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled.append(run_id)
            raise
        self.finished.append(run_id)

    def release(self) -> None:
        self.gate.set()


async def until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the queue did not get there in time")


async def add(kit: QueueKit, count: int) -> list[UUID]:
    """Queue ``count`` runs, each enqueued in its own unit of work, committed, submitted."""
    ids = [uuid.uuid4() for _ in range(count)]
    for run_id in ids:
        async with kit.uow() as uow:
            await kit.queue.enqueue(uow, run_id)
            await uow.commit()
        await kit.queue.submit(run_id)
    return ids


class RunQueueContract:
    @pytest.fixture
    def queue_kit(self) -> QueueKit:
        raise NotImplementedError("the backend's test module provides the queue")

    async def test_runs_reach_the_handler_one_at_a_time_in_order(self, queue_kit: QueueKit) -> None:
        recorder = Recorder()
        recorder.release()
        ids = await add(queue_kit, 3)
        async with queue_kit.executing(recorder):
            await until(lambda: len(recorder.finished) == 3)
        assert recorder.finished == ids
        assert await queue_kit.queue.position(ids[0]) is None

    async def test_positions_stats_and_cancel_while_one_runs(self, queue_kit: QueueKit) -> None:
        queue = queue_kit.queue
        recorder = Recorder()
        first, second, third = await add(queue_kit, 3)
        async with queue_kit.executing(recorder):
            await until(lambda: recorder.started == [first])
            assert await queue.position(first) is None  # running
            assert [await queue.position(second), await queue.position(third)] == [1, 2]
            assert await queue.position(uuid.uuid4()) is None
            stats = await queue.stats()
            assert (stats.waiting, stats.running) == (2, 1)

            assert await queue.cancel(second) is True  # a waiting run leaves the line
            assert await queue.position(third) == 1
            assert await queue.cancel(uuid.uuid4()) is False
            recorder.release()
            await until(lambda: len(recorder.finished) == 2)
            await asyncio.sleep(0.3)
        assert recorder.finished == [first, third]
        assert second not in recorder.started
        stats = await queue.stats()
        assert (stats.waiting, stats.running) == (0, 0)

    async def test_cancel_of_a_running_run_cancels_its_handler(self, queue_kit: QueueKit) -> None:
        recorder = Recorder()
        (run_id,) = await add(queue_kit, 1)
        async with queue_kit.executing(recorder):
            await until(lambda: recorder.started == [run_id])
            assert await queue_kit.queue.cancel(run_id) is True
            await until(lambda: recorder.cancelled == [run_id], seconds=10)
            for _ in range(100):  # the queue lets go of it
                if (await queue_kit.queue.stats()).running == 0:
                    break
                await asyncio.sleep(0.05)
            assert (await queue_kit.queue.stats()).running == 0
            assert await queue_kit.queue.cancel(run_id) is False  # nothing left to cancel
        assert recorder.finished == []
