"""``skriptoteket worker``: execute runs from a shared run queue (issue 10,
``SKRIPTOTEKET_RUN_QUEUE=procrastinate``) on any host that reaches the database.

The worker has its own data directory and runner from its settings (``SKRIPTOTEKET_DATA_DIR``,
``SKRIPTOTEKET_RUNNER``); runs that a crashed worker on this host left behind are recovered at
start-up. SIGTERM (or Ctrl+C) drains: nothing more is fetched, the runs in flight get
``SKRIPTOTEKET_WORKER_SHUTDOWN_SECONDS`` to finish, those still running are failed as
interrupted; runs not started stay queued for other workers. The exit code is 0 after a drain.
"""

from __future__ import annotations

import asyncio
import logging

import attrs
import click
from skriptoteket.bootstrap import bootstrap
from skriptoteket.builtin.process_identity import default_worker_name
from skriptoteket.observability.log_setup import configure_logging

from skriptoteket_cli.state import CliState, pass_state

log = logging.getLogger("skriptoteket.worker")


@click.command("worker")
@click.option(
    "--name",
    default=None,
    metavar="NAME",
    help="The worker's name, shown on the runs it executes and labelling its Docker containers."
    " Default: SKRIPTOTEKET_WORKER_NAME, else hostname:pid.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Runs executed at once. Default: SKRIPTOTEKET_RUN_CONCURRENCY (the CPU count).",
)
@pass_state
def worker(state: CliState, name: str | None, concurrency: int | None) -> None:
    """Execute queued runs from the shared run queue until SIGTERM (SKRIPTOTEKET_RUN_QUEUE=
    procrastinate and a PostgreSQL SKRIPTOTEKET_DATABASE_URL)."""
    settings = state.settings
    if name:  # the Docker runner labels this worker's containers with it too
        settings = attrs.evolve(settings, worker_name=name)
    configure_logging(settings, server=True)
    worker_name = settings.worker_name or default_worker_name()
    slots = concurrency or settings.run_concurrency
    probe = state.plugins.select_run_queue(settings).create(settings)
    if probe.executes_here:  # refuses before anything opens: the in-process queue says why
        asyncio.run(probe.work(name=worker_name, concurrency=slots, shutdown_seconds=0.0))
    if settings.artifact_store == "filesystem":  # the one store that is this machine's disk
        log.warning(
            "artifacts of the runs this worker executes are stored in %s: web processes serve "
            "them only if they read the same directory (SKRIPTOTEKET_ARTIFACTS_ROOT on a shared "
            "disk); otherwise use SKRIPTOTEKET_ARTIFACT_STORE=s3",
            settings.artifacts_dir,
            extra={"worker": worker_name, "artifacts_root": str(settings.artifacts_dir)},
        )

    async def main() -> None:
        async with bootstrap(
            settings,
            state.pm,
            execution=True,
            recover_interrupted_runs=True,
            worker_name=worker_name,
            runs_here=True,
        ) as app:
            await app.work_runs(
                name=worker_name,
                concurrency=slots,
                shutdown_seconds=settings.worker_shutdown_seconds,
            )

    asyncio.run(main())
