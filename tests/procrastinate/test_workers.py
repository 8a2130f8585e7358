"""Issue 10, ``skriptoteket worker``: runs queued in this process (the web side) are executed
by worker subprocesses with their own data dirs (real PostgreSQL, Procrastinate, the local
runner); a SIGKILLed worker's run is failed as interrupted by the reaper; a cancel reaches a
run on a worker and kills its sandbox; SIGTERM drains."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import psycopg
from skriptoteket.application.execution import Upload
from skriptoteket.application.runs import WORKER_LOST_MESSAGE
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.domain.runs import RunStatus
from skriptoteket.testing.processes import processes_mentioning

from .support import EMAIL, queue_settings, start_sleep, start_worker, wait_for_run


def _unfinished_jobs(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_a_worker_executes_a_queued_run(tmp_path: Path, queue_db: str) -> None:
    """Inputs reach the worker through the database; html, artifacts and the worker's name
    come back; the stored inputs are gone afterwards."""
    worker = start_worker(tmp_path, queue_db, "arbetare-1")
    try:
        async with bootstrap(queue_settings(tmp_path / "web", queue_db), execution=True) as app:
            root = await app.find_active_user(EMAIL)
            data = bytes(range(200))
            run = await app.start_production_run(
                root, slug="eko", uploads=[Upload(filename="in.bin", data=data)]
            )
            assert run.worker is None
            done = await wait_for_run(app, run.id)
            assert done.status is RunStatus.SUCCEEDED, (done, worker.output())
            assert done.html_output == "<p>200 byte</p>"
            assert done.worker == "arbetare-1"
            assert [a.path for a in done.artifacts] == ["output/kopia.bin"]
            async with app.deps.uow(readonly=True) as uow:
                assert list(await uow.run_inputs.list(run.id)) == []
        worker.wait_for_output("worker started")
        assert "concurrency" in worker.output()
        assert "run finished" in worker.output()
        # the filesystem store is this machine's disk: the worker says where web processes
        # must read its artifacts from
        assert "artifacts of the runs this worker executes are stored in" in worker.output()
        assert not (tmp_path / "data-arbetare-1" / "work" / str(run.id)).exists()
    finally:
        worker.stop()
    assert worker.returncode == 0, worker.output()


async def test_two_workers_share_a_burst_of_runs(tmp_path: Path, queue_db: str) -> None:
    workers = [start_worker(tmp_path, queue_db, f"arbetare-{i}", concurrency=2) for i in (1, 2)]
    try:
        for w in workers:
            w.wait_for_output("worker started")
        async with bootstrap(queue_settings(tmp_path / "web", queue_db), execution=True) as app:
            runs = [await start_sleep(app, "0.3") for _ in range(20)]
            finished = [await wait_for_run(app, r.id, within=120) for r in runs]
        assert [r.status for r in finished] == [RunStatus.SUCCEEDED] * 20
        assert {r.worker for r in finished} == {"arbetare-1", "arbetare-2"}
        assert _unfinished_jobs(queue_db) == 0
    finally:
        for w in workers:
            w.stop()


async def test_a_killed_workers_run_fails_as_interrupted_and_the_other_keeps_working(
    tmp_path: Path, queue_db: str
) -> None:
    first = start_worker(tmp_path, queue_db, "forsta", concurrency=1)
    second = None
    try:
        first.wait_for_output("worker started")
        async with bootstrap(queue_settings(tmp_path / "web", queue_db), execution=True) as app:
            slow = await start_sleep(app, "120", running=True)
            assert slow.worker == "forsta"
            second = start_worker(tmp_path, queue_db, "andra", concurrency=1)
            second.wait_for_output("worker started")
            killed_at = time.monotonic()
            first.signal(signal.SIGKILL)
            failed = await wait_for_run(app, slow.id, within=60)
            assert time.monotonic() - killed_at < 60
            assert failed.status is RunStatus.FAILED
            assert failed.failure_code is RunFailure.INTERRUPTED
            assert failed.error_summary == WORKER_LOST_MESSAGE
            assert failed.failure_details == {"cause": "worker_lost"}
            quick = await start_sleep(app, "0.1")
            done = await wait_for_run(app, quick.id, within=30)
            assert (done.status, done.worker) == (RunStatus.SUCCEEDED, "andra")
            await asyncio.sleep(1.5)  # a second reaper round must not touch anything
            assert (await wait_for_run(app, slow.id)).failure_code is RunFailure.INTERRUPTED
        assert _unfinished_jobs(queue_db) == 0
        with psycopg.connect(queue_db) as conn:
            statuses = conn.execute(
                "SELECT status::text, attempts FROM procrastinate_jobs ORDER BY id"
            ).fetchall()
        # failed, never retried (the quick run's succeeded job is deleted)
        assert [status for status, _ in statuses] == ["failed"]
    finally:
        first.stop()
        if second is not None:
            second.stop()
    deadline = time.monotonic() + 10
    while processes_mentioning(str(slow.id)):  # the killed worker's sandbox dies with it
        assert time.monotonic() < deadline, processes_mentioning(str(slow.id))
        await asyncio.sleep(0.2)


async def test_cancel_reaches_a_run_on_a_worker_and_kills_its_sandbox(
    tmp_path: Path, queue_db: str
) -> None:
    worker = start_worker(tmp_path, queue_db, "arbetare", concurrency=1)
    try:
        worker.wait_for_output("worker started")
        async with bootstrap(queue_settings(tmp_path / "web", queue_db), execution=True) as app:
            root = await app.find_active_user(EMAIL)
            run = await start_sleep(app, "120", running=True)
            deadline = time.monotonic() + 10
            while not processes_mentioning(str(run.id)):
                assert time.monotonic() < deadline, "no sandbox process"
                await asyncio.sleep(0.1)
            began = time.monotonic()
            view = await app.cancel_run(root, run_id=run.id)
            assert view.run.status is RunStatus.CANCELLED
            assert time.monotonic() - began < 10
            assert not processes_mentioning(str(run.id))
            # the worker's own record of the end: the same final state
            stored = await wait_for_run(app, run.id)
            assert stored.status is RunStatus.CANCELLED
            assert stored.worker == "arbetare"
        assert _unfinished_jobs(queue_db) == 0
        assert "could not record" not in worker.output()
    finally:
        worker.stop()
    assert worker.returncode == 0, worker.output()


async def test_sigterm_drains_a_short_run_and_the_worker_exits_zero(
    tmp_path: Path, queue_db: str
) -> None:
    worker = start_worker(tmp_path, queue_db, "arbetare", concurrency=1)
    worker.wait_for_output("worker started")
    async with bootstrap(queue_settings(tmp_path / "web", queue_db), execution=True) as app:
        root = await app.find_active_user(EMAIL)
        short = await start_sleep(app, "2")
        waiting = await start_sleep(app, "0.1")
        await wait_for_run(app, short.id, until={RunStatus.RUNNING}, within=30)
        worker.signal(signal.SIGTERM)
        code = await asyncio.to_thread(worker.wait, 30)
        assert code == 0, worker.output()
        done = await wait_for_run(app, short.id)
        assert done.status is RunStatus.SUCCEEDED, worker.output()
        left = await wait_for_run(app, waiting.id, within=0)
        assert left.status is RunStatus.QUEUED  # for another worker
        assert (await app.get_run(root, run_id=waiting.id)).queue_position == 1
    worker.stop()
    assert "worker stopping" in worker.output()


async def test_sigterm_fails_a_run_still_running_after_the_bound_as_interrupted(
    tmp_path: Path, queue_db: str
) -> None:
    worker = start_worker(
        tmp_path, queue_db, "arbetare", concurrency=1, SKRIPTOTEKET_WORKER_SHUTDOWN_SECONDS="1"
    )
    worker.wait_for_output("worker started")
    async with bootstrap(queue_settings(tmp_path / "web", queue_db), execution=True) as app:
        run = await start_sleep(app, "120", running=True)
        worker.signal(signal.SIGTERM)
        code = await asyncio.to_thread(worker.wait, 30)
        assert code == 0, worker.output()
        done = await wait_for_run(app, run.id, within=0)
        assert done.status is RunStatus.FAILED, worker.output()
        assert done.failure_code is RunFailure.INTERRUPTED
        assert done.failure_details == {"cause": "worker_lost"}
        assert not processes_mentioning(str(run.id))
    assert _unfinished_jobs(queue_db) == 0
    worker.stop()
