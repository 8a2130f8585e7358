"""Execution ports: the runner, the artifact store and the run queue (DESIGN §5).

The division of labour for one run:

1. The app (``skriptoteket.application.execution``) makes a fresh host directory, the
   *workspace*, with ``input/`` holding the sanitized uploads, and calls ``Runner.run``.
2. The runner executes the fixed wrapper (``skriptoteket.sandbox``) on the version's source in a
   sandbox it creates and always removes. When it returns, ``workspace/output/`` holds what the
   tool wrote (only regular files and directories) and the outcome carries ``result.json``'s
   raw bytes, stdout and stderr (each already capped).
3. The app validates ``result.json`` (RUN-07), moves ``workspace/output`` into the
   ``ArtifactStore`` (RUN-22–RUN-25) and deletes the workspace.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Coroutine, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import attrs

from skriptoteket.domain.run_failures import FailureReport
from skriptoteket.domain.runs import Artifact, InputValue, RunContext, RunStatus
from skriptoteket.ports.repositories import UnitOfWork


@attrs.frozen
class RunLimits:
    """Resource limits for one sandbox (RUN-12, RUN-18, RUN-19)."""

    timeout_seconds: float = 60.0
    memory_bytes: int = 1024 * 1024 * 1024
    cpu_count: float = 1.0
    max_processes: int = 256
    max_file_bytes: int = 64 * 1024 * 1024
    work_area_bytes: int = 256 * 1024 * 1024
    work_area_files: int = 20_000
    """Entries (inodes) the work area may hold; also the cap on entries in the output."""
    max_stdout_bytes: int = 200_000
    max_stderr_bytes: int = 200_000
    max_result_bytes: int = 2_000_000


@attrs.frozen
class RunJob:
    """Everything a runner needs for one run; runners never touch the database."""

    run_id: UUID
    tool_id: UUID
    version_id: UUID
    context: RunContext
    source_code: str
    entrypoint: str
    contract_version: int
    workspace: Path
    input_names: tuple[str, ...]
    inputs: Mapping[str, InputValue | list[str]]
    limits: RunLimits


@attrs.frozen
class RunnerOutcome:
    """What a sandbox produced. ``result_json`` is None when the wrapper wrote none (killed,
    timed out, crashed). ``timed_out`` is the runner's own verdict on the wall clock.
    ``diagnostics`` say what isolation was applied (e.g. ``{"isolation": "bubblewrap"}``).
    ``failure`` is set when the runner itself stopped or failed the run for a reason only it can
    see (a limit it enforced, an output entry it refused, a sandbox that vanished); the app then
    fails the run with that code whatever ``result_json`` says."""

    stdout: str
    stderr: str
    result_json: bytes | None
    timed_out: bool = False
    exit_code: int | None = None
    diagnostics: Mapping[str, str] = attrs.field(factory=dict)
    failure: FailureReport | None = None


class Runner(Protocol):
    async def run(self, job: RunJob) -> RunnerOutcome:
        """Run one job. Cancelling the calling task must stop the sandbox and clean it up."""
        ...

    async def check(self) -> None:
        """Return when a run could start now; raise ``DomainError(SERVICE_UNAVAILABLE,
        reason="engine_unavailable")`` saying why not (readiness, ``/ready``). Cheap: it is
        called on every readiness probe."""
        ...

    async def close(self) -> None: ...


ARTIFACT_CHUNK_BYTES = 64 * 1024
"""The size of the chunks an artifact is read in (a backend may hand out larger ones)."""


@attrs.frozen
class ArtifactStream:
    """One stored artifact being read: its size in bytes and its content as chunks, iterated
    once, never the whole file in memory. A stream that is not iterated to the end holds no
    file descriptor open and needs no closing (dropping it is enough)."""

    size: int
    chunks: AsyncIterator[bytes]


class ArtifactStore(Protocol):
    async def store(self, run_id: UUID, output_dir: Path) -> Sequence[Artifact]:
        """Take a finished run's output directory in and return the manifest (RUN-22–RUN-25).

        Raises ``ContractViolation`` on a symlink, a special file or an unsafe path (then nothing
        is stored), and when artifacts of ``run_id`` are already stored. The caller removes
        ``output_dir`` afterwards (a store may have moved it away)."""
        ...

    async def read(self, run_id: UUID, artifact: Artifact) -> ArtifactStream:
        """Stream a stored artifact; NOT_FOUND (raised here, before any chunk) when the run or
        the artifact is not stored or its path is unsafe (EXE-08)."""
        ...

    async def prune(self, older_than: datetime) -> int:
        """Delete the artifacts of runs stored before ``older_than`` (RUN-28)."""
        ...


class RunWorkspaces(Protocol):
    """Per-run host directories on the executing machine (``input/`` and ``output/``)."""

    async def prepare(
        self, run_id: UUID, files: Sequence[tuple[str, bytes]], *, keep_inputs: bool = False
    ) -> Path:
        """Create the run's workspace with the (already sanitized) uploads in ``input/``;
        ``keep_inputs`` (sandbox runs) keeps a copy for the input retention (RUN-29)."""
        ...

    def path(self, run_id: UUID) -> Path: ...

    async def remove(self, run_id: UUID) -> None: ...

    async def sweep(self, keep: Collection[UUID] = (), *, grace_seconds: float = 0.0) -> int:
        """Start-up: remove every workspace except those of the runs in ``keep`` (unfinished
        runs another live process holds) and those changed in the last ``grace_seconds`` (a
        live process prepares a workspace just before it commits the run's row), and expired
        kept inputs; returns how many workspaces. Never fails for what it cannot remove
        (logged)."""
        ...

    async def prune_inputs(self) -> int:
        """Remove kept sandbox inputs older than the retention (RUN-29); how many runs'."""
        ...


RunHandler = Callable[[UUID], Coroutine[Any, Any, None]]
RunInterrupter = Callable[[UUID], Coroutine[Any, Any, object]]
"""Finishes a run whose executor was lost as failed (interrupted)."""


@attrs.frozen
class QueueStats:
    """What a run queue holds right now (as this process sees it) and its limits."""

    waiting: int
    running: int
    max_waiting: int
    concurrency: int


class RunQueue(Protocol):
    """How queued runs reach an executor. A run is added in two steps: ``enqueue`` inside the
    transaction that adds its ``queued`` row (a queue in the database adds its job there, so a
    row never exists without its job or the reverse), then ``submit`` after the commit (an
    in-process queue takes the run there)."""

    @property
    def executes_here(self) -> bool:
        """True when runs execute in the process that queued them (their uploads stay in its
        workspace); False when a worker elsewhere executes them (the uploads travel in the
        database, ``UnitOfWork.run_inputs``)."""
        ...

    async def start(self, handler: RunHandler, *, interrupt: RunInterrupter | None = None) -> None:
        """Begin dispatching submitted runs to ``handler`` (the executor). ``interrupt``
        finishes a run as failed (interrupted) whose executor was lost: a queue whose workers
        live elsewhere calls it for the runs of a worker that stopped heartbeating."""
        ...

    async def enqueue(self, uow: UnitOfWork, run_id: UUID) -> None:
        """Add the run inside ``uow``'s open transaction, before its commit (a no-op for a
        queue that takes runs in ``submit``)."""
        ...

    async def submit(self, run_id: UUID) -> None:
        """Enqueue a committed ``queued`` run; SERVICE_UNAVAILABLE when the queue is full."""
        ...

    async def work(self, *, name: str, concurrency: int, shutdown_seconds: float) -> None:
        """Execute runs as a worker until SIGTERM or SIGINT, then drain: runs in flight get
        ``shutdown_seconds`` to finish, those still running are failed as interrupted, runs not
        started stay queued. A queue that executes in the serving process refuses
        (VALIDATION_ERROR, reason ``queue_not_shared``)."""
        ...

    async def position(self, run_id: UUID) -> int | None:
        """1 for the next run to start; None when not waiting (running or unknown)."""
        ...

    async def cancel(self, run_id: UUID) -> bool:
        """Drop a waiting run or stop a running one; False when the queue does not hold it."""
        ...

    async def stats(self) -> QueueStats:
        """Runs waiting and running now (operations: ``/metrics``)."""
        ...

    async def close(self) -> None:
        """Stop accepting runs and stop the running ones."""
        ...


class RunObserver(Protocol):
    """Told about every run this process starts or finishes (metrics, tracing). Called on the
    event loop right after the change is committed: it must return quickly and not raise."""

    def run_started(self, context: RunContext) -> None:
        """The executor marked a run ``running`` and hands it to the runner."""
        ...

    def run_finished(self, context: RunContext, status: RunStatus, seconds: float | None) -> None:
        """A run reached its final ``status``. ``seconds`` is the time from ``running`` to
        final; None when it never ran (a syntax error, a full queue, cancelled while waiting,
        failed at start-up after a crash)."""
        ...
