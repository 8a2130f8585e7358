"""The composition root: one ``bootstrap(settings)`` wires the selected backends into a
``Skriptoteket`` container and owns their lifetime. The web lifespan and the CLI both use it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import attrs
import pluggy

from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.context import Deps, ExecutionDeps
from skriptoteket.builtin.process_identity import LocalProcessLiveness, default_worker_name
from skriptoteket.builtin.runs_elsewhere import RunsElsewhere
from skriptoteket.builtin.system import (
    Argon2PasswordHasher,
    SecretsTokenGenerator,
    UtcClock,
    Uuid4Generator,
)
from skriptoteket.builtin.workspaces import FilesystemWorkspaces
from skriptoteket.plugins.facade import Plugins
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.ports.execution import RunLimits, RunObserver
from skriptoteket.ports.run_events import AnnouncesRunEvents
from skriptoteket.ports.system import Clock, IdGenerator, PasswordHasher, TokenGenerator
from skriptoteket.settings import Settings, parse_size


def run_limits(settings: Settings, timeout_seconds: float) -> RunLimits:
    """CFG-01: the one place settings become sandbox limits."""
    return RunLimits(
        timeout_seconds=timeout_seconds,
        memory_bytes=parse_size(settings.runner_memory_limit),
        cpu_count=settings.runner_cpu_limit,
        max_processes=settings.runner_pids_limit,
        max_file_bytes=parse_size(settings.runner_max_file_size),
        work_area_bytes=parse_size(settings.runner_work_area_limit),
        work_area_files=settings.runner_work_area_files,
        max_stdout_bytes=settings.run_output_max_stdout_bytes,
        max_stderr_bytes=settings.run_output_max_stderr_bytes,
    )


@asynccontextmanager
async def bootstrap(
    settings: Settings,
    pm: pluggy.PluginManager | None = None,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    hasher: PasswordHasher | None = None,
    tokens: TokenGenerator | None = None,
    execution: bool = False,
    recover_interrupted_runs: bool = False,
    run_observers: Sequence[RunObserver] = (),
    worker_name: str | None = None,
    runs_here: bool | None = None,
) -> AsyncIterator[Skriptoteket]:
    """Open the configured database backend and yield the use-case container.

    With ``execution`` the selected runner, artifact store and run queue are started too, and
    closed on exit. ``recover_interrupted_runs`` is for the one long-running process that owns
    execution (``serve``, ``worker``): runs a crashed process left behind end as failed; the
    runs of live processes (a second ``serve`` on the same database) are left alone.
    ``run_observers`` are told about every run that starts or finishes (e.g. the web host's
    Prometheus metrics). ``worker_name`` is stamped on every run this process executes
    (default ``SKRIPTOTEKET_WORKER_NAME``, else ``hostname:pid``; ``skriptoteket worker --name``).
    ``runs_here`` says whether this process executes runs (``skriptoteket worker``: True); by
    default it does when its run queue executes here. A process that does not gets no runner
    (no Docker engine or sandbox needed on a web host beside workers).

    Example::

        async with bootstrap(Settings.from_env()) as app:
            user = await app.find_active_user("rektor@skolan.se")
    """
    plugins = Plugins(pm or make_plugin_manager())
    backend = plugins.select_repository(settings)
    processes = LocalProcessLiveness()
    async with backend.open(settings) as uow_factory:
        deps = Deps(
            uow=uow_factory,
            clock=clock or UtcClock(),
            ids=ids or Uuid4Generator(),
            hasher=hasher or Argon2PasswordHasher(),
            tokens=tokens or SecretsTokenGenerator(),
            session_ttl_seconds=settings.session_ttl_seconds,
            processes=processes,
            run_events=(
                uow_factory.run_events if isinstance(uow_factory, AnnouncesRunEvents) else None
            ),
        )
        if not execution:
            yield Skriptoteket(deps)
            return
        queue = plugins.select_run_queue(settings).create(settings)
        executes = queue.executes_here if runs_here is None else runs_here
        runner = plugins.select_runner(settings).create(settings) if executes else RunsElsewhere()
        try:
            execution_deps = ExecutionDeps(
                runner=runner,
                artifacts=plugins.select_artifact_store(settings).create(settings),
                queue=queue,
                workspaces=FilesystemWorkspaces(
                    settings.workspace_dir,
                    inputs_root=settings.sandbox_inputs_dir,
                    input_retention_hours=settings.sandbox_input_retention_hours,
                ),
                sandbox_limits=run_limits(settings, settings.runner_timeout_sandbox_seconds),
                production_limits=run_limits(settings, settings.runner_timeout_production_seconds),
                input_limits=settings.input_limits,
                output_caps=settings.output_caps,
                runner_name=settings.runner,
                observers=tuple(run_observers),
                # A run in this process's memory is lost with it: its owner is this process.
                owner=processes.owner if queue.executes_here else None,
                worker_name=worker_name or settings.worker_name or default_worker_name(),
                runs_here=executes,
            )
            app = Skriptoteket(attrs.evolve(deps, execution=execution_deps))
            if recover_interrupted_runs:
                await app.fail_interrupted_runs()
            await queue.start(app.execute_run, interrupt=app.fail_lost_run)
            yield app
        finally:
            await queue.close()
            await runner.close()
