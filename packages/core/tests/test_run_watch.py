"""Watching a run (issue 10): the unit of work announces the runs it commits, and ``WatchRun``
yields the run now and after each status change, ends after the final one, re-reads on a timer
when an announcement never comes, and refuses others' runs with NOT_FOUND (ERR-06)."""

from __future__ import annotations

import asyncio
import time
import uuid

import attrs
import pytest
from skriptoteket.application.container import Skriptoteket
from skriptoteket.builtin.run_events import InProcessRunEvents
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.runs import RunStatus, ToolRun, cancel_run, finish_run, start_run
from skriptoteket.testing.world import World


async def _world_and_run() -> tuple[World, Skriptoteket, ToolRun]:
    world = await World.create()
    _, published = await world.published_tool()
    version = world.stored_version(published.new_active_version_id)
    run = await world.add_run(version, world.user)
    app = Skriptoteket(attrs.evolve(world.app.deps, run_events=world.store.run_events))
    return world, app, run


async def _update(world: World, run: ToolRun, expected: RunStatus, *, commit: bool = True) -> None:
    async with world.store.unit_of_work() as uow:
        await uow.runs.update(run, expected_status=expected)
        if commit:
            await uow.commit()


async def test_the_memory_unit_of_work_announces_committed_runs_only() -> None:
    world, _, run = await _world_and_run()
    async with world.store.run_events.subscribe(run.id) as subscription:
        await _update(world, start_run(run, now=world.clock.now()), RunStatus.QUEUED, commit=False)
        assert await subscription.next_change(0.05) is False  # rolled back: not announced
        other = await world.add_run(world.stored_version(run.version_id), world.user)
        assert await subscription.next_change(0.05) is False
        await _update(world, start_run(run, now=world.clock.now()), RunStatus.QUEUED)
        assert await subscription.next_change(1) is True
        assert await subscription.next_change(0.05) is False  # one announcement, one wake-up
    assert world.store.run_events.broadcast.subscriber_count() == 0
    assert other.id != run.id


async def test_watch_yields_each_status_once_and_ends_after_the_final_one() -> None:
    world, app, run = await _world_and_run()
    seen: list[RunStatus] = []

    async def watch() -> None:
        async for view in app.watch_run(world.user, run_id=run.id, fallback_seconds=60):
            seen.append(view.run.status)

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0.05)
    running = start_run(run, now=world.clock.now())
    await _update(world, running, RunStatus.QUEUED)
    await asyncio.sleep(0.05)
    async with world.store.unit_of_work() as uow:  # a change that keeps the status
        await uow.runs.update(attrs.evolve(running, stdout="x"), expected_status=RunStatus.RUNNING)
        await uow.commit()
    await asyncio.sleep(0.05)
    done = finish_run(running, status=RunStatus.SUCCEEDED, now=world.clock.now())
    started = time.monotonic()
    await _update(world, done, RunStatus.RUNNING)
    await asyncio.wait_for(watcher, timeout=2)
    assert time.monotonic() - started < 1  # the announcement, not the 60 s fallback
    assert seen == [RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SUCCEEDED]
    assert world.store.run_events.broadcast.subscriber_count() == 0


async def test_without_announcements_the_fallback_re_reads() -> None:
    world, app, run = await _world_and_run()
    silent = Skriptoteket(attrs.evolve(app.deps, run_events=InProcessRunEvents()))  # never told
    views = silent.watch_run(world.user, run_id=run.id, fallback_seconds=0.2)
    assert (await anext(views)).run.status is RunStatus.QUEUED
    await _update(world, cancel_run(run, now=world.clock.now()), RunStatus.QUEUED)
    started = time.monotonic()
    assert (await anext(views)).run.status is RunStatus.CANCELLED
    assert time.monotonic() - started < 1
    with pytest.raises(StopAsyncIteration):
        await anext(views)


async def test_a_watch_ends_after_its_lifetime() -> None:
    world, app, run = await _world_and_run()
    started = time.monotonic()
    seen = [v.run.status async for v in app.watch_run(world.user, run_id=run.id, max_seconds=0.3)]
    assert seen == [RunStatus.QUEUED]
    assert 0.25 < time.monotonic() - started < 2


async def test_only_the_owner_and_admins_may_watch() -> None:
    world, app, run = await _world_and_run()
    for stranger in (world.contributor, world.other_contributor):
        with pytest.raises(DomainError) as caught:
            await anext(app.watch_run(stranger, run_id=run.id))
        assert caught.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as unknown:
        await anext(app.watch_run(world.user, run_id=uuid.uuid4()))
    assert unknown.value.code is ErrorCode.NOT_FOUND
    views = app.watch_run(world.admin, run_id=run.id)
    assert (await anext(views)).run.id == run.id
    await views.aclose()
    assert world.store.run_events.broadcast.subscriber_count() == 0
