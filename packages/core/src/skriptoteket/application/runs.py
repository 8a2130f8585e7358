"""Reading, cancelling and recovering run records (VER-20, EXE-07, ED-10, DESIGN §5).

Creating and executing runs arrives with the runners; these use cases work on the records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from skriptoteket.application.context import UseCase
from skriptoteket.domain.errors import not_found
from skriptoteket.domain.identity import User
from skriptoteket.domain.policies import can_view_run, can_view_run_logs
from skriptoteket.domain.runs import RunContext, RunStatus, ToolRun, cancel_run, fail_interrupted

INTERRUPTED_MESSAGE = "Körningen avbröts eftersom servern startades om. Försök igen."


@attrs.frozen
class RunView:
    """A run as its viewer may see it: logs are blanked for those who may not read them."""

    run: ToolRun
    logs_visible: bool


def _view(actor: User, run: ToolRun) -> RunView:
    visible = can_view_run_logs(actor, run)
    shown = run if visible else attrs.evolve(run, stdout=None, stderr=None)
    return RunView(run=shown, logs_visible=visible)


class GetRun(UseCase):
    """Owner or admin; anyone else gets NOT_FOUND, never FORBIDDEN (ERR-06)."""

    async def __call__(self, actor: User, *, run_id: UUID) -> RunView:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            run = await uow.runs.get(run_id)
        if run is None or not can_view_run(actor, run):
            raise not_found("ToolRun", run_id=str(run_id))
        return _view(actor, run)


class ListMyRuns(UseCase):
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
        return [_view(actor, r) for r in runs]


class CancelRun(UseCase):
    """Cancel a queued or running run (owner or admin). Stopping a live process is the run
    queue's part; this records the outcome."""

    async def __call__(self, actor: User, *, run_id: UUID) -> RunView:
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            run = await uow.runs.get(run_id)
            if run is None or not can_view_run(actor, run):
                raise not_found("ToolRun", run_id=str(run_id))
            cancelled = cancel_run(run, now=self.deps.clock.now())
            await uow.runs.update(cancelled, expected_status=run.status)
            await uow.commit()
        return _view(actor, cancelled)


class FailInterruptedRuns(UseCase):
    """At start-up: runs a dead process left queued or running are finished as failed, so
    nothing stays "running" forever (DESIGN §5). Returns how many were finished."""

    async def __call__(self) -> int:
        count = 0
        async with self.deps.uow() as uow:
            for run in await uow.runs.list_unfinished():
                failed = fail_interrupted(
                    run, now=self.deps.clock.now(), message=INTERRUPTED_MESSAGE
                )
                await uow.runs.update(failed, expected_status=run.status)
                count += 1
            await uow.commit()
        return count


__all__ = ["CancelRun", "FailInterruptedRuns", "GetRun", "ListMyRuns", "RunStatus", "RunView"]
