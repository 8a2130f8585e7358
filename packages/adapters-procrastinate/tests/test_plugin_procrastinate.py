"""The ``procrastinate`` run queue is registered, refuses a database that is not PostgreSQL
with a message that says what to set, and reads its settings (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.plugins.facade import Plugins
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket_procrastinate.queue import ProcrastinateRunQueue, psycopg_conninfo


def test_the_backend_is_registered() -> None:
    backends = Plugins(make_plugin_manager()).run_queue_backends()
    assert backends["procrastinate"].shared is True  # serve --workers N may use it
    assert backends["inprocess"].shared is False


@pytest.mark.parametrize("url", ["", "sqlite:///x.db", "memory://"])
def test_it_refuses_without_a_postgresql_database(tmp_path: Path, url: str) -> None:
    settings = Settings(data_dir=tmp_path, database_url=url, run_queue="procrastinate")
    backend = Plugins(make_plugin_manager()).select_run_queue(settings)
    with pytest.raises(DomainError) as info:
        backend.create(settings)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert info.value.reason == "run_queue_needs_postgresql"
    assert "SKRIPTOTEKET_RUN_QUEUE=procrastinate needs" in info.value.message
    assert "SKRIPTOTEKET_DATABASE_URL=postgresql://" in info.value.message


def test_it_is_created_for_postgresql_without_connecting(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url="postgresql+psycopg://skt:skt@127.0.0.1:1/none",
        run_queue="procrastinate",
        run_queue_max=7,
        run_concurrency=3,
        worker_heartbeat_seconds=2.5,
        worker_stalled_seconds=11.0,
    )
    queue = Plugins(make_plugin_manager()).select_run_queue(settings).create(settings)
    assert isinstance(queue, ProcrastinateRunQueue)
    assert queue.executes_here is False
    assert (queue.max_waiting, queue.concurrency) == (7, 3)
    assert (queue.heartbeat_seconds, queue.stalled_seconds) == (2.5, 11.0)


def test_conninfo_drops_the_sqlalchemy_driver() -> None:
    assert psycopg_conninfo("postgresql+psycopg://u:p@h:5/db") == "postgresql://u:p@h:5/db"
    assert psycopg_conninfo("postgresql://u@h/db") == "postgresql://u@h/db"
