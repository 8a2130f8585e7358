"""The in-process run queue: bounded concurrency, a bounded waiting line with positions, and
cancellation of waiting or running runs (DESIGN §5; replaces RUN-31's reject-at-capacity)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from uuid import UUID

from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.observability.log_context import bind_run
from skriptoteket.ports.execution import QueueStats, RunHandler, RunInterrupter
from skriptoteket.ports.repositories import UnitOfWork

log = logging.getLogger(__name__)


class InProcessRunQueue:
    def __init__(self, *, concurrency: int, max_waiting: int) -> None:
        self.concurrency = max(1, concurrency)
        self.max_waiting = max(1, max_waiting)
        self._waiting: OrderedDict[UUID, None] = OrderedDict()
        self._running: dict[UUID, asyncio.Task[None]] = {}
        self._available = asyncio.Condition()
        self._workers: list[asyncio.Task[None]] = []
        self._handler: RunHandler | None = None
        self._closed = False

    @property
    def executes_here(self) -> bool:
        return True

    async def start(self, handler: RunHandler, *, interrupt: RunInterrupter | None = None) -> None:
        self._handler = handler
        self._workers = [
            asyncio.create_task(self._work(), name=f"run-worker-{i}")
            for i in range(self.concurrency)
        ]

    async def enqueue(self, uow: UnitOfWork, run_id: UUID) -> None:
        """Nothing to do in the transaction: the run is taken in ``submit``."""

    async def work(self, *, name: str, concurrency: int, shutdown_seconds: float) -> None:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            "The in-process run queue executes runs in the serving process; a separate worker "
            "needs a shared queue: set SKRIPTOTEKET_RUN_QUEUE=procrastinate "
            "(pip install skriptoteket-procrastinate) and a PostgreSQL SKRIPTOTEKET_DATABASE_URL",
            {"run_queue": "inprocess"},
            reason="queue_not_shared",
        )

    async def submit(self, run_id: UUID) -> None:
        if self._closed:
            raise DomainError(
                ErrorCode.SERVICE_UNAVAILABLE,
                "The run queue is shut down",
                reason=RunFailure.QUEUE_FULL,
            )
        if len(self._waiting) >= self.max_waiting:
            raise DomainError(
                ErrorCode.SERVICE_UNAVAILABLE,
                "The run queue is full; retry in a moment",
                {"queue_length": len(self._waiting)},
                reason=RunFailure.QUEUE_FULL,
            )
        async with self._available:
            self._waiting[run_id] = None
            self._available.notify()

    async def position(self, run_id: UUID) -> int | None:
        for index, waiting in enumerate(self._waiting, start=1):
            if waiting == run_id:
                return index
        return None

    @property
    def waiting_count(self) -> int:
        return len(self._waiting)

    @property
    def running_count(self) -> int:
        return len(self._running)

    async def stats(self) -> QueueStats:
        return QueueStats(
            waiting=len(self._waiting),
            running=len(self._running),
            max_waiting=self.max_waiting,
            concurrency=self.concurrency,
        )

    async def cancel(self, run_id: UUID) -> bool:
        if run_id in self._waiting:
            del self._waiting[run_id]
            return True
        task = self._running.get(run_id)
        if task is None:
            return False
        task.cancel()
        await asyncio.wait({task})
        return True

    async def close(self) -> None:
        self._closed = True
        self._waiting.clear()
        for task in list(self._running.values()):
            task.cancel()
        if self._running:
            await asyncio.wait(set(self._running.values()))
        for worker in self._workers:
            worker.cancel()
        for worker in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self._workers = []

    async def _work(self) -> None:
        assert self._handler is not None
        while True:
            async with self._available:
                await self._available.wait_for(lambda: bool(self._waiting))
                run_id, _ = self._waiting.popitem(last=False)
            with bind_run(run_id):  # the task copies the context: the runner's lines carry it
                task = asyncio.create_task(self._handler(run_id), name=f"run-{run_id}")
            self._running[run_id] = task
            try:
                await asyncio.wait({task})
            finally:
                self._running.pop(run_id, None)
            if not task.cancelled() and (error := task.exception()) is not None:
                log.error("run handler failed", exc_info=error, extra={"run_id": str(run_id)})
