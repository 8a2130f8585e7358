"""``DockerRunner``: one fresh, hardened container per run (RUN-10–RUN-19, RUN-30).

- Creating the runner never blocks the event loop: a background thread connects to the engine,
  checks the image, sweeps orphans and fills the warm pool. ``run`` awaits that start-up and
  raises its ``DomainError(SERVICE_UNAVAILABLE)`` (with how to start the engine or build the
  image); a later run tries again.
- A run takes a warm container when the job's limits equal the pool's, else it creates one
  (cold). The job goes in and the results come out over the attach socket (``transfer``).
- The agent in the container kills the tool at ``timeout_seconds``; the host kills the container
  at ``timeout × 1.1 + 1 s`` as a backstop. Either way the run returns ``timed_out=True`` with
  what was collected.
- Cancelling the awaiting task kills and removes the container before the cancellation
  propagates. After a normal run the container is removed in the background, off the result's
  path (``settle()`` waits for it; ``close()`` does). It is removed in every case.
  When the Docker engine stops answering, ``run`` raises
  ``DomainError(SERVICE_UNAVAILABLE, "The Docker engine is not reachable …")``; a container killed
  or removed from outside gives an outcome with no ``result_json`` (the app fails the run).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import functools
import logging
import signal
import tarfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar
from uuid import UUID

from skriptoteket.domain import run_results as rr
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.run_failures import (
    FailureReport,
    RunFailure,
    result_too_large,
    work_area_full,
)
from skriptoteket.ports.execution import RunJob, RunLimits, RunnerOutcome
from skriptoteket.settings import Settings

from skriptoteket_docker import transfer
from skriptoteket_docker.containers import (
    BUILD_HINT,
    Engine,
    SandboxSpec,
    engine_unavailable,
)
from skriptoteket_docker.pool import Warm, WarmPool

log = logging.getLogger(__name__)
T = TypeVar("T")
NOTE = "[skriptoteket] "


def backstop_seconds(timeout: float) -> float:
    return timeout * 1.1 + 1.0


class DockerRunner:
    def __init__(
        self,
        settings: Settings,
        *,
        pool_size: int | None = None,
        engine_factory: Callable[[], Engine] | None = None,
        check_image_hash: bool = True,
    ) -> None:
        self.settings = settings
        self.spec = SandboxSpec.from_settings(settings)
        self.pool_size = settings.runner_pool_size if pool_size is None else pool_size
        self._engine_factory = engine_factory or functools.partial(
            Engine.connect, worker_name=settings.worker_name
        )
        self._check_hash = check_image_hash
        workers = max(4, settings.run_concurrency * 2 + 2)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="skt-docker")
        self._engine: Engine | None = None
        self.pool: WarmPool | None = None
        self._active: set[str] = set()
        self._removals: set[asyncio.Future[None]] = set()
        self._unremoved: set[str] = set()  # removal failed (engine gone); retried later
        # run id → container id of recent runs (warm containers cannot carry run labels)
        self.recent: collections.OrderedDict[UUID, str] = collections.OrderedDict()
        self._closed = False
        self.swept: list[str] = []
        self._startup: Future[None] = self._executor.submit(self._start)

    # --- start-up --------------------------------------------------------------------------

    def _start(self) -> None:
        from skriptoteket_docker.image import runner_image_hash

        engine = self._engine_factory()
        try:
            engine.check_image(
                self.settings.runner_image, runner_image_hash() if self._check_hash else None
            )
            self.swept = engine.sweep_orphans()
        except BaseException:
            engine.close()
            raise
        if self.swept:
            log.info("removed %d orphaned sandbox containers", len(self.swept))
        self._engine = engine
        self.pool = WarmPool(engine, self.spec, self.pool_size)
        if not self._closed:
            self.pool.start()

    async def started(self) -> Engine:
        """Wait for start-up; retry it once when the previous attempt failed."""
        try:
            await asyncio.wrap_future(self._startup)
        except DomainError:
            if self._closed:
                raise
            self._startup = self._executor.submit(self._start)
            await asyncio.wrap_future(self._startup)
        assert self._engine is not None
        return self._engine

    async def _call(self, func: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        # In a copy of the caller's context: the thread's log lines carry the run id (RUN-35).
        return await loop.run_in_executor(
            self._executor, contextvars.copy_context().run, func, *args
        )

    async def check(self) -> None:
        """Ready when start-up succeeded (engine reached, image present and current) and the
        engine answers a ping now."""
        engine = await self.started()
        if not await self._call(engine.alive):
            raise engine_unavailable("no answer to a ping")

    # --- one run ---------------------------------------------------------------------------

    async def run(self, job: RunJob) -> RunnerOutcome:
        if self._closed:
            raise DomainError(
                ErrorCode.SERVICE_UNAVAILABLE,
                "The docker runner is closed.",
                reason=RunFailure.ENGINE_UNAVAILABLE,
            )
        began = time.monotonic()  # the wall clock counts from here, container start included
        engine = await self.started()
        for leftover in list(self._unremoved):  # the engine answers again: clean up
            self._unremoved.discard(leftover)
            self._remove_later(engine, leftover)
        spec = SandboxSpec.for_job(self.settings.runner_image, job.limits)
        warm = self.pool.take() if self.pool is not None and spec == self.spec else None
        mode = "warm" if warm is not None else "cold"
        if warm is None:
            warm = await self._create_cold(engine, job, spec)
        self._active.add(warm.id)
        self.recent[job.run_id] = warm.id
        while len(self.recent) > 256:
            self.recent.popitem(last=False)
        log.info("run %s uses container %s (%s)", job.run_id, warm.id[:12], mode)
        try:
            outcome = await self._exchange(engine, job, warm, mode, began)
        except BaseException:  # cancelled, engine gone, …: remove before re-raising
            self._active.discard(warm.id)
            warm.channel.close()
            try:
                await asyncio.shield(self._call(engine.remove, warm.id))
            except Exception:  # the engine is gone: try again later, and at close()
                self._unremoved.add(warm.id)
            raise
        self._active.discard(warm.id)
        warm.channel.close()
        self._remove_later(engine, warm.id)  # off the result's path; close() waits for it
        return outcome

    def _remove_later(self, engine: Engine, container_id: str) -> None:
        future = asyncio.ensure_future(self._call(engine.remove, container_id))
        self._removals.add(future)

        def done(f: asyncio.Future[None]) -> None:
            self._removals.discard(f)
            if not f.cancelled() and f.exception() is not None:
                log.warning("could not remove container %s: %s", container_id[:12], f.exception())
                self._unremoved.add(container_id)

        future.add_done_callback(done)

    async def settle(self) -> None:
        """Wait until the containers of finished runs are removed."""
        while self._removals:
            await asyncio.gather(*list(self._removals), return_exceptions=True)

    def container_of(self, run_id: UUID) -> str | None:
        """The container a recent or running run used (for operators and tests)."""
        return self.recent.get(run_id)

    def is_running(self, run_id: UUID) -> bool:
        return self.recent.get(run_id) in self._active

    async def _create_cold(self, engine: Engine, job: RunJob, spec: SandboxSpec) -> Warm:
        labels = {
            "skriptoteket.run_id": str(job.run_id),
            "skriptoteket.tool_id": str(job.tool_id),
            "skriptoteket.tool_version_id": str(job.version_id),
        }
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self._executor,
            contextvars.copy_context().run,
            self._cold_blocking,
            engine,
            spec,
            labels,
        )
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                warm = await future
                warm.channel.close()
                await self._call(engine.remove, warm.id)
            raise

    def _cold_blocking(self, engine: Engine, spec: SandboxSpec, labels: dict[str, str]) -> Warm:
        import docker.errors

        container = None
        try:
            container = engine.create(spec, labels)
            sock = engine.attach(container)
            engine.start(container)
            return Warm(container, sock)
        except BaseException as error:
            if container is not None:
                with contextlib.suppress(Exception):
                    engine.remove(container.id)
            if isinstance(error, DomainError):
                raise
            if isinstance(error, docker.errors.ImageNotFound):
                raise DomainError(
                    ErrorCode.SERVICE_UNAVAILABLE,
                    f"The runner image {spec.image} is missing; {BUILD_HINT}.",
                    reason=RunFailure.ENGINE_UNAVAILABLE,
                ) from error
            if not engine.alive():
                raise engine_unavailable(error) from error
            raise DomainError(
                ErrorCode.SERVICE_UNAVAILABLE,
                f"Could not start a sandbox container: {error}",
                reason=RunFailure.ENGINE_UNAVAILABLE,
            ) from error

    async def _exchange(
        self, engine: Engine, job: RunJob, warm: Warm, mode: str, began: float
    ) -> RunnerOutcome:
        started = time.monotonic()
        left = max(0.1, job.limits.timeout_seconds - (started - began))
        payload = await self._call(transfer.job_payload, job, {"timeout": left})
        out = transfer.Collected()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self._executor, contextvars.copy_context().run, self._talk, job, warm, payload, out
        )
        killed = False
        try:
            await asyncio.wait_for(
                asyncio.shield(future), backstop_seconds(job.limits.timeout_seconds)
            )
        except TimeoutError:
            killed = True
            await self._call(engine.kill, warm.id)
            try:
                await asyncio.wait_for(asyncio.shield(future), 10)
            except TimeoutError:
                warm.channel.close()
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await self._call(engine.kill, warm.id)
            warm.channel.close()
            raise
        if not out.complete and not killed and not await self._call(engine.alive):
            raise engine_unavailable(out.error or "the connection was lost")
        return _outcome(out, warm, mode, killed, time.monotonic() - started, job)

    def _talk(self, job: RunJob, warm: Warm, payload: bytes, out: transfer.Collected) -> None:
        limits = job.limits
        sock = warm.sock
        sock.settimeout(backstop_seconds(limits.timeout_seconds) + 15)
        try:
            sock.sendall(payload)
            transfer.collect(
                transfer.DemuxReader(sock),
                out,
                job.workspace / "output",
                max_stdout=limits.max_stdout_bytes,
                max_stderr=limits.max_stderr_bytes,
                max_result=limits.max_result_bytes,
                max_output_bytes=limits.work_area_bytes,
                max_output_entries=limits.work_area_files,
            )
        except (OSError, tarfile.TarError, ValueError, EOFError) as error:
            out.error = out.error or f"{error.__class__.__name__}: {error}"

    # --- shutdown --------------------------------------------------------------------------

    async def close(self) -> None:
        self._closed = True
        with contextlib.suppress(Exception):
            await asyncio.wrap_future(self._startup)
        await self.settle()
        engine = self._engine
        if self.pool is not None:
            await self._call(self.pool.close)
        if engine is not None:
            for container_id in [*self._active, *self._unremoved]:
                with contextlib.suppress(Exception):
                    await self._call(engine.remove, container_id)
            engine.close()
        self._executor.shutdown(wait=False)


def _meta_violation(meta: dict[str, Any]) -> tuple[str, str] | None:
    found = meta.get("violation")
    if isinstance(found, list) and len(found) == 2 and all(isinstance(v, str) for v in found):
        return found[0], found[1]
    return None


def _failure(
    out: transfer.Collected, meta: dict[str, Any], timed_out: bool, limits: RunLimits
) -> FailureReport | None:
    """The runner's own verdict: the work area full (the agent saw its tmpfs run out of bytes
    or inodes and killed the tool), result.json too large, an output entry not allowed (the
    host's finding first, then the agent's), a sandbox that ended without reporting, or the
    tool killed by the out-of-memory killer."""
    full = meta.get("work_area_full")
    if full == "files":
        return work_area_full("files", limits.work_area_files)
    if full == "bytes":
        return work_area_full("bytes", limits.work_area_bytes)
    if out.result_size > limits.max_result_bytes:
        return result_too_large(out.result_size, limits.max_result_bytes)
    if timed_out:
        return None
    violation = out.violation or _meta_violation(meta)
    if violation is not None:
        return rr.output_not_allowed(*violation).failure
    if not out.complete:
        return FailureReport(RunFailure.SANDBOX_LOST, {})
    if meta.get("exit_code") == -signal.SIGKILL:  # only the memory cgroup's OOM killer sends
        return FailureReport(RunFailure.MEMORY, {})  # SIGKILL inside the container
    return None


def _outcome(
    out: transfer.Collected, warm: Warm, mode: str, killed: bool, seconds: float, job: RunJob
) -> RunnerOutcome:
    meta = out.meta or {}
    timed_out = killed or bool(meta.get("timed_out"))
    exit_code = meta.get("exit_code")
    notes: list[str] = []
    if timed_out:
        notes.append(f"The run was stopped at the time limit ({job.limits.timeout_seconds:g} s).")
    elif not out.complete:
        notes.append("The sandbox ended before reporting back (it was killed or removed).")
    elif isinstance(exit_code, int) and exit_code < 0:
        notes.append(f"The tool was killed by signal {-exit_code} (memory or process limit?).")
    if out.error:
        notes.append(out.error)
    for name, reason in out.skipped:
        notes.append(f"Skipped output entry {name!r}: {reason}.")
    stderr = out.stderr.decode("utf-8", "replace")
    if notes:
        text = "".join(f"\n{NOTE}{n}" for n in notes)
        room = job.limits.max_stderr_bytes - len(text.encode())
        stderr = stderr.encode()[: max(room, 0)].decode("utf-8", "ignore") + text
    diagnostics = {
        "isolation": "docker",
        "container": warm.id[:12],
        "pool": mode,
        "seconds": f"{seconds:.3f}",
    }
    if out.skipped:
        diagnostics["skipped"] = "; ".join(f"{n}: {r}" for n, r in out.skipped)
    failure = _failure(out, meta, timed_out, job.limits)
    if failure is not None and failure.code is RunFailure.DISK:
        diagnostics["killed"] = rr.KILLED_WORK_AREA
    violation = out.violation or _meta_violation(meta)
    if violation is not None:
        diagnostics["output_violation"] = f"{violation[0][:200]}: {violation[1]}"
    return RunnerOutcome(
        stdout=out.stdout.decode("utf-8", "replace"),
        stderr=stderr,
        result_json=out.result_json,
        timed_out=timed_out,
        exit_code=exit_code if isinstance(exit_code, int) else None,
        diagnostics=diagnostics,
        failure=failure,
    )
