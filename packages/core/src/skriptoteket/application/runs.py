"""Reading, cancelling and recovering runs, and their artifacts (VER-20, EXE-07/08, ED-10/11,
RUN-28, DESIGN §5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from skriptoteket.application.context import UseCase
from skriptoteket.application.run_verdicts import SUMMARIES
from skriptoteket.domain.errors import DomainError, conflict, not_found, validation_error
from skriptoteket.domain.identity import Role, User, require_at_least_role
from skriptoteket.domain.policies import (
    can_view_failure_details,
    can_view_run,
    can_view_run_logs,
)
from skriptoteket.domain.runs import (
    Artifact,
    RunContext,
    RunStatus,
    ToolRun,
    cancel_run,
    fail_interrupted,
)
from skriptoteket.ports.execution import ArtifactStream, QueueStats
from skriptoteket.ports.repositories import UnitOfWork

INTERRUPTED_MESSAGE = "Körningen avbröts eftersom servern startades om. Försök igen."
WORKER_LOST_MESSAGE = "Körningen avbröts eftersom datorn som körde den slutade svara. Försök igen."
WORKSPACE_SWEEP_GRACE_SECONDS = 300.0
"""The start-up sweep spares a workspace younger than this that belongs to no known run: a
live process prepares a run's workspace just before it commits the run's row."""


@attrs.frozen
class RunView:
    """A run as its viewer may see it: logs are blanked for those who may not read them;
    ``queue_position`` is 1 for the next run to start, None when not waiting."""

    run: ToolRun
    logs_visible: bool
    queue_position: int | None = None


class _RunReader(UseCase):
    async def _view(self, actor: User, run: ToolRun) -> RunView:
        visible = can_view_run_logs(actor, run)
        shown = run if visible else attrs.evolve(run, stdout=None, stderr=None)
        if run.failure_code is not None and not can_view_failure_details(actor, run):
            shown = attrs.evolve(
                shown, error_summary=SUMMARIES[run.failure_code], failure_details={}
            )
        position = None
        if run.status is RunStatus.QUEUED and self.deps.execution is not None:
            position = await self.deps.execution.queue.position(run.id)
        return RunView(run=shown, logs_visible=visible, queue_position=position)

    async def _visible_run(self, uow: UnitOfWork, actor: User, run_id: UUID) -> ToolRun:
        """Owner or admin; anyone else gets NOT_FOUND, never FORBIDDEN (ERR-06)."""
        run = await uow.runs.get(run_id)
        if run is None or not can_view_run(actor, run):
            raise not_found("ToolRun", run_id=str(run_id))
        return run


class GetRun(_RunReader):
    async def __call__(self, actor: User, *, run_id: UUID) -> RunView:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            run = await self._visible_run(uow, actor, run_id)
        return await self._view(actor, run)


class ListMyRuns(_RunReader):
    """EXE-11: the actor's runs, newest first, a keyset page at a time."""

    async def __call__(
        self,
        actor: User,
        *,
        context: RunContext | None = None,
        limit: int = 50,
        before: tuple[datetime, UUID] | None = None,
    ) -> Sequence[RunView]:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            runs = await uow.runs.list_for_user(
                actor.id, context=context, limit=max(1, min(limit, 200)), before=before
            )
        return [await self._view(actor, r) for r in runs]


class CancelRun(_RunReader):
    """Cancel a queued or running run (owner or admin): a waiting run leaves the queue, a
    running one has its sandbox stopped; the row ends ``cancelled``."""

    async def __call__(self, actor: User, *, run_id: UUID) -> RunView:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            run = await self._visible_run(uow, actor, run_id)
        if run.status.is_terminal:
            raise conflict("The run has already finished", status=run.status.value)
        held = False
        if self.deps.execution is not None:
            held = await self.deps.execution.queue.cancel(run.id)
            if held and run.status is RunStatus.QUEUED:
                await self.deps.execution.workspaces.remove(run.id)
        async with self.deps.uow() as uow:
            current = await self._visible_run(uow, actor, run_id)
            if not current.status.is_terminal:
                cancelled = cancel_run(current, now=self.deps.clock.now())
                try:
                    await uow.runs.update(cancelled, expected_status=current.status)
                    await uow.run_inputs.delete(run_id)  # issue 10: uploads stored for a worker
                    await uow.commit()
                except DomainError:
                    pass  # it finished meanwhile; report what is stored
                else:  # a run that never reached this process's executor
                    if self.deps.execution is not None:
                        self.deps.execution.run_finished(current.context, RunStatus.CANCELLED, None)
            final = await self._visible_run(uow, actor, run_id)
        return await self._view(actor, final)


