"""Run announcements within one process: a fan-out of run ids to local subscribers.

``RunBroadcast`` is the fan-out itself; backends that receive announcements from elsewhere
(PostgreSQL's LISTEN) feed it too. ``InProcessRunEvents`` is the ``RunEvents`` of the memory
and SQLite backends, whose runs are all changed by this process (one process per SQLite file).
``notify`` may be called from any thread: a subscriber is woken on its own event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from uuid import UUID

from skriptoteket.ports.run_events import RunSubscription


class _Subscription:
    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    def wake(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._event.set()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)

    async def next_change(self, within: float) -> bool:
        try:
            await asyncio.wait_for(self._event.wait(), timeout=max(0.0, within))
        except TimeoutError:
            return False
        self._event.clear()
        return True


class RunBroadcast:
    """Subscribers by run id; ``notify`` wakes those of one run, ``notify_all`` everyone (after
    announcements may have been missed, e.g. while a listening connection was down)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[UUID, set[_Subscription]] = {}

    def notify(self, run_id: UUID) -> None:
        with self._lock:
            targets = list(self._subscribers.get(run_id, ()))
        for subscription in targets:
            subscription.wake()

    def notify_all(self) -> None:
        with self._lock:
            targets = [s for subs in self._subscribers.values() for s in subs]
        for subscription in targets:
            subscription.wake()

    def subscriber_count(self) -> int:
        with self._lock:
            return sum(len(subs) for subs in self._subscribers.values())

    @asynccontextmanager
    async def subscribe(self, run_id: UUID) -> AsyncIterator[_Subscription]:
        subscription = _Subscription()
        with self._lock:
            self._subscribers.setdefault(run_id, set()).add(subscription)
        try:
            yield subscription
        finally:
            with self._lock:
                subs = self._subscribers.get(run_id)
                if subs is not None:
                    subs.discard(subscription)
                    if not subs:
                        del self._subscribers[run_id]


class InProcessRunEvents:
    """``RunEvents`` for one process: ``publish`` wakes this process's subscribers."""

    def __init__(self) -> None:
        self.broadcast = RunBroadcast()

    async def publish(self, run_id: UUID) -> None:
        self.broadcast.notify(run_id)

    def announce(self, run_ids: set[UUID]) -> None:
        """What a unit of work calls after a successful commit."""
        for run_id in run_ids:
            self.broadcast.notify(run_id)

    def subscribe(self, run_id: UUID) -> AbstractAsyncContextManager[RunSubscription]:
        return self.broadcast.subscribe(run_id)
