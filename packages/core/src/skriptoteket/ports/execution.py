"""Execution ports: the runner, the artifact store and the run queue (DESIGN §5).

The foundation defines their shape and plugin hooks; the execution issue implements them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol
from uuid import UUID

import attrs

from skriptoteket.domain.runs import Artifact, InputValue, RunContext, RunStatus


@attrs.frozen
class RunJob:
    """Everything a runner needs for one run; no database access happens inside a runner."""

    run_id: UUID
    tool_id: UUID
    version_id: UUID
    context: RunContext
    source_code: str
    entrypoint: str
    input_dir: Path
    input_values: Mapping[str, InputValue]
    timeout_seconds: float


@attrs.frozen
class RunnerOutcome:
    status: RunStatus
    html_output: str
    stdout: str
    stderr: str
    error_summary: str | None
    output_dir: Path | None
    diagnostics: Mapping[str, str] = attrs.field(factory=dict)


class Runner(Protocol):
    async def run(self, job: RunJob) -> RunnerOutcome: ...
    async def close(self) -> None: ...


class ArtifactStore(Protocol):
    async def store(self, run_id: UUID, output_dir: Path) -> Sequence[Artifact]:
        """Copy a finished run's output directory in; return the manifest (RUN-22–RUN-25)."""
        ...

    async def open(self, run_id: UUID, artifact: Artifact) -> Path: ...
    async def prune(self, older_than: datetime) -> int: ...


class RunQueue(Protocol):
    async def submit(self, run_id: UUID) -> None:
        """Enqueue a committed ``queued`` run; SERVICE_UNAVAILABLE when the queue is full."""
        ...

    def position(self, run_id: UUID) -> int | None: ...
    async def cancel(self, run_id: UUID) -> bool: ...
    async def close(self) -> None: ...
