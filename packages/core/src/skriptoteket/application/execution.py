"""Starting and executing runs (RUN-01–RUN-35, EXE-01–EXE-05, DESIGN §5).

A run is a committed ``queued`` row first, then a job on the RunQueue; the executor marks it
``running``, calls the Runner with no transaction open (RUN-32), checks what came back, stores
the artifacts and finishes the row in a second short transaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import attrs

from skriptoteket.application.context import ExecutionDeps, UseCase
from skriptoteket.application.run_verdicts import Verdict, failed, judge
from skriptoteket.application.tools import require_tool
from skriptoteket.application.versions import require_version
from skriptoteket.domain import run_results as rr
from skriptoteket.domain.errors import DomainError, ErrorCode, not_found
from skriptoteket.domain.identity import User, require_real_user
from skriptoteket.domain.input_schema import (
    CONTRACT_1_SCHEMA,
    UploadedFile,
    ValidatedInputs,
    validate_inputs,
)
from skriptoteket.domain.policies import require_can_sandbox_run
from skriptoteket.domain.run_failures import FailureReport, RunFailure
from skriptoteket.domain.runs import (
    InputFile,
    RunContext,
    RunStatus,
    ToolRun,
    cancel_run,
    finish_run,
    queue_run,
    start_run,
)
from skriptoteket.domain.tools import Tool, is_runnable
from skriptoteket.domain.uploads import check_upload_caps, sanitize_filename
from skriptoteket.domain.versions import ToolVersion
from skriptoteket.observability.log_context import bind_run
from skriptoteket.ports.execution import RunJob, RunLimits, RunnerOutcome

log = logging.getLogger("skriptoteket.runs")


@attrs.frozen
class Upload:
    """A file as it arrived: ``filename`` as the sender gave it (sanitized here), ``field`` the
    input-schema file field it is for, when the sender said."""

    filename: str | None
    data: bytes
    field: str | None = None


@attrs.frozen
class PreparedInputs:
    files: tuple[tuple[str, bytes], ...]
    input_files: tuple[InputFile, ...]
    validated: ValidatedInputs


def prepare_inputs(
    version: ToolVersion,
    uploads: Sequence[Upload],
    values: Mapping[str, Any],
    execution: ExecutionDeps,
) -> PreparedInputs:
    """RUN-15 names, input caps, and the version's schema (contract 1: exactly one file)."""
    named = [(sanitize_filename(u.filename), u) for u in uploads]
    check_upload_caps([(name, len(u.data)) for name, u in named], execution.input_limits)
    schema = version.input_schema or CONTRACT_1_SCHEMA
    if version.input_schema is None and values:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            "This tool takes no input fields",
            {"fields": sorted(values)},
        )
    validated = validate_inputs(
        schema, [UploadedFile(name=n, size=len(u.data), field=u.field) for n, u in named], values
    )
    field_of = {name: field for field, names in validated.files_by_field.items() for name in names}
    return PreparedInputs(
        files=tuple((name, u.data) for name, u in named),
        input_files=tuple(
            InputFile(name=n, bytes=len(u.data), field=field_of.get(n)) for n, u in named
        ),
        validated=validated,
    )