class FailInterruptedRuns(UseCase):
    """At start-up of a process that executes runs (DESIGN §5, issue 10): the unfinished runs
    whose owner is gone are finished as failed (``RunFailure.INTERRUPTED``) and their
    workspaces removed, so nothing stays "running" forever. Gone means: no owner (runs from
    before owners), this process's own identity (impossible after a restart, harmless), or a
    process on this host that no longer lives (pid and start time). Runs of a live process on
    this host, or of another host (not checkable here; issue 10's worker heartbeats will reap
    those), are left to their own process, and so are their workspaces: the sweep of leftover
    workspaces keeps them, and recent ones (a live process prepares a workspace just before
    it commits the run). Returns how many runs were finished."""

    async def __call__(self) -> int:
        failed: list[ToolRun] = []
        live: set[UUID] = set()
        async with self.deps.uow() as uow:
            for run in await uow.runs.list_unfinished():
                if not self._abandoned(run):
                    live.add(run.id)
                    continue
                final = fail_interrupted(
                    run, now=self.deps.clock.now(), message=INTERRUPTED_MESSAGE
                )
                try:
                    await uow.runs.update(final, expected_status=run.status)
                except DomainError:  # another process starting up recovered it first
                    continue
                failed.append(final)
            await uow.commit()
        if self.deps.execution is not None:
            for run in failed:
                self.deps.execution.run_finished(run.context, run.status, None)
                await self.deps.execution.workspaces.remove(run.id)
            await self.deps.execution.workspaces.sweep(
                keep=live, grace_seconds=WORKSPACE_SWEEP_GRACE_SECONDS
            )
        return len(failed)

    def _abandoned(self, run: ToolRun) -> bool:
        if run.owner is None:
            # A queue shared by workers (issue 10) holds runs no process owns: its reaper
            # fails those of a lost worker, so start-up recovery leaves them alone.
            execution = self.deps.execution
            return execution is None or execution.queue.executes_here

        processes = self.deps.processes
        if processes is None:  # cannot tell: never fail a run that may be live
            return False
        return run.owner == processes.owner or processes.is_alive(run.owner) is False


class FailLostRun(UseCase):
    """A run queue's callback (issue 10) for a run whose executor was lost (a worker that
    stopped heartbeating, or still running at the end of a worker's drain): the run is finished
    as failed (``RunFailure.INTERRUPTED``), never retried, as it may have had effects. True
    when this call finished it; False when it had already ended."""

    async def __call__(self, run_id: UUID) -> bool:
        async with self.deps.uow() as uow:
            run = await uow.runs.get(run_id)
            if run is None or run.status.is_terminal:
                return False
            final = fail_interrupted(
                run,
                now=self.deps.clock.now(),
                message=WORKER_LOST_MESSAGE,
                details={"cause": "worker_lost"},
            )
            try:
                await uow.runs.update(final, expected_status=run.status)
            except DomainError:  # it ended meanwhile
                return False
            await uow.run_inputs.delete(run_id)
            await uow.commit()
        if self.deps.execution is not None:
            self.deps.execution.run_finished(run.context, final.status, None)
            await self.deps.execution.workspaces.remove(run_id)
        return True


class WorkRuns(UseCase):
    """``skriptoteket worker`` (issue 10): execute runs from a shared queue until SIGTERM or
    SIGINT, then drain (``RunQueue.work``). A queue that executes in the serving process
    refuses (VALIDATION_ERROR, reason ``queue_not_shared``)."""

    async def __call__(self, *, name: str, concurrency: int, shutdown_seconds: float) -> None:
        await self.deps.require_execution().queue.work(
            name=name, concurrency=concurrency, shutdown_seconds=shutdown_seconds
        )


class GetQueueStats(UseCase):
    """Operations (``/metrics``): how many runs wait and run in this process's queue; None
    when this process does not execute runs. Carries no user data, so it takes no actor."""

    async def __call__(self) -> QueueStats | None:
        if self.deps.execution is None:
            return None
        return await self.deps.execution.queue.stats()


@attrs.frozen
class ArtifactFile:
    """An artifact being read: ``stream.chunks`` yields its bytes (iterate once)."""

    artifact: Artifact
    stream: ArtifactStream

    @property
    def filename(self) -> str:
        return self.artifact.path.rsplit("/", 1)[-1]


class OpenArtifact(_RunReader):
    """ED-11, EXE-08: the artifact must be in the manifest and on disk; otherwise NOT_FOUND.
    ``production_only`` gives the user-facing rule of EXE-07/08 (own production runs)."""

    async def __call__(
        self, actor: User, *, run_id: UUID, artifact_id: str, production_only: bool = False
    ) -> ArtifactFile:
        execution = self.deps.require_execution()
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            run = await self._visible_run(uow, actor, run_id)
        if production_only and (
            run.context is not RunContext.PRODUCTION or run.requested_by_user_id != actor.id
        ):
            raise not_found("ToolRun", run_id=str(run_id))
        artifact = next((a for a in run.artifacts if a.artifact_id == artifact_id), None)
        if artifact is None:
            raise not_found("Artifact", artifact_id=artifact_id)
        return ArtifactFile(
            artifact=artifact, stream=await execution.artifacts.read(run.id, artifact)
        )


class PruneArtifacts(UseCase):
    """RUN-28: delete the artifacts of runs older than ``days`` (admin or the operator), and
    the kept sandbox inputs older than their retention (RUN-29)."""

    async def __call__(self, actor: User, *, days: int) -> int:
        if days < 0:
            raise validation_error("Retention days must be zero or more", days=days)
        execution = self.deps.require_execution()
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            require_at_least_role(actor, Role.ADMIN)
        await execution.workspaces.prune_inputs()  # RUN-29: the kept sandbox inputs too
        return await execution.artifacts.prune(self.deps.clock.now() - timedelta(days=days))
