"""Run status announcements across processes (issue 10).

Whichever process commits a change to a run row announces it: the repository backends do so
themselves (the unit of work remembers the runs its ``runs`` repository added or updated and
announces them with the commit), so no code path can forget it. Watchers (the run events
stream) subscribe to one run id and wake up when it is announced; they then re-read the row.
An announcement carries only the run id, and it may be lost (a dropped connection): watchers
therefore also re-read on a timer (``RunSubscription.next_change`` waits at most ``within``).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol, runtime_checkable
from uuid import UUID


class RunSubscription(Protocol):
    async def next_change(self, within: float) -> bool:
        """Wait until the run is announced (True) or ``within`` seconds pass (False). An
        announcement made since subscribing or since the previous call returns at once."""
        ...


class RunEvents(Protocol):
    async def publish(self, run_id: UUID) -> None:
        """Announce, outside any unit of work, that ``run_id`` changed (to every process)."""
        ...

    def subscribe(self, run_id: UUID) -> AbstractAsyncContextManager[RunSubscription]:
        """Watch one run for as long as the block lasts."""
        ...


@runtime_checkable
class AnnouncesRunEvents(Protocol):
    """A repository backend's unit-of-work factory that announces run changes itself, and the
    ``RunEvents`` to watch them with. Bootstrap hands it to the use cases."""

    @property
    def run_events(self) -> RunEvents: ...
