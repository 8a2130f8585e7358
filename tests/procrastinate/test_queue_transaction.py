"""Issue 10, the Procrastinate run queue: a run's row and its job are written in one
transaction (never one without the other), its uploads travel in the database, and positions,
stats and cancel of a waiting run read and write the jobs table. Real PostgreSQL; no worker."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from skriptoteket.application.execution import Upload
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.errors import DomainError
from skriptoteket.domain.runs import RunStatus
from skriptoteket_procrastinate.queue import TASK_NAME, lock_of

from .support import EMAIL, queue_settings


def _jobs(url: str) -> list[tuple[str, str, dict[str, str]]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT lock, status::text, args FROM procrastinate_jobs WHERE task_name = %s "
            "ORDER BY id",
            (TASK_NAME,),
        ).fetchall()
    return [(str(r[0]), str(r[1]), dict(r[2])) for r in rows]


def _count(url: str, sql: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


async def test_a_run_is_queued_with_its_job_and_inputs_in_one_transaction(
    tmp_path: Path, queue_db: str
) -> None:
    settings = queue_settings(tmp_path / "web", queue_db)
    async with bootstrap(settings, execution=True) as app:
        root = await app.find_active_user(EMAIL)
        first = await app.start_production_run(
            root, slug="eko", uploads=[Upload(filename="a.bin", data=b"\x00\x01abc")]
        )
        second = await app.start_production_run(
            root, slug="eko", uploads=[Upload(filename="b.bin", data=b"xyz")]
        )
        assert _jobs(queue_db) == [
            (lock_of(first.id), "todo", {"run_id": str(first.id)}),
            (lock_of(second.id), "todo", {"run_id": str(second.id)}),
        ]
        async with app.deps.uow(readonly=True) as uow:
            assert list(await uow.run_inputs.list(first.id)) == [("a.bin", b"\x00\x01abc")]
        # the web process keeps no workspace: the worker builds it from the database
        assert not (tmp_path / "web" / "work" / str(first.id)).exists()

        # positions and stats come from the jobs table, in the engine's order
        assert (await app.get_run(root, run_id=first.id)).queue_position == 1
        assert (await app.get_run(root, run_id=second.id)).queue_position == 2
        stats = await app.queue_stats()
        assert stats is not None
        assert (stats.waiting, stats.running) == (2, 0)

        # cancel of a waiting run: its job is cancelled, the run too, its inputs deleted
        view = await app.cancel_run(root, run_id=first.id)
        assert view.run.status is RunStatus.CANCELLED
        assert next((lock, status) for lock, status, _ in _jobs(queue_db)) == (
            lock_of(first.id),
            "cancelled",
        )
        assert (await app.get_run(root, run_id=second.id)).queue_position == 1
        async with app.deps.uow(readonly=True) as uow:
            assert list(await uow.run_inputs.list(first.id)) == []


async def test_a_rolled_back_run_leaves_no_job_and_a_failed_job_insert_no_run(
    tmp_path: Path, queue_db: str
) -> None:
    settings = queue_settings(tmp_path / "web", queue_db)
    async with bootstrap(settings, execution=True) as app:
        execution = app.deps.require_execution()
        root = await app.find_active_user(EMAIL)
        queued = await app.start_production_run(
            root, slug="eko", uploads=[Upload(filename="a.bin", data=b"a")]
        )
        # roll back after enqueue: neither the row nor the job stays
        async with app.deps.uow() as uow:
            run = await uow.runs.get(queued.id)
            assert run is not None
            from attrs import evolve

            ghost = evolve(run, id=UUID(int=7), workdir_path="x")
            await uow.runs.add(ghost)
            await execution.queue.enqueue(uow, ghost.id)
            await uow.rollback()
        assert [lock for lock, _, _ in _jobs(queue_db)] == [lock_of(queued.id)]

        # the job insert fails (Procrastinate's defer function is gone): no run row either
        with psycopg.connect(queue_db) as conn:
            conn.execute("ALTER FUNCTION procrastinate_defer_jobs_v1 RENAME TO broken_defer")
        runs_before = _count(queue_db, "SELECT count(*) FROM tool_runs")
        with pytest.raises(DomainError):
            await app.start_production_run(
                root, slug="eko", uploads=[Upload(filename="b.bin", data=b"b")]
            )
        assert _count(queue_db, "SELECT count(*) FROM tool_runs") == runs_before
        assert _count(queue_db, "SELECT count(*) FROM run_inputs") == 1  # the first run's
        assert len(_jobs(queue_db)) == 1
