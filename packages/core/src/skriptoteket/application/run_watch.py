"""Watching a run's status as it changes (the run events stream, issue 10, EXE-07).

The watcher subscribes to the run's announcements (``Deps.run_events``) BEFORE it reads the run,
so no change slips between the read and the subscription. It re-reads the run on every
announcement and at least every ``fallback_seconds`` (an announcement may be lost, and a
backend without announcements has only the timer), and yields the run only when its status
differs from the last one yielded. It ends after a final status, when the run can no longer be
read (deleted, or the viewer lost access), or after ``max_seconds``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from contextlib import AbstractAsyncContextManager, nullcontext
from uuid import UUID

from skriptoteket.application.runs import RunView, _RunReader
from skriptoteket.domain.errors import DomainError
from skriptoteket.domain.identity import User
from skriptoteket.ports.run_events import RunSubscription

FALLBACK_SECONDS = 5.0
"""The longest a watcher goes without re-reading the run."""
LIFETIME_MARGIN_SECONDS = 60.0
"""Added to the longest run timeout to bound a watch."""
DEFAULT_LIFETIME_SECONDS = 900.0
"""The bound when this process does not run tools (and so knows no timeout)."""


class WatchRun(_RunReader):
    """The run now, then after each status change: owner or admin, anyone else NOT_FOUND
    (raised by the first ``__anext__``, before anything is yielded)."""

    def lifetime_seconds(self) -> float:
        execution = self.deps.execution
        if execution is None:
            return DEFAULT_LIFETIME_SECONDS
        longest = max(
            execution.sandbox_limits.timeout_seconds, execution.production_limits.timeout_seconds
        )
        return longest + LIFETIME_MARGIN_SECONDS

    async def __call__(
        self,
        actor: User,
        *,
        run_id: UUID,
        max_seconds: float | None = None,
        fallback_seconds: float = FALLBACK_SECONDS,
    ) -> AsyncGenerator[RunView, None]:
        deadline = time.monotonic() + (
            self.lifetime_seconds() if max_seconds is None else max_seconds
        )
        events = self.deps.run_events
        watching: AbstractAsyncContextManager[RunSubscription | None] = (
            events.subscribe(run_id) if events is not None else nullcontext(None)
        )
        async with watching as subscription:
            view = await self._read(actor, run_id)
            yield view
            last = view.run.status
            while not last.is_terminal:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                wait = min(fallback_seconds, remaining)
                if subscription is None:
                    await asyncio.sleep(wait)
                else:
                    await subscription.next_change(wait)
                try:
                    view = await self._read(actor, run_id)
                except DomainError:
                    return
                if view.run.status is not last:
                    last = view.run.status
                    yield view

    async def _read(self, actor: User, run_id: UUID) -> RunView:
        async with self.deps.uow(readonly=True) as uow:
            current = await self._actor(uow, actor)
            run = await self._visible_run(uow, current, run_id)
        return await self._view(current, run)
