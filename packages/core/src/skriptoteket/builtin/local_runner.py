"""The ``local`` runner: each run is a separate Python process in a fresh private directory,
isolated by bubblewrap where it works (see ``local_sandbox`` for what each level enforces).

Per run: a 0700 temp dir ``run-<pid>-…`` under the runner's temp root (those of dead processes
are swept when the runner starts); the wrapper and ``skriptoteket_tool`` are
bound (bubblewrap) or copied (otherwise) read-only into ``runner/``; rlimits (CPU, address
space, file size, processes, no core dumps); a per-run pids cgroup where the host allows one; a
wall-clock timeout that SIGKILLs the whole process group; stdout/stderr drained concurrently and
capped; a disk watchdog (bytes and entries) on the writable host directories. ``result.json``
is read without following links. A symlink, FIFO, device, unsafe name or a tree too deep or too
large in ``workspace/output`` fails the run with OUTPUT_NOT_ALLOWED (RUN-22–RUN-24), like on every
runner; nothing here ever follows them. Every walk and removal is iterative (``file_trees``).
"""

from __future__ import annotations

import asyncio
import codecs
import json
import logging
import math
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs

from skriptoteket.builtin import file_trees
from skriptoteket.builtin import local_sandbox as sb
from skriptoteket.builtin.filesystem_artifacts import walk_output
from skriptoteket.builtin.local_cgroup import PidsCgroups, RunCgroup
from skriptoteket.builtin.local_diskwatch import DiskWatch
from skriptoteket.builtin.local_launchers import Launchers
from skriptoteket.builtin.local_process import CHUNK, Spawned, spawn
from skriptoteket.domain import run_results as rr
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.run_failures import (
    FailureReport,
    RunFailure,
    result_too_large,
    work_area_full,
)
from skriptoteket.ports.execution import RunJob, RunLimits, RunnerOutcome
from skriptoteket.sandbox import TOOL_MODULE_PATH, WRAPPER_PATH
from skriptoteket.settings import Settings

log = logging.getLogger(__name__)

DRAIN_GRACE_SECONDS = 2.0
SWEEP_INTERVAL_SECONDS = 0.01

T = TypeVar("T")


@attrs.frozen
class _Plan:
    isolation: str  # bubblewrap | netns | none
    bwrap: str | None = None
    flags: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()
    preexec: Callable[[], None] | None = None
    cgroups: PidsCgroups | None = None
    join_cgroup_by_shell: bool = False  # no other preexec step: join via /bin/sh, not a fork


