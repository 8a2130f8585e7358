"""What a runner's outcome means for the run: its final status, failure code and English
summary (RUN-05–RUN-07, RUN-18, RUN-21). The status comes from ``result.json``, checked; a
runner's own verdict (a limit it enforced, a vanished sandbox) comes first; when there is no
result at all, how the sandbox ended tells why."""

from __future__ import annotations

import math
import re
import signal

import attrs

from skriptoteket.domain import run_results as rr
from skriptoteket.domain.run_failures import FailureReport, RunFailure
from skriptoteket.domain.runs import RunStatus
from skriptoteket.ports.execution import RunLimits, RunnerOutcome

# The English summary kept on the run for API clients, logs and admins; people see the text
# their host gives the failure code.
SUMMARIES: dict[RunFailure, str] = {
    RunFailure.TIMEOUT: rr.TIMED_OUT,
    RunFailure.MEMORY: "Execution failed (the tool was stopped: it used too much memory).",
    RunFailure.PROCESSES: "Execution failed (the tool started too many processes).",
    RunFailure.DISK: rr.WORK_AREA_EXCEEDED,
    RunFailure.OUTPUT_TOO_LARGE: "Execution failed (the tool's output is too large).",
    RunFailure.OUTPUT_NOT_ALLOWED: rr.EXTRACTION_VIOLATION,
    RunFailure.INVALID_RESULT: rr.CONTRACT_VIOLATION,
    RunFailure.SANDBOX_LOST: "Execution failed (the sandbox was lost).",
    RunFailure.ENGINE_UNAVAILABLE: "Execution failed (the runner is unavailable).",
    RunFailure.INTERNAL: rr.INTERNAL_FAILURE,
}

_TOOL_FAILED = re.compile(r"^Tool execution failed \((\w+)\)\.$")
# Exceptions that mean a limit, not a bug: the memory rlimit/cgroup, and fork or thread
# creation refused by the pids limit.
_MEMORY_EXCEPTIONS = frozenset({"MemoryError"})
_PROCESS_EXCEPTIONS = frozenset({"BlockingIOError"})


@attrs.frozen
class Verdict:
    status: RunStatus
    html: str
    error_summary: str | None
    failure: FailureReport | None = None


def failed(failure: FailureReport, summary: str | None = None) -> Verdict:
    status = RunStatus.TIMED_OUT if failure.code is RunFailure.TIMEOUT else RunStatus.FAILED
    return Verdict(status, "", summary or SUMMARIES.get(failure.code, rr.INTERNAL_FAILURE), failure)


def judge(outcome: RunnerOutcome, limits: RunLimits) -> Verdict:
    if outcome.timed_out:
        return failed(_timeout(limits))
    if outcome.failure is not None:
        return failed(_with_limit(outcome.failure, limits))
    if outcome.result_json is None:
        return failed(_ended_without_result(outcome.exit_code, limits))
    try:
        result = rr.parse_result(outcome.result_json)
    except rr.ContractViolation as violation:
        return failed(FailureReport(RunFailure.INVALID_RESULT, {"violation": str(violation)[:200]}))
    if result.failure is not None:
        return failed(result.failure)
    if result.status is RunStatus.SUCCEEDED:
        return Verdict(RunStatus.SUCCEEDED, result.html_output, result.error_summary)
    if result.status is RunStatus.TIMED_OUT:
        return failed(_timeout(limits), result.error_summary)
    return failed(_tool_failure(result, limits), result.error_summary)


def _timeout(limits: RunLimits) -> FailureReport:
    seconds = math.ceil(limits.timeout_seconds)
    return FailureReport(RunFailure.TIMEOUT, {"limit_seconds": seconds})


def _memory(limits: RunLimits) -> FailureReport:
    return FailureReport(RunFailure.MEMORY, {"limit_bytes": limits.memory_bytes})


def _with_limit(failure: FailureReport, limits: RunLimits) -> FailureReport:
    """A runner that knew only the kind of limit (an OOM kill) gets the figure added."""
    if failure.code is RunFailure.MEMORY and "limit_bytes" not in failure.details:
        return _memory(limits)
    if failure.code is RunFailure.PROCESSES and "limit" not in failure.details:
        return FailureReport(RunFailure.PROCESSES, {"limit": limits.max_processes})
    return failure


def _ended_without_result(exit_code: int | None, limits: RunLimits) -> FailureReport:
    """No result.json: the wrapper always writes one unless it was killed or crashed."""
    if exit_code is None:
        return FailureReport(RunFailure.SANDBOX_LOST)
    signum = -exit_code if exit_code < 0 else exit_code - 128 if exit_code > 128 else 0
    if signum == signal.SIGKILL:  # killed from outside; a runner that knows it was the OOM
        return FailureReport(RunFailure.SANDBOX_LOST, {"signal": signum})  # killer says so
    if signum == signal.SIGXFSZ:
        return FailureReport(
            RunFailure.DISK, {"resource": "file_size", "limit": limits.max_file_bytes}
        )
    if exit_code == 0:
        return FailureReport(RunFailure.INVALID_RESULT, {"violation": "no result.json"})
    detail = {"signal": signum} if signum else {"exit_code": exit_code}
    return FailureReport(RunFailure.TOOL_ERROR, detail)


def _tool_failure(result: rr.ToolResult, limits: RunLimits) -> FailureReport:
    if result.user_error:
        return FailureReport(RunFailure.USER_ERROR)
    found = _TOOL_FAILED.match((result.error_summary or "").strip())
    exception = found.group(1) if found else ""
    if exception in _MEMORY_EXCEPTIONS:
        return _memory(limits)
    if exception in _PROCESS_EXCEPTIONS:
        return FailureReport(RunFailure.PROCESSES, {"limit": limits.max_processes})
    return FailureReport(RunFailure.TOOL_ERROR, {"exception": exception} if exception else {})


__all__ = ["SUMMARIES", "Verdict", "failed", "judge"]
