"""Run announcements for the ``sql`` backend (issue 10, ``skriptoteket.ports.run_events``).

The unit of work remembers the runs its ``runs`` repository added or updated and hands them to
its ``RunAnnouncer`` with the commit:

- **PostgreSQL**: ``SELECT pg_notify('skriptoteket_runs', run_id)`` inside the transaction just
  before COMMIT, so the announcement is delivered (to every process on the database) only if
  the change commits. Each process keeps ONE listening connection (psycopg, autocommit,
  ``LISTEN skriptoteket_runs``), opened when the first watcher subscribes, and fans the run ids
  out to its local subscribers. A dropped connection is reopened (with back-off), and every
  subscriber is then woken to re-read, since announcements may have been missed meanwhile.
- **SQLite**: the unit of work wakes this process's watchers after a successful commit. Another
  process on the same file (``serve --workers N``, the CLI) is noticed through SQLite's
  ``PRAGMA data_version`` (it changes when another connection commits), read on a connection
  of its own every ``DATA_VERSION_SECONDS`` while anyone watches: a change wakes every watcher
  of this process to re-read its run.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Protocol
from uuid import UUID

import psycopg
import sqlalchemy as sa
from skriptoteket.builtin.run_events import InProcessRunEvents, RunBroadcast
from skriptoteket.ports.run_events import RunSubscription
from sqlalchemy.ext.asyncio import AsyncEngine

from skriptoteket_sql.repositories.base import Connection

log = logging.getLogger(__name__)

CHANNEL = "skriptoteket_runs"
LISTEN_READY_WAIT_SECONDS = 2.0
"""How long a new subscriber waits for the listening connection (it re-reads on a timer
anyway, so a slow database only delays its first announcement)."""
HEALTH_CHECK_SECONDS = 30.0
"""A quiet listening connection is probed this often, so a silently dead one is replaced."""
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0)
DATA_VERSION_SECONDS = 0.25


def _notify_statement(run_id: UUID) -> sa.Select[tuple[object]]:
    return sa.select(sa.func.pg_notify(CHANNEL, str(run_id)))


class RunAnnouncer(Protocol):
    async def before_commit(self, conn: Connection, run_ids: set[UUID]) -> None: ...
    def after_commit(self, run_ids: set[UUID]) -> None: ...


class InProcessAnnouncer:
    """SQLite: wake this process's watchers once the change is committed."""

    def __init__(self, events: InProcessRunEvents) -> None:
        self._events = events

    async def before_commit(self, conn: Connection, run_ids: set[UUID]) -> None:
        return None

    def after_commit(self, run_ids: set[UUID]) -> None:
        self._events.announce(run_ids)


class SqliteRunEvents(InProcessRunEvents):
    """The in-process broadcast, plus commits by other processes on the same file."""

    def __init__(self, path: str | None) -> None:
        super().__init__()
        self._path = path  # None: an in-memory database, no other process
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def subscribe(self, run_id: UUID) -> AbstractAsyncContextManager[RunSubscription]:
        return self._subscribe(run_id)

    @asynccontextmanager
    async def _subscribe(self, run_id: UUID) -> AsyncIterator[RunSubscription]:
        async with self.broadcast.subscribe(run_id) as subscription:
            self._ensure_watcher()
            yield subscription

    def _ensure_watcher(self) -> None:
        if self._path is None or self._closed:
            return
        task = self._task
        if task is None or task.done() or task.get_loop().is_closed():
            self._task = asyncio.get_running_loop().create_task(
                self._watch(self._path), name="skriptoteket-run-events-sqlite"
            )

    async def _watch(self, path: str) -> None:
        try:
            conn = sqlite3.connect(path, timeout=1.0, check_same_thread=False)
        except sqlite3.Error as error:
            log.warning("Cannot watch %s for other processes' run changes: %s", path, error)
            return
        try:
            last = _data_version(conn)
            while not self._closed and self.broadcast.subscriber_count() > 0:
                await asyncio.sleep(DATA_VERSION_SECONDS)
                current = _data_version(conn)
                if current != last:
                    last = current
                    self.broadcast.notify_all()
        except sqlite3.Error as error:  # the next subscriber starts a new watcher
            log.warning("Watching %s for run changes failed: %s", path, error)
        finally:
            conn.close()

    async def close(self) -> None:
        self._closed = True
        task, self._task = self._task, None
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            return
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


