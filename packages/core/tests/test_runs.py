"""Run records: the state machine, viewing, cancelling and recovery (VER-20, AMB-08, EXE-04,
EXE-07, EXE-09, EXE-11, ED-10, ERR-06, DESIGN §5)."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid

import attrs
import pytest
from skriptoteket.application.container import Skriptoteket
from skriptoteket.builtin.process_identity import (
    LocalProcessLiveness,
    current_owner,
    owner_of,
    process_start_time,
)
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.domain.runs import (
    InputFile,
    RunContext,
    RunStatus,
    cancel_run,
    fail_interrupted,
    finish_run,
    queue_run,
    start_run,
)
from skriptoteket.testing.factories import T0, at, make_run, make_tool, make_user, make_version
from skriptoteket.testing.world import World

Q, RUN = RunStatus.QUEUED, RunStatus.RUNNING
TERMINAL = [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.CANCELLED]
VERSION = make_version(make_tool(), make_user())
USER = make_user()


def test_runs_start_queued_with_a_relative_workdir_AMB_08_VER_20() -> None:
    run_id = uuid.uuid4()
    run = queue_run(
        id=run_id,
        tool_id=VERSION.tool_id,
        version_id=VERSION.id,
        context=RunContext.SANDBOX,
        requested_by=USER.id,
        input_files=(InputFile("a.csv", 0),),
        input_values=None,
        now=T0,
    )
    assert run.status is Q
    assert run.workdir_path == str(run_id)
    assert run.started_at is None
    assert run.finished_at is None
    assert run.artifacts == ()
    assert run.input_size_bytes == 0
    for bad in (InputFile("  ", 1), InputFile("a.csv", -1)):
        with pytest.raises(DomainError) as info:
            queue_run(
                id=run_id,
                tool_id=VERSION.tool_id,
                version_id=VERSION.id,
                context=RunContext.SANDBOX,
                requested_by=USER.id,
                input_files=(bad,),
                input_values=None,
                now=T0,
            )
        assert info.value.code is ErrorCode.VALIDATION_ERROR


@pytest.mark.parametrize("outcome", [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.TIMED_OUT])
def test_queued_running_finished_VER_20(outcome: RunStatus) -> None:
    running = start_run(make_run(VERSION, USER), now=at(1))
    assert (running.status, running.started_at) == (RUN, at(1))
    done = finish_run(
        running,
        status=outcome,
        now=at(2),
        html_output="<p/>",
        stdout="o",
        stderr="e",
        error_summary="  ",
    )
    assert (done.status, done.finished_at) == (outcome, at(2))
    assert (done.html_output, done.stdout, done.stderr) == ("<p/>", "o", "e")
    assert done.error_summary is None  # normalized
    with pytest.raises(DomainError) as restart:
        start_run(done, now=at(3))
    assert restart.value.code is ErrorCode.CONFLICT
    with pytest.raises(DomainError) as refinish:
        finish_run(done, status=outcome, now=at(3))
    assert refinish.value.code is ErrorCode.CONFLICT


def test_illegal_transitions_VER_20() -> None:
    queued = make_run(VERSION, USER)
    with pytest.raises(DomainError) as not_running:
        finish_run(queued, status=RunStatus.SUCCEEDED, now=at(1))
    assert not_running.value.code is ErrorCode.CONFLICT
    running = start_run(queued, now=at(1))
    with pytest.raises(DomainError) as twice:
        start_run(running, now=at(2))
    assert twice.value.code is ErrorCode.CONFLICT
    for status in (Q, RUN, RunStatus.CANCELLED):
        with pytest.raises(DomainError) as non_terminal:
            finish_run(running, status=status, now=at(2))
        assert non_terminal.value.code is ErrorCode.VALIDATION_ERROR
    with pytest.raises(DomainError) as backwards:
        finish_run(running, status=RunStatus.FAILED, now=at(0))
    assert backwards.value.code is ErrorCode.VALIDATION_ERROR


@pytest.mark.parametrize("start", [Q, RUN])
def test_cancel_and_interrupt_only_unfinished_runs(start: RunStatus) -> None:
    run = make_run(VERSION, USER, status=start)
    cancelled = cancel_run(run, now=at(5))
    assert (cancelled.status, cancelled.finished_at) == (RunStatus.CANCELLED, at(5))
    failed = fail_interrupted(run, now=at(5), message=" avbruten ")
    assert (failed.status, failed.error_summary) == (RunStatus.FAILED, "avbruten")
    for terminal in TERMINAL:
        done = make_run(VERSION, USER, status=terminal)
        with pytest.raises(DomainError) as no_cancel:
            cancel_run(done, now=at(6))
        assert no_cancel.value.code is ErrorCode.CONFLICT
        with pytest.raises(DomainError) as no_fail:
            fail_interrupted(done, now=at(6), message="x")
        assert no_fail.value.code is ErrorCode.CONFLICT


async def test_get_run_owner_admin_and_others_not_found_ERR_06_ED_10(world: World) -> None:
    _tool, result = await world.published_tool()
    run = await world.add_run(result.new_active, world.user)
    assert (await world.app.get_run(world.user, run_id=run.id)).run.id == run.id
    assert (await world.app.get_run(world.admin, run_id=run.id)).run.id == run.id
    for other in (world.contributor, world.other_contributor):
        with pytest.raises(DomainError) as info:
            await world.app.get_run(other, run_id=run.id)
        assert info.value.code is ErrorCode.NOT_FOUND  # never FORBIDDEN
    with pytest.raises(DomainError) as missing:
        await world.app.get_run(world.admin, run_id=uuid.uuid4())
    assert missing.value.code is ErrorCode.NOT_FOUND


async def test_logs_hidden_from_production_owner_shown_to_admin_EXE_04_EXE_09(
    world: World,
) -> None:
    _tool, result = await world.published_tool()
    run = await world.add_run(
        result.new_active,
        world.user,
        status=RunStatus.FAILED,
        stdout="ut",
        stderr="Traceback",
        error_summary="Tool execution failed (KeyError).",
        html_output="",
    )
    own = await world.app.get_run(world.user, run_id=run.id)
    assert own.logs_visible is False
    assert (own.run.stdout, own.run.stderr) == (None, None)
    assert own.run.error_summary == "Tool execution failed (KeyError)."
    assert world.store.state.runs[run.id].stderr == "Traceback"  # only hidden, not lost
    for admin in (world.admin, world.superuser):
        seen = await world.app.get_run(admin, run_id=run.id)
        assert seen.logs_visible
        assert (seen.run.stdout, seen.run.stderr) == ("ut", "Traceback")


async def test_sandbox_author_sees_logs_ED_09(world: World) -> None:
    tool = await world.tool()
    draft = await world.draft(tool)
    run = await world.add_run(
        draft, world.contributor, context=RunContext.SANDBOX, stdout="ut", stderr="fel"
    )
    view = await world.app.get_run(world.contributor, run_id=run.id)
    assert view.logs_visible
    assert (view.run.stdout, view.run.stderr) == ("ut", "fel")


async def test_list_my_runs_newest_first_own_only_EXE_11(world: World) -> None:
    tool, result = await world.published_tool()
    draft = await world.draft(tool)
    v = result.new_active
    r1 = await world.add_run(v, world.user, stdout="x")
    await world.add_run(v, world.contributor)
    r3 = await world.add_run(v, world.user)
    sandbox = await world.add_run(draft, world.user, context=RunContext.SANDBOX)
    mine = await world.app.list_my_runs(world.user)
    assert [x.run.id for x in mine] == [sandbox.id, r3.id, r1.id]
    production = await world.app.list_my_runs(world.user, context=RunContext.PRODUCTION)
    assert [x.run.id for x in production] == [r3.id, r1.id]  # EXE-07: no sandbox runs
    assert all(x.run.stdout is None for x in production)
    page = await world.app.list_my_runs(world.user, limit=1, before=(r3.created_at, r3.id))
    assert [x.run.id for x in page] == [r1.id]


async def test_cancel_run_owner_or_admin(world: World) -> None:
    _tool, result = await world.published_tool()
    run = await world.add_run(result.new_active, world.user)
    with pytest.raises(DomainError) as other:
        await world.app.cancel_run(world.contributor, run_id=run.id)
    assert other.value.code is ErrorCode.NOT_FOUND
    world.tick()
    view = await world.app.cancel_run(world.user, run_id=run.id)
    assert view.run.status is RunStatus.CANCELLED
    assert world.store.state.runs[run.id].finished_at == world.clock.now()
    with pytest.raises(DomainError) as again:
        await world.app.cancel_run(world.admin, run_id=run.id)
    assert again.value.code is ErrorCode.CONFLICT


async def test_fail_interrupted_runs_DESIGN_5(world: World) -> None:
    _tool, result = await world.published_tool()
    v = result.new_active
    queued = await world.add_run(v, world.user)
    running = await world.add_run(v, world.user, status=RUN, started_at=world.clock.now())
    done = await world.add_run(v, world.user, status=RunStatus.SUCCEEDED)
    world.tick()
    assert await world.app.fail_interrupted_runs() == 2
    for r in (queued, running):
        stored = world.store.state.runs[r.id]
        assert stored.status is RunStatus.FAILED
        assert stored.finished_at == world.clock.now()
        assert stored.error_summary
        assert "avbröts" in stored.error_summary
    assert world.store.state.runs[done.id] == done
    assert await world.app.fail_interrupted_runs() == 0


def _owner_of_a_child(*, alive: bool) -> tuple[str, subprocess.Popen[bytes]]:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    start = process_start_time(child.pid)
    assert start is not None
    if not alive:
        child.kill()
        child.wait()
    return owner_of(socket.gethostname(), child.pid, start), child


async def test_start_up_recovery_fails_only_runs_of_gone_owners_DESIGN_5(world: World) -> None:
    """Issue 10: a second server on the same database never fails the first one's live runs.
    Failed: no owner (runs from before owners), a dead process on this host, this process
    itself. Left alone: a live process on this host, any process of another host."""
    world.app = Skriptoteket(attrs.evolve(world.app.deps, processes=LocalProcessLiveness()))
    _tool, result = await world.published_tool()
    v = result.new_active
    live_owner, live_child = _owner_of_a_child(alive=True)
    dead_owner, _ = _owner_of_a_child(alive=False)
    try:
        live = await world.add_run(v, world.user, status=RUN, owner=live_owner)
        live_queued = await world.add_run(v, world.user, owner=live_owner)
        other_host = await world.add_run(v, world.user, status=RUN, owner="worker-9.x:1:2")
        dead = await world.add_run(v, world.user, status=RUN, owner=dead_owner)
        dead_queued = await world.add_run(v, world.user, owner=dead_owner)
        own = await world.add_run(v, world.user, owner=current_owner())
        legacy = await world.add_run(v, world.user, status=RUN)
        world.tick()
        assert await world.app.fail_interrupted_runs() == 4
    finally:
        live_child.kill()
        live_child.wait()
    for r in (dead, dead_queued, own, legacy):
        stored = world.store.state.runs[r.id]
        assert stored.status is RunStatus.FAILED
        assert stored.failure_code is RunFailure.INTERRUPTED
        assert stored.error_summary is not None
        assert "startades om" in stored.error_summary
        assert stored.owner == r.owner  # kept: who lost it
    for r in (live, live_queued, other_host):
        assert world.store.state.runs[r.id] == r
    # its owner has died meanwhile: the next start-up recovers the live one, never the other host's
    assert await world.app.fail_interrupted_runs() == 2
    assert world.store.state.runs[live.id].status is RunStatus.FAILED
    assert world.store.state.runs[other_host.id] == other_host


async def test_without_a_liveness_check_only_unowned_runs_are_recovered(world: World) -> None:
    _tool, result = await world.published_tool()
    v = result.new_active
    owned = await world.add_run(v, world.user, status=RUN, owner="gone:1:1")
    legacy = await world.add_run(v, world.user)
    assert await world.app.fail_interrupted_runs() == 1
    assert world.store.state.runs[owned.id] == owned
    assert world.store.state.runs[legacy.id].status is RunStatus.FAILED


async def test_update_of_missing_run_is_not_found_VER_21(world: World) -> None:
    _tool, result = await world.published_tool()
    ghost = make_run(result.new_active, world.user)
    async with world.store.unit_of_work() as uow:
        with pytest.raises(DomainError) as info:
            await uow.runs.update(ghost, expected_status=Q)
    assert info.value.code is ErrorCode.NOT_FOUND


async def test_tool_names_of_a_history_hide_what_the_viewer_may_not_see_TOOL_06(
    world: World,
) -> None:
    """The names "Mina körningar" shows: runnable tools for everyone; a depublished or
    unpublished tool only for an admin or its maintainers; unknown ids are left out."""
    shown, _ = await world.published_tool(title="Synligt")
    depublished, _ = await world.published_tool(title="Avpublicerat")
    await world.app.set_tool_published(world.admin, tool_id=depublished.id, published=False)
    draft = await world.tool(title="Utkast")  # the contributor maintains every world tool
    ids = [shown.id, depublished.id, draft.id, uuid.uuid4()]
    for viewer, expected in (
        (world.user, {shown.id}),
        (world.other_contributor, {shown.id}),
        (world.contributor, {shown.id, depublished.id, draft.id}),
        (world.admin, {shown.id, depublished.id, draft.id}),
    ):
        names = await world.app.list_tool_names(viewer, tool_ids=ids)
        assert set(names) == expected, viewer.email
    assert (await world.app.list_tool_names(world.user, tool_ids=[shown.id]))[shown.id].title == (
        "Synligt"
    )
