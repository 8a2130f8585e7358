"""The Procrastinate run queue passes the run queue contract suite (issue 10): real
PostgreSQL, the queue's ``work`` running in this process as a worker of concurrency 1."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from skriptoteket.plugins.facade import Plugins
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.ports.execution import RunHandler
from skriptoteket.testing.run_queue_contract import QueueKit, RunQueueContract
from skriptoteket_sql.engine import open_sql

from .support import queue_settings


class TestProcrastinateRunQueue(RunQueueContract):
    @pytest.fixture
    async def queue_kit(self, tmp_path: Path, queue_db: str) -> AsyncIterator[QueueKit]:
        settings = queue_settings(tmp_path, queue_db, run_concurrency=1)
        queue = Plugins(make_plugin_manager()).select_run_queue(settings).create(settings)

        @contextlib.asynccontextmanager
        async def executing(handler: RunHandler) -> AsyncIterator[None]:
            await queue.start(handler)
            worker = asyncio.create_task(
                queue.work(name="kontrakt", concurrency=1, shutdown_seconds=1.0)
            )
            try:
                yield
            finally:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker

        async with open_sql(settings) as uow:
            await queue.start(_never)  # opened for enqueue, position and stats before work
            try:
                yield QueueKit(queue, uow, executing)
            finally:
                await queue.close()


async def _never(run_id: object) -> None:
    raise AssertionError("no run executes before the worker runs")
