"""What every use case needs: the unit-of-work factory and the system services."""

from __future__ import annotations

import logging
from uuid import UUID

import attrs

from skriptoteket.domain.audit import AuditAction, AuditValue, SubjectType, audit_entry
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import User
from skriptoteket.domain.run_results import OutputCaps
from skriptoteket.domain.runs import RunContext, RunStatus
from skriptoteket.domain.uploads import InputLimits
from skriptoteket.ports.execution import (
    ArtifactStore,
    RunLimits,
    Runner,
    RunObserver,
    RunQueue,
    RunWorkspaces,
)
from skriptoteket.ports.repositories import UnitOfWork, UnitOfWorkFactory
from skriptoteket.ports.run_events import RunEvents
from skriptoteket.ports.system import (
    Clock,
    IdGenerator,
    PasswordHasher,
    ProcessLiveness,
    TokenGenerator,
)

log = logging.getLogger("skriptoteket.runs")


@attrs.frozen
class ExecutionDeps:
    """The parts that run tools. Absent when a host opens the core only to manage data."""

    runner: Runner
    artifacts: ArtifactStore
    queue: RunQueue
    workspaces: RunWorkspaces
    sandbox_limits: RunLimits
    production_limits: RunLimits
    input_limits: InputLimits = attrs.Factory(InputLimits)
    output_caps: OutputCaps = attrs.Factory(OutputCaps)
    runner_name: str = "local"
    observers: tuple[RunObserver, ...] = ()
    owner: str | None = None
    """Stamped on every run this process queues when its queue lives in this process's memory
    (``host:pid:start-time``): start-up recovery elsewhere then leaves the run alone while this
    process lives. None when the queue is not ours to lose."""
    worker_name: str | None = None
    """This process's name as an executor, stamped on every run it starts (``ToolRun.worker``):
    ``hostname:pid`` by default, or ``skriptoteket worker --name``."""
    runs_here: bool = True
    """False in a process that only queues runs (a web process beside ``skriptoteket worker``
    processes): its ``runner`` is a stand-in and readiness does not check it."""

    def limits_for(self, context: RunContext) -> RunLimits:
        return self.sandbox_limits if context is RunContext.SANDBOX else self.production_limits

    def run_started(self, context: RunContext) -> None:
        for observer in self.observers:
            try:
                observer.run_started(context)
            except Exception:  # an observer never breaks a run
                log.exception("run observer failed")

    def run_finished(self, context: RunContext, status: RunStatus, seconds: float | None) -> None:
        for observer in self.observers:
            try:
                observer.run_finished(context, status, seconds)
            except Exception:
                log.exception("run observer failed")


@attrs.frozen
class Deps:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    hasher: PasswordHasher
    tokens: TokenGenerator
    session_ttl_seconds: int = 604800
    execution: ExecutionDeps | None = None
    processes: ProcessLiveness | None = None
    """Whether a run's owner process still lives (start-up recovery); without it an owned run
    is never judged dead."""
    run_events: RunEvents | None = None
    """Announcements of run changes from every process (the backend's); without it a watcher
    only re-reads on its timer."""

    def require_execution(self) -> ExecutionDeps:
        if self.execution is None:
            raise DomainError(
                ErrorCode.SERVICE_UNAVAILABLE, "Running tools is not enabled in this process"
            )
        return self.execution


@attrs.frozen
class UseCase:
    deps: Deps

    async def _actor(self, uow: UnitOfWork, actor: User) -> User:
        """Re-read the actor inside the transaction, so a stale or forged ``User`` object
        cannot carry a role it no longer has (ID-05). The system operator is taken as given."""
        if actor.is_system:
            return actor
        stored = await uow.users.get(actor.id)
        if stored is None or not stored.is_active:
            raise DomainError(ErrorCode.UNAUTHORIZED, "The acting user is unknown or inactive")
        return stored

    async def _audit(
        self,
        uow: UnitOfWork,
        actor: User,
        action: AuditAction,
        subject_type: SubjectType,
        subject_id: UUID,
        **details: AuditValue,
    ) -> None:
        await uow.audit.append(
            audit_entry(
                id=self.deps.ids.new_id(),
                now=self.deps.clock.now(),
                actor=actor,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                **details,
            )
        )
