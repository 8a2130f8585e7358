"""Why a run did not succeed, as a stable code stored on the run (never matched as text).

Every run that ends ``failed`` or ``timed_out`` carries one ``RunFailure`` and a small mapping of
details (which limit, how large, what was found), so that hosts can say in their own language
what happened and what the teacher can do. Runners report the failures only they can see (a
limit they enforced, a sandbox that vanished); the app decides the rest from ``result.json``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

FailureDetail = str | int


class RunFailure(enum.StrEnum):
    TIMEOUT = "timeout"
    """The wall-clock limit passed; details: ``limit_seconds``."""
    MEMORY = "memory"
    """Out of memory (an OOM kill or a MemoryError); details: ``limit_bytes``."""
    PROCESSES = "processes"
    """Too many processes or threads; details: ``limit``."""
    DISK = "disk"
    """The work area filled up; details: ``resource`` (``bytes`` or ``files``; ``file_size``
    for one file; ``unmeasurable`` when the local watchdog could not measure it), ``limit``."""
    OUTPUT_TOO_LARGE = "output_too_large"
    """A cap on what comes back; details: ``output`` (``result``, ``html``, ``artifact``,
    ``artifacts_total``, ``artifact_count``), ``limit`` and, where known, ``size``."""
    OUTPUT_NOT_ALLOWED = "output_not_allowed"
    """The output held a symlink, device, FIFO or unsafe name (RUN-22–RUN-24); details:
    ``path``, ``kind``."""
    INVALID_RESULT = "invalid_result"
    """result.json missing or broken although the sandbox ended normally."""
    TOOL_ERROR = "tool_error"
    """The tool raised an exception; details: ``exception``."""
    USER_ERROR = "user_error"
    """The tool raised ToolUserError; its message is the run's error summary."""
    SYNTAX_ERROR = "syntax_error"
    """The source does not compile (RUN-08); nothing ran."""
    SANDBOX_LOST = "sandbox_lost"
    """The sandbox disappeared from outside (container removed, process killed)."""
    ENGINE_UNAVAILABLE = "engine_unavailable"
    """The runner's infrastructure (the Docker engine) could not be reached."""
    QUEUE_FULL = "queue_full"
    """The run queue refused the run."""
    INTERRUPTED = "interrupted"
    """The process that held the run stopped (server restart, worker lost); details:
    ``cause`` ``worker_lost`` when a worker of a shared queue was lost or drained."""
    INTERNAL = "internal"
    """Anything else: a bug or an unexpected error on our side (logged)."""


# Failures of our side, not the tool's: their summaries and details (engine addresses, image
# names, exception texts) are for admins; everyone else sees only the code's own text.
INFRASTRUCTURE_FAILURES = frozenset(
    {RunFailure.ENGINE_UNAVAILABLE, RunFailure.INTERNAL, RunFailure.SANDBOX_LOST}
)


@attrs.frozen
class FailureReport:
    """A runner's own verdict on why it stopped a run."""

    code: RunFailure
    details: Mapping[str, FailureDetail] = attrs.field(factory=dict)


def result_too_large(size: int, limit: int) -> FailureReport:
    """A runner found a ``result.json`` over its cap (RUN-19)."""
    return FailureReport(
        RunFailure.OUTPUT_TOO_LARGE, {"output": "result", "size": size, "limit": limit}
    )


def work_area_full(resource: str, limit: int) -> FailureReport:
    """A runner stopped a run for its work area (RUN-12/RUN-14): ``resource`` is ``bytes``,
    ``files`` (entries/inodes) or ``unmeasurable``."""
    return FailureReport(RunFailure.DISK, {"resource": resource, "limit": limit})
