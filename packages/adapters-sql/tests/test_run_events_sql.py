"""Run announcements of the sql backend (issue 10): the unit of work announces the runs it adds
or updates only when it commits (NOTIFY inside the transaction on PostgreSQL, the in-process
broadcast on SQLite), across units of work and engines; the PostgreSQL listener reconnects
when its connection is killed and then wakes every watcher to re-read."""

from __future__ import annotations

import asyncio
import time
import uuid

import psycopg
import pytest
from skriptoteket.domain.errors import DomainError
from skriptoteket.domain.runs import RunStatus, ToolRun, start_run
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.ports.run_events import AnnouncesRunEvents
from skriptoteket.settings import Settings
from skriptoteket.testing.factories import make_run, make_tool, make_user, make_version
from skriptoteket_sql.engine import open_sql
from skriptoteket_sql.run_events import CHANNEL, DATA_VERSION_SECONDS, PostgresRunEvents


async def _queued_run(factory: UnitOfWorkFactory) -> ToolRun:
    user, tool = make_user(), make_tool()
    version = make_version(tool, user)
    run = make_run(version, user)
    async with factory() as uow:
        await uow.users.add(user)
        await uow.tools.add(tool)
        await uow.versions.add(version)
        await uow.runs.add(run)
        await uow.commit()
    return run


async def test_a_run_change_is_announced_when_it_commits_and_only_then(
    factory: UnitOfWorkFactory,
) -> None:
    assert isinstance(factory, AnnouncesRunEvents)
    run = await _queued_run(factory)
    running = start_run(run, now=run.created_at)
    async with factory.run_events.subscribe(run.id) as subscription:
        await subscription.next_change(0.3)  # PostgreSQL wakes all once it starts listening
        assert await subscription.next_change(0.3) is False
        async with factory() as uow:
            await uow.runs.update(running, expected_status=RunStatus.QUEUED)
            # not yet committed: nobody is told
            assert await subscription.next_change(0.3) is False
        # left without commit: rolled back, never announced
        assert await subscription.next_change(0.3) is False
        async with factory() as uow:
            await uow.runs.update(running, expected_status=RunStatus.QUEUED)
            await uow.commit()
            started = time.monotonic()
        assert await subscription.next_change(2) is True
        assert time.monotonic() - started < 1
        await subscription.next_change(0.6)  # SQLite's data_version watcher may echo it
        # a refused update (wrong expected status) changes nothing and announces nothing
        async with factory() as uow:
            with pytest.raises(DomainError):  # CONFLICT
                await uow.runs.update(running, expected_status=RunStatus.QUEUED)
            await uow.commit()
        assert await subscription.next_change(0.3) is False


async def _listening_again(events: PostgresRunEvents, within: float = 5) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if events.listening:
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.postgres
async def test_postgres_announcements_reach_another_engine_and_survive_a_lost_listener(
    pg_db: str,
) -> None:
    async with (
        open_sql(Settings(database_url=pg_db)) as writer,
        open_sql(Settings(database_url=pg_db)) as watcher,
    ):
        assert isinstance(watcher, AnnouncesRunEvents)
        events = watcher.run_events
        assert isinstance(events, PostgresRunEvents)
        run = await _queued_run(writer)
        async with events.subscribe(run.id) as subscription:
            assert events.listening  # subscribing waits for LISTEN
            async with writer() as uow:
                await uow.runs.update(
                    start_run(run, now=run.created_at), expected_status=RunStatus.QUEUED
                )
                await uow.commit()
            assert await subscription.next_change(2) is True

            # Kill the listening connection: it comes back, and every watcher is woken to
            # re-read (announcements may have been missed while it was away).
            with psycopg.connect(pg_db, autocommit=True) as admin:
                killed = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query = %s AND datname = current_database()",
                    (f"LISTEN {CHANNEL}",),
                ).fetchall()
            assert killed == [(True,)]
            assert await subscription.next_change(5) is True
            assert await _listening_again(events)

            # publish() outside a unit of work reaches the re-opened listener.
            await events.publish(run.id)
            assert await subscription.next_change(2) is True
            await events.publish(uuid.uuid4())  # another run: not ours
            assert await subscription.next_change(0.3) is False


async def test_sqlite_sees_another_process_commit(sqlite_db: str) -> None:
    """Two engines on one file stand for two processes (``serve --workers N``): the watcher's
    own broadcast never hears the writer, ``PRAGMA data_version`` does."""
    async with (
        open_sql(Settings(database_url=sqlite_db)) as writer,
        open_sql(Settings(database_url=sqlite_db)) as watcher,
    ):
        assert isinstance(watcher, AnnouncesRunEvents)
        run = await _queued_run(writer)
        async with watcher.run_events.subscribe(run.id) as subscription:
            await asyncio.sleep(DATA_VERSION_SECONDS * 2)  # the watcher has its baseline
            assert await subscription.next_change(DATA_VERSION_SECONDS * 3) is False
            async with writer() as uow:
                await uow.runs.update(
                    start_run(run, now=run.created_at), expected_status=RunStatus.QUEUED
                )
                await uow.commit()
            started = time.monotonic()
            assert await subscription.next_change(2) is True
            assert time.monotonic() - started < 1