class _RunStarter(UseCase):
    async def _start(
        self,
        actor: User,
        tool: Tool,
        version: ToolVersion,
        context: RunContext,
        uploads: Sequence[Upload],
        values: Mapping[str, Any],
    ) -> ToolRun:
        execution = self.deps.require_execution()
        prepared = prepare_inputs(version, uploads, values, execution)
        now = self.deps.clock.now()
        run = queue_run(
            id=self.deps.ids.new_id(),
            tool_id=tool.id,
            version_id=version.id,
            context=context,
            requested_by=actor.id,
            input_files=prepared.input_files,
            input_values=prepared.validated.values,
            now=now,
            owner=execution.owner,
        )
        syntax_error = rr.syntax_preflight(version.source_code)
        if syntax_error is not None:  # RUN-08: fail without calling the runner
            failed = finish_run(
                start_run(run, now=now),
                status=RunStatus.FAILED,
                now=now,
                html_output="",
                error_summary=rr.truncate_utf8(
                    syntax_error, execution.output_caps.max_error_summary_bytes
                ),
                failure=FailureReport(RunFailure.SYNTAX_ERROR),
            )
            async with self.deps.uow() as uow:
                await uow.runs.add(failed)
                await uow.commit()
            execution.run_finished(context, RunStatus.FAILED, None)
            return failed
        keep = context is RunContext.SANDBOX  # RUN-29: production inputs are never kept
        local = execution.queue.executes_here
        if local:
            await execution.workspaces.prepare(run.id, prepared.files, keep_inputs=keep)
        try:
            async with self.deps.uow() as uow:
                await uow.runs.add(run)
                if not local:  # a worker elsewhere reads them from the database (issue 10)
                    await uow.run_inputs.add(run.id, prepared.files)
                await execution.queue.enqueue(uow, run.id)  # same transaction as the row
                await uow.commit()
        except BaseException:
            if local:
                await execution.workspaces.remove(run.id)
            raise
        try:
            await execution.queue.submit(run.id)
        except DomainError as error:  # queue full: the row must not stay queued (RUN-33)
            await _finish_unstarted(self, run, error.message, _failure_of(error))
            await execution.workspaces.remove(run.id)
            raise
        log.info(
            "run queued",
            extra={
                "run_id": str(run.id),
                "tool_id": str(tool.id),
                "tool_version_id": str(version.id),
                "context": context.value,
                "actor": str(actor.id),
            },
        )
        return run


def _failure_of(error: DomainError) -> FailureReport:
    """A control-plane error that ended a run: its reason when it names a run failure (the
    queue is full, the runner's engine is unreachable), else an internal error."""
    try:
        return FailureReport(RunFailure(error.reason or ""))
    except ValueError:
        return FailureReport(RunFailure.INTERNAL)


async def _finish_unstarted(
    use_case: UseCase, run: ToolRun, message: str, failure: FailureReport
) -> None:
    now = use_case.deps.clock.now()
    final = finish_run(
        start_run(run, now=now),
        status=RunStatus.FAILED,
        now=now,
        html_output="",
        error_summary=message,
        failure=failure,
    )
    async with use_case.deps.uow() as uow:
        await uow.runs.update(final, expected_status=RunStatus.QUEUED)
        await uow.commit()
    use_case.deps.require_execution().run_finished(run.context, RunStatus.FAILED, None)


class StartSandboxRun(_RunStarter):
    """ED-08, §6.3: test any version (admins) or one's own (maintainers); stdout/stderr kept."""

    async def __call__(
        self,
        actor: User,
        *,
        version_id: UUID,
        uploads: Sequence[Upload],
        values: Mapping[str, Any] | None = None,
    ) -> ToolRun:
        require_real_user(actor)
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            version = await require_version(uow, version_id)
            tool = await require_tool(uow, version.tool_id)
            maintainer = await uow.tools.is_maintainer(tool.id, actor.id)
            require_can_sandbox_run(actor, version, is_maintainer=maintainer)
        return await self._start(actor, tool, version, RunContext.SANDBOX, uploads, values or {})


class StartProductionRun(_RunStarter):
    """EXE-01, EXE-03: any user runs a runnable tool's active version; anything else is 404."""

    async def __call__(
        self,
        actor: User,
        *,
        slug: str,
        uploads: Sequence[Upload],
        values: Mapping[str, Any] | None = None,
    ) -> ToolRun:
        require_real_user(actor)
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            tool = await uow.tools.get_by_slug(slug)
            active = (
                await uow.versions.get(tool.active_version_id)
                if tool and tool.active_version_id
                else None
            )
        if tool is None or active is None or not is_runnable(tool, active):
            raise not_found("Tool", slug=slug)
        return await self._start(actor, tool, active, RunContext.PRODUCTION, uploads, values or {})


