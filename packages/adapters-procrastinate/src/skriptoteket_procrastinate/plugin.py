"""Registers the ``procrastinate`` run queue (``SKRIPTOTEKET_RUN_QUEUE=procrastinate``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from skriptoteket.domain.errors import validation_error
from skriptoteket.plugins.markers import hookimpl
from skriptoteket.plugins.records import MigrationBranch, RunQueueBackend
from skriptoteket.ports.execution import RunQueue
from skriptoteket.settings import Settings, url_scheme

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def create_procrastinate_queue(settings: Settings) -> RunQueue:
    if url_scheme(settings.database_url) != "postgresql":
        raise validation_error(
            "SKRIPTOTEKET_RUN_QUEUE=procrastinate needs "
            "SKRIPTOTEKET_DATABASE_URL=postgresql://… (the queue lives in PostgreSQL, shared "
            "by the web server and every `skriptoteket worker`)",
            setting="SKRIPTOTEKET_DATABASE_URL",
            scheme=url_scheme(settings.database_url),
            reason="run_queue_needs_postgresql",
        )
    # procrastinate only when the queue is chosen (plugin discovery stays fast)
    from skriptoteket_procrastinate.queue import ProcrastinateRunQueue

    return ProcrastinateRunQueue.connect(
        settings.database_url,
        max_waiting=settings.run_queue_max,
        concurrency=settings.run_concurrency,
        heartbeat_seconds=settings.worker_heartbeat_seconds,
        stalled_seconds=settings.worker_stalled_seconds,
    )


@hookimpl
def skriptoteket_register_run_queues() -> Iterable[RunQueueBackend]:
    yield RunQueueBackend(
        name="procrastinate",
        create=create_procrastinate_queue,
        shared=True,  # jobs in the database: every web process sees them (serve --workers N)
        description="Jobs in PostgreSQL (Procrastinate), executed by `skriptoteket worker`",
    )


@hookimpl
def skriptoteket_register_migrations() -> Iterable[MigrationBranch]:
    yield MigrationBranch(
        name="procrastinate",
        version_location=MIGRATIONS_DIR,
        description="Procrastinate's jobs, workers and events tables (PostgreSQL)",
    )
