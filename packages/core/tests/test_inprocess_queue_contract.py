"""The in-process run queue passes the run queue contract suite (DESIGN §5, issue 10)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from skriptoteket.builtin.inprocess_queue import InProcessRunQueue
from skriptoteket.builtin.memory.uow import MemoryStore
from skriptoteket.ports.execution import RunHandler
from skriptoteket.testing.run_queue_contract import QueueKit, RunQueueContract


class TestInProcessRunQueue(RunQueueContract):
    @pytest.fixture
    def queue_kit(self) -> QueueKit:
        queue = InProcessRunQueue(concurrency=1, max_waiting=10)

        @asynccontextmanager
        async def executing(handler: RunHandler) -> AsyncIterator[None]:
            await queue.start(handler)
            try:
                yield
            finally:
                await queue.close()

        return QueueKit(queue, MemoryStore.seeded().unit_of_work, executing)