def _data_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA data_version").fetchone()
    return int(row[0]) if row else 0


class PostgresAnnouncer:
    """PostgreSQL: NOTIFY in the committing transaction (delivered only if it commits)."""

    async def before_commit(self, conn: Connection, run_ids: set[UUID]) -> None:
        for run_id in sorted(run_ids):
            await conn.execute(_notify_statement(run_id))

    def after_commit(self, run_ids: set[UUID]) -> None:
        return None


class PostgresRunEvents:
    """``RunEvents`` over LISTEN/NOTIFY: one listening connection per process."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        url = engine.url.set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self.broadcast = RunBroadcast()
        self._task: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None  # set while listening; on the task's loop
        self._closed = False

    @property
    def listening(self) -> bool:
        """Whether the listening connection is open and listening now."""
        return self._ready is not None and self._ready.is_set()

    async def publish(self, run_id: UUID) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(_notify_statement(run_id))

    def subscribe(self, run_id: UUID) -> AbstractAsyncContextManager[RunSubscription]:
        return self._subscribe(run_id)

    @asynccontextmanager
    async def _subscribe(self, run_id: UUID) -> AsyncIterator[RunSubscription]:
        async with self.broadcast.subscribe(run_id) as subscription:
            ready = self._ensure_listener()
            if ready is not None:
                with suppress(TimeoutError):
                    await asyncio.wait_for(ready.wait(), LISTEN_READY_WAIT_SECONDS)
            yield subscription

    def _ensure_listener(self) -> asyncio.Event | None:
        """Start the listener on this loop unless it runs; its ready event if on this loop."""
        if self._closed:
            return None
        loop = asyncio.get_running_loop()
        task = self._task
        if task is None or task.done() or task.get_loop().is_closed():
            self._ready = asyncio.Event()
            task = self._task = loop.create_task(
                self._listen(self._ready), name="skriptoteket-run-events-listener"
            )
        return self._ready if task.get_loop() is loop else None

    async def _listen(self, ready: asyncio.Event) -> None:
        failures = 0
        while not self._closed:
            try:
                await self._listen_once(ready)
                failures = 0
            except (psycopg.Error, OSError) as error:
                delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                failures += 1
                log.warning(
                    "The run events listener lost PostgreSQL (%s); reconnecting in %.1f s",
                    str(error).strip().splitlines()[0] if str(error).strip() else error,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _listen_once(self, ready: asyncio.Event) -> None:
        conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        try:
            await conn.execute(f"LISTEN {CHANNEL}")
            ready.set()
            # Anything announced before we listened (first start or a gap): re-read.
            self.broadcast.notify_all()
            while not self._closed:
                async for notify in conn.notifies(timeout=HEALTH_CHECK_SECONDS):
                    self._deliver(notify.payload)
                await conn.execute("SELECT 1")
        finally:
            ready.clear()
            await conn.close()

    def _deliver(self, payload: str) -> None:
        try:
            run_id = UUID(payload)
        except ValueError:
            log.warning("Ignoring a malformed run announcement: %r", payload[:100])
            return
        self.broadcast.notify(run_id)

    async def close(self) -> None:
        self._closed = True
        task, self._task = self._task, None
        if task is None or task.done() or task.get_loop().is_closed():
            return
        if task.get_loop() is not asyncio.get_running_loop():
            task.get_loop().call_soon_threadsafe(task.cancel)
            return
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