class ExecuteRun(UseCase):
    """The queue's handler: one queued run, start to finish. Never raises for a tool's fault;
    every outcome ends as data on the run row, with a failure code when it did not succeed
    (RUN-20)."""

    async def __call__(self, run_id: UUID) -> None:
        with bind_run(run_id):  # every line of the run carries its id (RUN-35)
            await self._execute(run_id)

    async def _execute(self, run_id: UUID) -> None:
        execution = self.deps.require_execution()
        started = await self._mark_running(run_id)
        if started is None:
            return
        run, version = started
        execution.run_started(run.context)
        job = self._job(run, version, execution)
        _log_start(run, job.limits)
        began = time.monotonic()
        try:
            outcome = await execution.runner.run(job)
        except asyncio.CancelledError:
            await self._finish(run, began, Verdict(RunStatus.CANCELLED, "", None))
            await execution.workspaces.remove(run.id)
            raise
        except DomainError as error:  # e.g. the Docker engine went away (RUN-33)
            log.warning(
                "runner unavailable: %s",
                error.message,
                extra={"run_id": str(run.id), "reason": error.reason},
            )
            verdict = failed(_failure_of(error), error.message)
            await self._finish(run, began, verdict)
            await execution.workspaces.remove(run.id)
            return
        except Exception:
            log.exception("runner failed", extra={"run_id": str(run.id)})
            await self._finish(run, began, failed(FailureReport(RunFailure.INTERNAL)))
            await execution.workspaces.remove(run.id)
            return
        try:
            await self._record(run, began, outcome, job.limits, execution)
        finally:
            await execution.workspaces.remove(run.id)

    async def _mark_running(self, run_id: UUID) -> tuple[ToolRun, ToolVersion] | None:
        execution = self.deps.require_execution()
        async with self.deps.uow() as uow:
            run = await uow.runs.get(run_id)
            if run is None or run.status is not RunStatus.QUEUED:
                return None  # cancelled or finished meanwhile
            version = await require_version(uow, run.version_id)
            running = start_run(run, now=self.deps.clock.now(), worker=execution.worker_name)
            try:
                await uow.runs.update(running, expected_status=RunStatus.QUEUED)
            except DomainError:
                return None
            files = None if execution.queue.executes_here else await uow.run_inputs.list(run_id)
            await uow.commit()
        if files is not None:  # issue 10: the uploads came through the database
            keep = running.context is RunContext.SANDBOX  # RUN-29
            try:
                await execution.workspaces.prepare(run_id, files, keep_inputs=keep)
            except BaseException:
                await self._finish(
                    running, time.monotonic(), failed(FailureReport(RunFailure.INTERNAL))
                )
                raise
        return running, version

    def _job(self, run: ToolRun, version: ToolVersion, execution: ExecutionDeps) -> RunJob:
        inputs: dict[str, Any] = dict(run.input_values)
        if version.contract_version >= 2:
            files: dict[str, list[str]] = {}
            for f in run.input_files:
                files.setdefault(f.field or "file", []).append(f.name)
            for file_field in version.input_schema.files if version.input_schema else ():
                files.setdefault(file_field.name, [])
            inputs["__files__"] = files
        return RunJob(
            run_id=run.id,
            tool_id=run.tool_id,
            version_id=version.id,
            context=run.context,
            source_code=version.source_code,
            entrypoint=version.entrypoint,
            contract_version=version.contract_version,
            workspace=execution.workspaces.path(run.id),
            input_names=tuple(f.name for f in run.input_files),
            inputs=inputs,
            limits=execution.limits_for(run.context),
        )

    async def _record(
        self,
        run: ToolRun,
        began: float,
        outcome: RunnerOutcome,
        limits: RunLimits,
        execution: ExecutionDeps,
    ) -> None:
        verdict = judge(outcome, limits)
        artifacts: Sequence[Any] = ()
        if verdict.status is RunStatus.SUCCEEDED:  # a failed run never lists artifacts
            try:
                artifacts = await execution.artifacts.store(
                    run.id, execution.workspaces.path(run.id) / "output"
                )
            except rr.ContractViolation as violation:  # RUN-24
                log.warning(
                    "artifact extraction violation: %s", violation, extra={"run_id": str(run.id)}
                )
                report = violation.failure or FailureReport(
                    RunFailure.OUTPUT_NOT_ALLOWED, {"kind": "invalid"}
                )
                verdict = failed(report)
        if verdict.failure is not None and verdict.failure.code is RunFailure.INVALID_RESULT:
            log.warning(
                "runner contract violation: %s",
                verdict.failure.details.get("violation", ""),
                extra={"run_id": str(run.id)},
            )
        caps = execution.output_caps
        await self._finish(
            run,
            began,
            verdict,
            stdout=rr.truncate_utf8(outcome.stdout, caps.max_stdout_bytes),
            stderr=rr.truncate_utf8(outcome.stderr, caps.max_stderr_bytes),
            artifacts=tuple(artifacts),
            diagnostics=outcome.diagnostics,
        )

    async def _finish(
        self,
        run: ToolRun,
        began: float,
        verdict: Verdict,
        *,
        stdout: str | None = None,
        stderr: str | None = None,
        artifacts: tuple[Any, ...] = (),
        diagnostics: Mapping[str, str] | None = None,
    ) -> None:
        """Store the final row; ``began`` is the monotonic time the runner was called."""
        now = self.deps.clock.now()
        caps = self.deps.require_execution().output_caps
        status = verdict.status
        if status is RunStatus.CANCELLED:
            final = cancel_run(run, now=now)
        else:
            summary = verdict.error_summary
            final = finish_run(
                run,
                status=status,
                now=now,
                html_output=rr.truncate_utf8(verdict.html, caps.max_html_bytes),
                stdout=stdout,
                stderr=stderr,
                error_summary=rr.truncate_utf8(summary, caps.max_error_summary_bytes)
                if summary
                else None,
                artifacts=artifacts,
                failure=verdict.failure,
            )
        async with self.deps.uow() as uow:
            try:
                await uow.runs.update(final, expected_status=RunStatus.RUNNING)
            except DomainError as error:
                log.warning(
                    "could not record the run's end: %s",
                    error.message,
                    extra={"run_id": str(run.id)},
                )
                return
            if not self.deps.require_execution().queue.executes_here:
                await uow.run_inputs.delete(run.id)  # issue 10: the stored uploads go too
            await uow.commit()
        seconds = time.monotonic() - began
        _log_finish(final, seconds, diagnostics or {})
        self.deps.require_execution().run_finished(run.context, status, seconds)


