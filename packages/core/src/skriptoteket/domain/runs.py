"""Run records and their state machine: queued → running → succeeded | failed | timed_out |
cancelled (VER-20, AMB-08, DESIGN §5). Executing runs is the runner's job; this module only
says which transitions are legal and what each one records."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

import attrs

from skriptoteket.domain.errors import conflict, validation_error
from skriptoteket.domain.run_failures import FailureDetail, FailureReport, RunFailure

InputValue = str | int | float | bool | None


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self not in (RunStatus.QUEUED, RunStatus.RUNNING)


class RunContext(enum.StrEnum):
    SANDBOX = "sandbox"
    PRODUCTION = "production"


@attrs.frozen
class InputFile:
    """An uploaded file of a run; ``field`` is the input-schema file field it belongs to."""

    name: str
    bytes: int
    field: str | None = None


@attrs.frozen
class Artifact:
    artifact_id: str
    path: str
    bytes: int


@attrs.frozen
class ToolRun:
    id: UUID
    tool_id: UUID
    version_id: UUID
    context: RunContext
    requested_by_user_id: UUID
    status: RunStatus
    created_at: datetime
    workdir_path: str
    input_files: tuple[InputFile, ...] = ()
    input_values: Mapping[str, InputValue] = attrs.field(factory=dict)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    html_output: str | None = None
    stdout: str | None = None
    stderr: str | None = None
    error_summary: str | None = None
    artifacts: tuple[Artifact, ...] = ()
    failure_code: RunFailure | None = None
    """Why a failed or timed-out run did not succeed (None for every other status)."""
    failure_details: Mapping[str, FailureDetail] = attrs.field(factory=dict)
    owner: str | None = None
    """``host:pid:start-time`` of the process whose in-memory queue holds the run (kept when it
    runs and after): start-up recovery fails an unfinished run only when its owner is gone.
    None for a run queued where no process holds it in memory, or from before owners."""
    worker: str | None = None
    """The name of the process that executed the run (``hostname:pid`` or a worker's
    ``--name``), set when it starts running; None while queued (issue 10)."""

    @property
    def failure(self) -> FailureReport | None:
        if self.failure_code is None:
            return None
        return FailureReport(self.failure_code, self.failure_details)

    @property
    def input_size_bytes(self) -> int:
        return sum(f.bytes for f in self.input_files)


def queue_run(
    *,
    id: UUID,
    tool_id: UUID,
    version_id: UUID,
    context: RunContext,
    requested_by: UUID,
    input_files: tuple[InputFile, ...],
    input_values: Mapping[str, InputValue] | None,
    now: datetime,
    owner: str | None = None,
) -> ToolRun:
    """A run is a committed ``queued`` row before anything executes (AMB-08)."""
    for f in input_files:
        if not f.name.strip():
            raise validation_error("Input file name is required", field="files")
        if f.bytes < 0:
            raise validation_error("Input size must be zero or more", field="files")
    return ToolRun(
        id=id,
        tool_id=tool_id,
        version_id=version_id,
        context=context,
        requested_by_user_id=requested_by,
        status=RunStatus.QUEUED,
        created_at=now,
        workdir_path=str(id),
        input_files=input_files,
        input_values=dict(input_values or {}),
        owner=owner,
    )


def start_run(run: ToolRun, *, now: datetime, worker: str | None = None) -> ToolRun:
    if run.status is not RunStatus.QUEUED:
        raise conflict("Only queued runs can start", status=run.status.value)
    return attrs.evolve(run, status=RunStatus.RUNNING, started_at=now, worker=worker or run.worker)


def _normalize_summary(raw: str | None) -> str | None:
    text = (raw or "").strip()
    return text or None


def finish_run(
    run: ToolRun,
    *,
    status: RunStatus,
    now: datetime,
    html_output: str | None = None,
    stdout: str | None = None,
    stderr: str | None = None,
    error_summary: str | None = None,
    artifacts: tuple[Artifact, ...] = (),
    failure: FailureReport | None = None,
) -> ToolRun:
    """VER-20: only a running run finishes, with a terminal status, not before it started.
    A run that did not succeed carries a failure code and never lists artifacts."""
    if run.status is not RunStatus.RUNNING:
        raise conflict("Only running runs can finish", status=run.status.value)
    if not status.is_terminal or status is RunStatus.CANCELLED:
        raise validation_error("Finish needs succeeded, failed or timed_out", status=status.value)
    if run.started_at is not None and now < run.started_at:
        raise validation_error("finished_at must not be before started_at")
    succeeded = status is RunStatus.SUCCEEDED
    if not succeeded and failure is None:
        default = RunFailure.TIMEOUT if status is RunStatus.TIMED_OUT else RunFailure.INTERNAL
        failure = FailureReport(default)
    return attrs.evolve(
        run,
        status=status,
        finished_at=now,
        html_output=html_output,
        stdout=stdout,
        stderr=stderr,
        error_summary=_normalize_summary(error_summary),
        artifacts=artifacts if succeeded else (),
        failure_code=None if succeeded or failure is None else failure.code,
        failure_details={} if succeeded or failure is None else dict(failure.details),
    )


def cancel_run(run: ToolRun, *, now: datetime) -> ToolRun:
    if run.status.is_terminal:
        raise conflict("The run has already finished", status=run.status.value)
    return attrs.evolve(
        run, status=RunStatus.CANCELLED, finished_at=now, error_summary="Körningen avbröts."
    )


def fail_interrupted(
    run: ToolRun,
    *,
    now: datetime,
    message: str,
    details: Mapping[str, FailureDetail] | None = None,
) -> ToolRun:
    """A run left queued or running by a process that died is finished as failed; ``details``
    say more (``{"cause": "worker_lost"}``: the worker executing it stopped heartbeating or
    did not finish it within its drain)."""
    if run.status.is_terminal:
        raise conflict("The run has already finished", status=run.status.value)
    return attrs.evolve(
        run,
        status=RunStatus.FAILED,
        finished_at=now,
        error_summary=_normalize_summary(message),
        failure_code=RunFailure.INTERRUPTED,
        failure_details=dict(details or {}),
    )
