"""The run queue on Procrastinate (PostgreSQL): runs wait as jobs in ``procrastinate_jobs`` and
``skriptoteket worker`` processes on any host execute them (issue 10, DESIGN §5).

- A run's job is deferred on the unit of work's own psycopg connection, inside the transaction
  that adds the ``queued`` row: the row and its job commit or roll back together.
- Positions and counts are read from the jobs table in the order the engine fetches jobs
  (priority descending, then id).
- Cancel: a waiting job is cancelled; a running one gets Procrastinate's abort (LISTEN/NOTIFY and
  polling), which cancels the handler's task on its worker (the executor records ``cancelled``
  and the runner kills the sandbox); ``cancel`` waits briefly for that to be recorded.
- Every process using the queue reaps the jobs of workers that stopped heartbeating: their runs
  are failed as interrupted and the jobs marked failed, never retried (a run may have had
  effects).
- A worker drains on SIGTERM/SIGINT: it fetches nothing more, the runs in flight get
  ``shutdown_seconds``, those still running are failed as interrupted and stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from typing import Any
from uuid import UUID

from procrastinate import App, JobContext, PsycopgConnector
from procrastinate.exceptions import ConnectorException
from procrastinate.jobs import Status
from procrastinate.worker import Worker
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.ports.execution import QueueStats, RunHandler, RunInterrupter
from skriptoteket.ports.repositories import UnitOfWork

log = logging.getLogger("skriptoteket.runs")

TASK_NAME = "skriptoteket.execute_run"
QUEUE_NAME = "skriptoteket_runs"
CANCEL_WAIT_SECONDS = 10.0
"""How long ``cancel`` waits for a worker to stop a running run and record it."""

_POSITION_SQL = """
SELECT count(*) AS position
  FROM procrastinate_jobs other,
       (SELECT id, priority FROM procrastinate_jobs
         WHERE lock = %(lock)s AND status = 'todo' AND queue_name = %(queue)s) mine
 WHERE other.status = 'todo' AND other.queue_name = %(queue)s
   AND (other.priority > mine.priority OR (other.priority = mine.priority AND other.id <= mine.id))
"""
_STATS_SQL = """
SELECT count(*) FILTER (WHERE status = 'todo') AS waiting,
       count(*) FILTER (WHERE status = 'doing') AS running
  FROM procrastinate_jobs
 WHERE queue_name = %(queue)s AND status IN ('todo', 'doing')
"""
_JOB_OF_RUN_SQL = """
SELECT id, status::text AS status FROM procrastinate_jobs
 WHERE lock = %(lock)s AND queue_name = %(queue)s
 ORDER BY id DESC LIMIT 1
"""


def lock_of(run_id: UUID) -> str:
    """Each run's job carries this lock: its job is found by it (cancel, position)."""
    return f"skriptoteket-run:{run_id}"


def psycopg_conninfo(database_url: str) -> str:
    """``postgresql+psycopg://…`` → ``postgresql://…`` (libpq's own form)."""
    scheme, sep, rest = database_url.partition("://")
    return f"{scheme.split('+', 1)[0]}{sep}{rest}"


