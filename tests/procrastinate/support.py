"""A PostgreSQL database with Skriptoteket's schema, Procrastinate's schema, a superuser and
published tools; settings for the Procrastinate run queue, in process and for subprocesses;
``skriptoteket worker`` subprocesses (``skriptoteket.testing.processes``) (issue 10)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from uuid import UUID

from skriptoteket.application.execution import Upload
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.runs import RunStatus, ToolRun
from skriptoteket.plugins.facade import Plugins
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket.testing.processes import CliProcess, worker_process
from skriptoteket.testing.seeding import publish_tool

EMAIL = "rektor@skolan.se"
PASSWORD = "Kanelbulle-42"

ECHO_TOOL = (
    "import os, pathlib\n\n"
    "def run_tool(input_path, output_dir):\n"
    "    data = pathlib.Path(input_path).read_bytes()\n"
    "    pathlib.Path(output_dir, 'kopia.bin').write_bytes(data[::-1])\n"
    "    return f'<p>{len(data)} byte</p>'\n"
)
SLEEP_TOOL = (
    "import pathlib, time\n\n"
    "def run_tool(input_path, output_dir):\n"
    "    seconds = float(pathlib.Path(input_path).read_text())\n"
    "    time.sleep(seconds)\n"
    "    return f'<p>sov {seconds}</p>'\n"
)
TOOLS = {"eko": ECHO_TOOL, "sov": SLEEP_TOOL}


def queue_settings(data_dir: Path, database_url: str, **extra: object) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        run_queue="procrastinate",
        runner="local",
        worker_heartbeat_seconds=1.0,
        worker_stalled_seconds=4.0,
        **extra,  # type: ignore[arg-type]
    )


async def prepare_database(database_url: str, data_dir: Path) -> None:
    """Both schemas, the superuser and the tools of ``TOOLS``, published."""
    migrations = Plugins(make_plugin_manager()).migrations(Settings(database_url=database_url))
    assert migrations is not None  # the sql backend with the procrastinate branch
    await asyncio.to_thread(migrations.upgrade, "head")
    async with bootstrap(Settings(data_dir=data_dir, database_url=database_url)) as app:
        root = await app.bootstrap_superuser(email=EMAIL, password=PASSWORD)
        for slug, source in TOOLS.items():
            await publish_tool(app, root, slug=slug, source_code=source)


def queue_env(database_url: str, **extra: str) -> dict[str, str]:
    """The ``SKRIPTOTEKET_*`` settings of a subprocess on the Procrastinate run queue (those of
    ``queue_settings``), plus ``extra``."""
    return {
        "SKRIPTOTEKET_DATABASE_URL": database_url,
        "SKRIPTOTEKET_RUN_QUEUE": "procrastinate",
        "SKRIPTOTEKET_RUNNER": "local",
        "SKRIPTOTEKET_WORKER_HEARTBEAT_SECONDS": "1",
        "SKRIPTOTEKET_WORKER_STALLED_SECONDS": "4",
        "SKRIPTOTEKET_LOG_FORMAT": "text",
        "SKRIPTOTEKET_LOG_LEVEL": "INFO",
        **extra,
    }


def start_worker(
    workdir: Path, database_url: str, name: str, *, concurrency: int = 2, **extra: str
) -> CliProcess:
    """A started ``skriptoteket worker --name NAME``; its data directory is
    ``workdir / f"data-{name}"``, its log ``workdir / f"worker-{name}.log"``."""
    worker = worker_process(
        workdir, queue_env(database_url, **extra), name=name, concurrency=concurrency
    )
    worker.start()
    return worker


async def start_sleep(app: object, seconds: str, *, running: bool = False) -> ToolRun:
    """A production run of the ``sov`` tool sleeping ``seconds``, started by the superuser;
    with ``running``, returned once a worker runs it."""
    from skriptoteket.application.container import Skriptoteket

    assert isinstance(app, Skriptoteket)
    root = await app.find_active_user(EMAIL)
    run = await app.start_production_run(
        root, slug="sov", uploads=[Upload(filename="s.txt", data=seconds.encode())]
    )
    if running:
        run = await wait_for_run(app, run.id, until={RunStatus.RUNNING}, within=30)
    return run


async def wait_for_run(
    app: object, run_id: UUID, *, until: set[RunStatus] | None = None, within: float = 60.0
) -> ToolRun:
    """Poll the run until its status is in ``until`` (default: any final status)."""
    from skriptoteket.application.container import Skriptoteket

    assert isinstance(app, Skriptoteket)
    root = await app.find_active_user(EMAIL)
    deadline = time.monotonic() + within
    while True:
        run = (await app.get_run(root, run_id=run_id)).run
        done = run.status in until if until else run.status.is_terminal
        if done or time.monotonic() > deadline:
            return run
        await asyncio.sleep(0.2)
