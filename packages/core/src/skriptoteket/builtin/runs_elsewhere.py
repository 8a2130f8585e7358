"""The runner of a process that queues runs but never executes them: a web process whose run
queue hands runs to ``skriptoteket worker`` processes (``RunQueue.executes_here`` is False).

Such a process needs no sandbox at all: no Docker engine, no warm pool, no bubblewrap. Its
readiness does not depend on a runner (the workers have their own).
"""

from __future__ import annotations

from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.ports.execution import RunJob, RunnerOutcome


class RunsElsewhere:
    """Stands in for the runner where runs execute on workers; calling it is a wiring bug."""

    async def run(self, job: RunJob) -> RunnerOutcome:
        raise DomainError(
            ErrorCode.INTERNAL_ERROR,
            "This process does not execute runs: the run queue's workers do",
            {"run_id": str(job.run_id)},
            reason="runs_elsewhere",
        )

    async def check(self) -> None:
        return None

    async def close(self) -> None:
        return None