class ProcrastinateRunQueue:
    def __init__(
        self,
        app: App,
        *,
        max_waiting: int,
        concurrency: int,
        heartbeat_seconds: float = 5.0,
        stalled_seconds: float = 20.0,
    ) -> None:
        self.app = app
        self.max_waiting = max(1, max_waiting)
        self.concurrency = max(1, concurrency)
        self.heartbeat_seconds = heartbeat_seconds
        self.stalled_seconds = stalled_seconds
        self._handler: RunHandler | None = None
        self._interrupt: RunInterrupter | None = None
        self._running: dict[UUID, asyncio.Task[Any]] = {}
        self._reaper: asyncio.Task[None] | None = None
        self._opened = False
        self._task = app.task(name=TASK_NAME, queue=QUEUE_NAME, pass_context=True)(self._execute)

    @classmethod
    def connect(cls, database_url: str, **options: Any) -> ProcrastinateRunQueue:
        connector = PsycopgConnector(
            conninfo=psycopg_conninfo(database_url), min_size=1, max_size=8
        )
        return cls(App(connector=connector), **options)

    @property
    def executes_here(self) -> bool:
        return False

    # --- lifetime -----------------------------------------------------------------------------

    async def start(self, handler: RunHandler, *, interrupt: RunInterrupter | None = None) -> None:
        self._handler = handler
        self._interrupt = interrupt
        await self.app.open_async()
        self._opened = True
        if interrupt is not None:
            self._reaper = asyncio.create_task(self._reap_forever(), name="run-reaper")

    async def close(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
            self._reaper = None
        if self._opened:
            await self.app.close_async()
            self._opened = False

    # --- queueing -----------------------------------------------------------------------------

    async def enqueue(self, uow: UnitOfWork, run_id: UUID) -> None:
        connection = await uow.driver_connection()
        if connection is None:
            raise DomainError(
                ErrorCode.INTERNAL_ERROR,
                "The Procrastinate run queue needs a PostgreSQL unit of work",
                reason="queue_needs_postgresql",
            )
        stats = await self._stats(connection)
        if stats["waiting"] >= self.max_waiting:
            raise DomainError(
                ErrorCode.SERVICE_UNAVAILABLE,
                "The run queue is full; retry in a moment",
                {"queue_length": int(stats["waiting"]), "max_waiting": self.max_waiting},
                reason=RunFailure.QUEUE_FULL,
            )
        deferrer = self._task.configure(lock=lock_of(run_id), connection=connection)
        try:
            await deferrer.defer_async(run_id=str(run_id))
        except ConnectorException as error:  # the transaction with the run's row fails too
            raise DomainError(
                ErrorCode.DATABASE_ERROR,
                "Could not queue the run",
                {"error": str(error.__cause__ or error)[:300]},
                reason="enqueue_failed",
            ) from error

    async def submit(self, run_id: UUID) -> None:
        """Nothing to do: the job was committed with the run (``enqueue``)."""

    async def position(self, run_id: UUID) -> int | None:
        row = await self.app.connector.execute_query_one_async(
            _POSITION_SQL, lock=lock_of(run_id), queue=QUEUE_NAME
        )
        position = int(row["position"])
        return position or None

    async def stats(self) -> QueueStats:
        row = await self.app.connector.execute_query_one_async(_STATS_SQL, queue=QUEUE_NAME)
        return QueueStats(
            waiting=int(row["waiting"]),
            running=int(row["running"]),
            max_waiting=self.max_waiting,
            concurrency=self.concurrency,
        )

    async def _stats(self, connection: Any) -> dict[str, Any]:
        connector: PsycopgConnector = self.app.connector  # type: ignore[assignment]
        row: dict[str, Any] = await connector.execute_query_one_async_with_connection(
            connection, _STATS_SQL, queue=QUEUE_NAME
        )
        return row

    async def cancel(self, run_id: UUID) -> bool:
        job = await self._job_of(run_id)
        if job is None:
            return False
        job_id, status = job
        manager = self.app.job_manager
        if status == Status.TODO.value and await manager.cancel_job_by_id_async(job_id):
            return True
        if not await manager.cancel_job_by_id_async(job_id, abort=True):
            return False  # it finished meanwhile
        deadline = time.monotonic() + CANCEL_WAIT_SECONDS
        while time.monotonic() < deadline:  # the worker records the run's end, then the job's
            current = await self._job_of(run_id)
            if current is None or current[1] != Status.DOING.value:
                break
            await asyncio.sleep(0.1)
        return True

    async def _job_of(self, run_id: UUID) -> tuple[int, str] | None:
        rows = await self.app.connector.execute_query_all_async(
            _JOB_OF_RUN_SQL, lock=lock_of(run_id), queue=QUEUE_NAME
        )
        return (int(rows[0]["id"]), str(rows[0]["status"])) if rows else None

    # --- executing ----------------------------------------------------------------------------

    async def _execute(self, context: JobContext, run_id: str) -> None:
        assert self._handler is not None, "start() first"
        run = UUID(run_id)
        task = asyncio.current_task()
        assert task is not None
        self._running[run] = task
        try:
            await self._handler(run)
        finally:
            self._running.pop(run, None)

    async def work(self, *, name: str, concurrency: int, shutdown_seconds: float) -> None:
        worker = Worker(
            self.app,
            queues=[QUEUE_NAME],
            name=name,
            concurrency=max(1, concurrency),
            install_signal_handlers=False,
            shutdown_graceful_timeout=None,  # the drain below bounds it
            update_heartbeat_interval=self.heartbeat_seconds,
            stalled_worker_timeout=self.stalled_seconds,
            abort_job_polling_interval=1.0,
            fetch_job_polling_interval=2.0,
            # a succeeded run's job has nothing more to say (the run row has it all); failed,
            # aborted and cancelled jobs stay for inspection
            delete_jobs="successful",
        )
        loop = asyncio.get_running_loop()
        drain: list[asyncio.Task[None]] = []

        def stop() -> None:
            if drain:
                return
            log.info(
                "worker stopping",
                extra={"worker": name, "running": len(self._running), "bound": shutdown_seconds},
            )
            worker.stop()  # type: ignore[no-untyped-call]
            drain.append(asyncio.create_task(self._interrupt_after(shutdown_seconds)))

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop)
        log.info("worker started", extra={"worker": name, "concurrency": concurrency})
        try:
            await worker.run()  # type: ignore[no-untyped-call]
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
            for task in drain:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        log.info("worker stopped", extra={"worker": name})

    async def _interrupt_after(self, seconds: float) -> None:
        """The drain's bound: what still runs then is failed as interrupted, then stopped."""
        await asyncio.sleep(seconds)
        for run_id, task in list(self._running.items()):
            log.warning("run still running at the end of the drain", extra={"run_id": str(run_id)})
            if self._interrupt is not None:
                try:
                    await self._interrupt(run_id)
                except Exception:
                    log.exception(
                        "could not fail an interrupted run", extra={"run_id": str(run_id)}
                    )
            task.cancel()

    # --- reaping ------------------------------------------------------------------------------

    async def _reap_forever(self) -> None:
        while True:
            try:
                await self.reap()
            except Exception:  # a database hiccup: try again next round
                log.exception("reaping stalled runs failed")
            await asyncio.sleep(self.heartbeat_seconds)

    async def reap(self) -> int:
        """Fail the runs of jobs whose worker stopped heartbeating; mark those jobs failed (so
        they are not retried). Returns how many jobs were reaped."""
        assert self._interrupt is not None
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(
            task_name=TASK_NAME, queue=QUEUE_NAME, seconds_since_heartbeat=self.stalled_seconds
        )
        reaped = 0
        for job in stalled:
            assert job.id is not None
            run_id = UUID(str(job.task_kwargs["run_id"]))
            log.warning("run's worker was lost", extra={"run_id": str(run_id), "job_id": job.id})
            await self._interrupt(run_id)
            try:
                await manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
            except Exception:  # another process reaped it first
                log.info("stalled job already finished", extra={"job_id": job.id})
                continue
            reaped += 1
        return reaped