class LocalRunner:
    """A ``Runner`` for one machine and trusted authors (DESIGN §5)."""

    def __init__(
        self,
        python: str | None = None,
        *,
        temp_root: Path | None = None,
        use_bubblewrap: bool = True,
        use_cgroups: bool = True,
        ready_launchers: int = 2,
    ) -> None:
        self.python = python or sys.executable
        default_root = Path(tempfile.gettempdir()) / f"skriptoteket-{os.getuid()}"
        self.temp_root = (temp_root or default_root).absolute()
        self._use_bubblewrap = use_bubblewrap
        self._use_cgroups = use_cgroups
        self._plan: _Plan | None = None
        self._plan_lock = asyncio.Lock()
        # Shells waiting inside their own pids cgroup (see local_launchers); 0 turns them off.
        self._ready_launchers = ready_launchers
        self._launcher_pool: Launchers | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalRunner:
        return cls(settings.runner_python or None, use_cgroups=settings.runner_pids_cgroup)

    async def isolation_report(self) -> dict[str, str]:
        """What this runner enforces on this host (probed once): ``isolation`` is
        bubblewrap, netns or none; ``processes`` is cgroup, rlimit or none."""
        plan = await self._get_plan()
        bound = "cgroup" if plan.cgroups is not None else _process_bound(plan, None)
        return {"isolation": plan.isolation, "processes": bound}

    async def check(self) -> None:
        """The sandbox plan is probed once; the interpreter must still be there."""
        await self._get_plan()
        if not os.access(self.python, os.X_OK):
            raise DomainError(
                ErrorCode.SERVICE_UNAVAILABLE,
                f"The sandbox interpreter {self.python} is missing.",
                reason=RunFailure.ENGINE_UNAVAILABLE,
            )

    async def run(self, job: RunJob) -> RunnerOutcome:
        # Absolute: the sandbox is started from another working directory (a ready launcher's,
        # bubblewrap's), where a relative workspace such as the demo's .skriptoteket/work is not.
        job = attrs.evolve(job, workspace=job.workspace.absolute())
        plan = await self._get_plan()
        job_dir = Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=self.temp_root))
        cgroup: RunCgroup | None = None
        spawned: Spawned | None = None
        spawning: asyncio.Future[Spawned] | None = None
        try:
            argv, env, cwd = self._prepare(plan, job, job_dir)
            launcher = self._launchers(plan).take() if plan.join_cgroup_by_shell else None
            if launcher is not None:  # already in its own cgroup: no spawn, no cgroup move
                spawned, cgroup = launcher.spawned, launcher.cgroup
                launcher.start(job_dir, argv, job.limits.max_processes)
            else:
                if plan.cgroups is not None:
                    cgroup = plan.cgroups.create(job.limits.max_processes)
                if cgroup is not None and plan.join_cgroup_by_shell:
                    argv = sb.join_cgroup_argv(str(cgroup.path / "cgroup.procs"), argv)
                    preexec = None
                else:
                    preexec = sb.join_cgroup(cgroup.procs_fd if cgroup else None, plan.preexec)
                spawning = asyncio.ensure_future(spawn(argv, env, cwd, preexec))
                spawned = await asyncio.shield(spawning)
                if cgroup is not None:
                    cgroup.close_fd()
            outcome = await self._supervise(spawned, cgroup, job, job_dir)
            if plan.isolation == "bubblewrap":
                _raise_if_the_sandbox_did_not_start(outcome)
            diagnostics = {
                "isolation": plan.isolation,
                "processes": _process_bound(plan, cgroup),
                "launch": "prestarted" if launcher is not None else "spawned",
                **outcome.diagnostics,
            }
            return attrs.evolve(outcome, diagnostics=diagnostics)
        finally:
            if spawning is not None and spawned is None:
                # Cancelled half-way, asyncio would kill only the process it started
                # (bubblewrap's outer process), not its process group: bubblewrap's
                # in-namespace init would then wait forever with our pipes open, and asyncio's
                # own clean-up with it. So the spawn always completes and is killed below.
                await _outlive_cancellation(spawning)  # already on the way out: cancelled
                if not spawning.cancelled() and spawning.exception() is None:
                    spawned = spawning.result()
            await _finish_despite_cancellation(_clean_up(spawned, cgroup, job_dir))

    async def prestart(self) -> None:
        """Have the ready launchers started now (the app does this at start-up), so that even
        the first run finds one; nothing to do where launchers are not used."""
        plan = await self._get_plan()
        if plan.join_cgroup_by_shell:
            await self._launchers(plan).fill()

    async def close(self) -> None:
        if self._launcher_pool is not None:
            await self._launcher_pool.close()

    def _launchers(self, plan: _Plan) -> Launchers:
        if self._launcher_pool is None:
            assert plan.cgroups is not None
            self._launcher_pool = Launchers(
                plan.cgroups, self.temp_root, self._ready_launchers, RunLimits().max_processes
            )
        return self._launcher_pool

    # -- set-up -------------------------------------------------------------------------------

    async def _get_plan(self) -> _Plan:
        async with self._plan_lock:
            if self._plan is None:
                self._plan = await asyncio.to_thread(self._probe)
            return self._plan

    def _probe(self) -> _Plan:
        self.temp_root.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = self.temp_root.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            raise RuntimeError(f"runner temp root {self.temp_root} is not a directory we own")
        os.chmod(self.temp_root, 0o700)
        sweep_dead_run_dirs(self.temp_root)
        cgroups = PidsCgroups.probe() if self._use_cgroups else None
        if self._use_bubblewrap:
            dirs = sb.python_dirs(self.python)
            found = sb.probe_bubblewrap(self.python, dirs)
            if found is not None:
                bwrap, flags = found
                by_shell = cgroups is not None and os.path.exists(sb.JOIN_CGROUP_SHELL)
                return _Plan("bubblewrap", bwrap, flags, dirs, None, cgroups, by_shell)
        mode, preexec = sb.probe_network_namespace(self.python)
        return _Plan(mode, preexec=preexec or sb.pdeathsig_preexec(), cgroups=cgroups)

    def _prepare(
        self, plan: _Plan, job: RunJob, job_dir: Path
    ) -> tuple[list[str], dict[str, str], str]:
        (job_dir / "script.py").write_text(job.source_code, encoding="utf-8")
        (job_dir / "result").mkdir()
        if job.contract_version >= 2:
            inputs = json.dumps(_wrapper_inputs(job), ensure_ascii=False)
            (job_dir / "inputs.json").write_text(inputs, encoding="utf-8")
        output_dir = job.workspace / "output"
        output_dir.mkdir(parents=True, exist_ok=True)
        input_dir = job.workspace / "input"
        input_dir.mkdir(parents=True, exist_ok=True)
        sandboxed = plan.isolation == "bubblewrap"
        root = "/sandbox" if sandboxed else str(job_dir)
        paths = sb.SandboxPaths(job_dir, input_dir, output_dir, root)
        first_input = job.input_names[0] if job.input_names else "input.bin"
        if sandboxed:
            home, tmp = "/tmp/home", "/tmp"
        else:
            home, tmp = str(job_dir / "home"), str(job_dir / "tmp")
            os.symlink(input_dir, job_dir / "input")
            os.symlink(output_dir, job_dir / "output")
            (job_dir / "home").mkdir()
            (job_dir / "tmp").mkdir()
            runner_dir = job_dir / "runner"
            runner_dir.mkdir()
            for source in (WRAPPER_PATH, TOOL_MODULE_PATH):
                shutil.copyfile(source, runner_dir / source.name)
                os.chmod(runner_dir / source.name, 0o444)
        env = sb.sandbox_env(
            paths,
            entrypoint=job.entrypoint,
            contract=job.contract_version,
            input_path=paths.inside("input/" + first_input),
            home=home,
            tmp=tmp,
            max_result_bytes=job.limits.max_result_bytes,
        )
        limits = _process_limits(job.limits)
        command = sb.launcher_argv(
            self.python, paths.inside("runner/wrapper.py"), str(job.run_id), limits
        )
        if not sandboxed:
            return command, env, str(job_dir)
        assert plan.bwrap is not None
        argv = sb.bubblewrap_argv(plan.bwrap, plan.flags, plan.dirs, paths, env, limits, command)
        return argv, {}, str(job_dir)

    # -- the run ------------------------------------------------------------------------------

    async def _supervise(
        self, spawned: Spawned, cgroup: RunCgroup | None, job: RunJob, job_dir: Path
    ) -> RunnerOutcome:
        limits = job.limits
        stdout = asyncio.create_task(_drain(spawned.stdout, limits.max_stdout_bytes))
        stderr = asyncio.create_task(_drain(spawned.stderr, limits.max_stderr_bytes))

        def kill_run() -> None:  # called from the watchdog's thread
            sb.kill_group(spawned.pid)
            if cgroup is not None:
                cgroup.kill_all()

        watchdog = DiskWatch(
            [job_dir, job.workspace / "output"],
            limits.work_area_bytes,
            kill_run,
            max_files=limits.work_area_files,
        )
        exited = spawned.protocol.exited
        diagnostics: dict[str, str] = {}
        timed_out = False
        failure: FailureReport | None = None
        try:
            waited: set[asyncio.Future[Any]] = {exited, watchdog.exceeded}
            done, _ = await asyncio.wait(
                waited,
                timeout=limits.timeout_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if exited not in done and watchdog.exceeded not in done:
                sb.kill_group(spawned.pid)
                timed_out = True
                diagnostics["killed"] = "timeout"
            await asyncio.shield(exited)
            if not timed_out and watchdog.failure is not None:  # it killed the run
                diagnostics["killed"] = rr.KILLED_WORK_AREA
                failure = watchdog.failure
            sb.kill_group(spawned.pid)  # background children left by the tool
            if cgroup is not None:
                cgroup.kill_all()  # and those that left the process group
            out, err = await _collect(stdout, stderr)
        finally:
            watchdog.stop()
            for task in (stdout, stderr):
                task.cancel()
            await asyncio.gather(stdout, stderr, return_exceptions=True)
        if failure is None and not timed_out:  # a last look: the tool may have ended first
            failure = await _final_check(watchdog)
            if failure is not None:
                diagnostics["work_area"] = "exceeded when the run ended"
        for name, (_, total) in (("stdout", out), ("stderr", err)):
            if total > (limits.max_stdout_bytes if name == "stdout" else limits.max_stderr_bytes):
                diagnostics[f"{name}_truncated"] = f"{total} bytes written"
        result_json, result_size = _read_result(
            job_dir / "result" / "result.json", limits.max_result_bytes
        )
        if result_json is None:
            diagnostics["result"] = "missing or too large"
            if result_size > limits.max_result_bytes and failure is None:
                failure = result_too_large(result_size, limits.max_result_bytes)
        found, violation = _inspect_output(job.workspace / "output", limits.work_area_files)
        diagnostics.update(found)
        if failure is None and not timed_out:
            failure = violation
        return RunnerOutcome(
            stdout=_decode(out[0]),
            stderr=_decode(err[0]),
            result_json=result_json,
            timed_out=timed_out,
            exit_code=spawned.transport.get_returncode(),
            diagnostics=diagnostics,
            failure=failure,
        )


def sweep_dead_run_dirs(temp_root: Path) -> int:
    """Remove the run directories (``run-<pid>-…``) a killed process left in ``temp_root``:
    those whose pid no longer runs (a live process's are its own business). Iterative, never
    fatal: what cannot be removed is logged. Returns how many were removed."""
    removed = 0
    try:
        names = os.listdir(temp_root)
    except OSError:
        return 0
    for name in names:
        owner = _RUN_DIR.fullmatch(name)
        if owner is None or _alive(int(owner.group(1))):
            continue
        problems = file_trees.remove_tree(temp_root / name)
        if problems:
            log.warning(
                "could not remove the leftover run directory %s: %s",
                temp_root / name,
                "; ".join(problems),
            )
        else:
            removed += 1
    if removed:
        log.info("removed %d leftover run directories from %s", removed, temp_root)
    return removed


_RUN_DIR = re.compile(r"run-(\d+)-.+")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


async def _final_check(watchdog: DiskWatch) -> FailureReport | None:
    try:
        return await asyncio.to_thread(watchdog.check)
    except Exception:
        log.warning("could not measure the work area after the run", exc_info=True)
        return work_area_full("unmeasurable", watchdog.limit)


def _raise_if_the_sandbox_did_not_start(outcome: RunnerOutcome) -> None:
    """bubblewrap reports its own set-up failures (a missing bind source, no user namespaces)
    as ``bwrap: …`` and exit status 1 before the wrapper ever runs: that is the runner's fault,
    not the tool's, so it is an error (the run fails as an internal error, the log says why)
    and not "the tool used too much memory"."""
    if outcome.result_json is not None or outcome.timed_out or "killed" in outcome.diagnostics:
        return
    first_line = outcome.stderr.lstrip().split("\n", 1)[0]
    if outcome.exit_code == 1 and first_line.startswith("bwrap: "):
        raise RuntimeError(f"the sandbox could not be started: {first_line[:300]}")


async def _outlive_cancellation(task: asyncio.Future[T]) -> bool:
    """Wait until ``task`` is done; cancelling the waiter meanwhile (once or repeatedly) neither
    stops the wait nor the task. True if the waiter was cancelled."""
    cancelled = False
    while not task.done():
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:
            cancelled = True
    return cancelled


async def _clean_up(spawned: Spawned | None, cgroup: RunCgroup | None, job_dir: Path) -> None:
    """Kill every process of the run — its process group; then everything left in its pids
    cgroup until the cgroup is empty, or, without a cgroup and if we had to kill it, every
    process that names the run's directory — close the pipes, remove the private directory."""
    if spawned is not None:
        ended_by_itself = spawned.protocol.exited.done()
        sb.kill_group(spawned.pid)
        await spawned.protocol.exited
        sb.kill_group(spawned.pid)  # anything forked between the first kill and the exit
        if cgroup is None and not ended_by_itself:
            await _sweep_marked(str(job_dir))
    if cgroup is not None:
        await cgroup.remove()
    if spawned is not None:
        spawned.transport.close()
    _remove_tree(job_dir)


async def _sweep_marked(marker: str, bound_seconds: float = 2.0) -> None:
    """Kill the run's processes found by their command line until none is left (bounded)."""
    for _ in range(int(bound_seconds / SWEEP_INTERVAL_SECONDS)):
        if not await asyncio.to_thread(sb.kill_marked, marker):
            return
        await asyncio.sleep(SWEEP_INTERVAL_SECONDS)


async def _finish_despite_cancellation(work: Awaitable[T]) -> T:
    """Await ``work`` to its end even if the caller is cancelled (once or repeatedly) meanwhile;
    the cancellation is raised after it."""
    task = asyncio.ensure_future(work)
    if await _outlive_cancellation(task):
        raise asyncio.CancelledError
    return task.result()


def _wrapper_inputs(job: RunJob) -> dict[str, object]:
    """``inputs.json`` for contract 2: value fields as they are; file fields (lists of upload
    names) under ``__files__``, which the wrapper turns into paths. A ``__files__`` mapping the
    caller put in ``job.inputs`` is kept."""
    values: dict[str, object] = {}
    files: dict[str, object] = {}
    raw: Mapping[str, object] = job.inputs
    for key, value in raw.items():
        if key == "__files__" and isinstance(value, Mapping):
            files.update(value)
        elif isinstance(value, list):
            files[key] = list(value)
        else:
            values[key] = value
    return {**values, "__files__": files}


def _process_limits(limits: RunLimits) -> sb.ProcessLimits:
    return sb.ProcessLimits(
        cpu_seconds=math.ceil(limits.timeout_seconds) + 1,
        address_space=limits.memory_bytes,
        file_size=limits.max_file_bytes,
        processes=limits.max_processes,
        work_area=limits.work_area_bytes,
    )


def _process_bound(plan: _Plan, cgroup: RunCgroup | None) -> str:
    if cgroup is not None:
        return "cgroup"
    return "rlimit" if os.getuid() != 0 else "none (RLIMIT_NPROC does not bind root)"


async def _drain(stream: asyncio.StreamReader, cap: int) -> tuple[bytes, int]:
    """Keep the first ``cap`` bytes and read on to EOF so the child never blocks."""
    kept = bytearray()
    total = 0
    while chunk := await stream.read(CHUNK):
        total += len(chunk)
        if len(kept) < cap:
            kept += chunk[: cap - len(kept)]
    return bytes(kept), total


async def _collect(
    stdout: asyncio.Task[tuple[bytes, int]], stderr: asyncio.Task[tuple[bytes, int]]
) -> tuple[tuple[bytes, int], tuple[bytes, int]]:
    """The captured streams; a descendant that escaped the kill and holds a pipe open does
    not hold the run up for more than a grace period."""
    await asyncio.wait({stdout, stderr}, timeout=DRAIN_GRACE_SECONDS)
    results = []
    for task in (stdout, stderr):
        results.append(task.result() if task.done() and not task.cancelled() else (b"", 0))
    return results[0], results[1]


def _decode(data: bytes) -> str:
    # final=False drops a multi-byte character cut in half by the cap
    return codecs.getincrementaldecoder("utf-8")("replace").decode(data, final=False)


def _read_result(path: Path, cap: int) -> tuple[bytes | None, int]:
    """result.json's bytes (None when missing, not a regular file or over ``cap``) and the
    size found, so that an oversized result is reported as such."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None, 0
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, 0
        if info.st_size > cap:
            return None, info.st_size
        data = handle.read(cap + 1)
    return (data, len(data)) if len(data) <= cap else (None, len(data))


def _inspect_output(
    output_dir: Path, max_entries: int
) -> tuple[dict[str, str], FailureReport | None]:
    """Count what the tool left, and the first entry the output may not hold (RUN-22–RUN-24):
    the run then fails with OUTPUT_NOT_ALLOWED, as on every runner. The entries stay in place
    (never followed); the workspace is removed with the run."""
    try:
        if not stat.S_ISDIR(output_dir.lstat().st_mode):
            return {"output": "not a directory"}, None
    except OSError:
        return {"output": "missing"}, None
    files = size = 0
    try:
        for entry in walk_output(output_dir, max_entries):
            if stat.S_ISREG(entry.mode):
                files += 1
                size += entry.size
    except rr.ContractViolation as violation:
        return {"output_violation": str(violation)[:300]}, violation.failure
    except OSError as error:
        return {"output": f"unreadable: {error.__class__.__name__}"}, None
    return {"output_files": str(files), "output_bytes": str(size)}, None


def _remove_tree(path: Path) -> None:
    problems = file_trees.remove_tree(path)
    if problems:
        log.warning("could not remove all of the run directory %s: %s", path, "; ".join(problems))