def _log_start(run: ToolRun, limits: RunLimits) -> None:
    """RUN-35: a run's start with the limits it runs under."""
    log.info(
        "run started",
        extra={
            "run_id": str(run.id),
            "tool_id": str(run.tool_id),
            "tool_version_id": str(run.version_id),
            "context": run.context.value,
            "actor": str(run.requested_by_user_id),
            "timeout_seconds": limits.timeout_seconds,
            "memory_bytes": limits.memory_bytes,
            "max_processes": limits.max_processes,
            "work_area_bytes": limits.work_area_bytes,
        },
    )


def _log_finish(run: ToolRun, seconds: float, diagnostics: Mapping[str, str]) -> None:
    """RUN-35: a run's end: status, duration, artifacts, and the failure code and details
    (which limit, by how much) when it did not succeed."""
    failure = run.failure
    level = logging.INFO if failure is None or failure.code in _TOOL_FAULTS else logging.WARNING
    log.log(
        level,
        "run finished",
        extra={
            "run_id": str(run.id),
            "tool_id": str(run.tool_id),
            "tool_version_id": str(run.version_id),
            "context": run.context.value,
            "status": run.status.value,
            "seconds": round(seconds, 3),
            "artifacts": len(run.artifacts),
            "failure_code": failure.code.value if failure else None,
            "failure_details": dict(failure.details) if failure else None,
            **{f"runner_{k}": v for k, v in diagnostics.items()},
        },
    )


# Failures that are the tool's own doing: logged at INFO (the rest are WARNING).
_TOOL_FAULTS = frozenset({RunFailure.TOOL_ERROR, RunFailure.USER_ERROR, RunFailure.SYNTAX_ERROR})


__all__ = ["ExecuteRun", "StartProductionRun", "StartSandboxRun", "Upload"]
