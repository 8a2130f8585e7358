"""A server killed mid-run loses nothing and leaves nothing behind (DESIGN §5): the sandbox
dies with it, and on the next start the run is finished as failed with a clear message and its
workspace is removed; a second server started while the first lives leaves its runs alone
(issue 10). Real SQLite database (and PostgreSQL), real local runner, real SIGKILL."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from skriptoteket.application.runs import INTERRUPTED_MESSAGE
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.runs import RunStatus
from skriptoteket.settings import Settings
from skriptoteket.testing.processes import processes_mentioning
from skriptoteket.testing.seeding import publish_tool
from skriptoteket_sql.migrations import AlembicMigrations

from .databases import fresh_postgres_database

SLOW_TOOL = (
    "import time\n\ndef run_tool(input_path, output_dir):\n    time.sleep(60)\n    return 'x'\n"
)

SERVER = """
import asyncio, sys
from skriptoteket.application.execution import Upload
from skriptoteket.bootstrap import bootstrap
from skriptoteket.settings import Settings

async def main():
    settings = Settings(data_dir=sys.argv[1], database_url=sys.argv[2] if sys.argv[2:] else "")
    async with bootstrap(settings, execution=True) as app:
        actor = await app.find_active_user("rektor@skolan.se")
        run = await app.start_production_run(actor, slug="langsam", uploads=[
            Upload(filename="a.txt", data=b"x")])
        print(run.id, flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


async def _seed(data_dir: Path, database_url: str = "") -> None:
    settings = Settings(data_dir=data_dir, database_url=database_url)
    await asyncio.to_thread(AlembicMigrations(settings.database_url).upgrade, "head")
    async with bootstrap(settings) as app:
        root = await app.bootstrap_superuser(email="rektor@skolan.se", password="Kanelbulle-42")
        await publish_tool(app, root, slug="langsam", title="Långsam", source_code=SLOW_TOOL)


async def _status(
    data_dir: Path, run_id: UUID, database_url: str = ""
) -> tuple[RunStatus, str | None]:
    async with bootstrap(Settings(data_dir=data_dir, database_url=database_url)) as app:
        root = await app.find_active_user("rektor@skolan.se")
        run = (await app.get_run(root, run_id=run_id)).run
    return run.status, run.error_summary


async def test_server_killed_mid_run_then_restarted(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    await _seed(data_dir)
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVER, str(data_dir), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert server.stdout is not None
        run_id = UUID((await server.stdout.readline()).decode().strip())
        deadline = time.monotonic() + 30
        while (await _status(data_dir, run_id))[0] is not RunStatus.RUNNING:
            assert time.monotonic() < deadline, "the run never started"
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # the tool is sleeping inside its sandbox now
        assert processes_mentioning(str(run_id)), "expected the sandbox to be running"
    finally:
        server.send_signal(signal.SIGKILL)
        await asyncio.wait_for(server.wait(), timeout=10)

    deadline = time.monotonic() + 10
    while processes_mentioning(str(run_id)):
        assert time.monotonic() < deadline, processes_mentioning(str(run_id))
        await asyncio.sleep(0.1)
    assert (await _status(data_dir, run_id))[0] is RunStatus.RUNNING  # nobody finished it yet

    async with bootstrap(
        Settings(data_dir=data_dir), execution=True, recover_interrupted_runs=True
    ):
        pass
    assert await _status(data_dir, run_id) == (RunStatus.FAILED, INTERRUPTED_MESSAGE)
    workspaces = data_dir / "work"
    assert not workspaces.exists() or list(workspaces.iterdir()) == []


@pytest.mark.parametrize("recover", [False])
async def test_a_host_that_does_not_own_execution_leaves_runs_alone(
    tmp_path: Path, recover: bool
) -> None:
    """CLI commands open the core without recovery: they must never fail a live run."""
    data_dir = tmp_path / "data"
    await _seed(data_dir)
    async with bootstrap(Settings(data_dir=data_dir), execution=True) as app:
        root = await app.find_active_user("rektor@skolan.se")
        from skriptoteket.application.execution import Upload

        run = await app.start_production_run(
            root, slug="langsam", uploads=[Upload(filename="a.txt", data=b"x")]
        )
        async with bootstrap(
            Settings(data_dir=data_dir), execution=True, recover_interrupted_runs=recover
        ):
            pass
        assert (await app.get_run(root, run_id=run.id)).run.status in (
            RunStatus.QUEUED,
            RunStatus.RUNNING,
        )
        cancelled = await app.cancel_run(root, run_id=run.id)
        assert cancelled.run.status is RunStatus.CANCELLED


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The data dir's SQLite file (an empty URL, the default) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield ""
        return
    with fresh_postgres_database() as url:
        yield url


async def test_a_second_server_leaves_a_live_servers_run_alone_until_it_dies(
    tmp_path: Path, database_url: str
) -> None:
    """Issue 10: server B starting with recovery on the same database and data dir while
    server A runs a tool neither fails A's run nor deletes its workspace or sandbox; once A is
    SIGKILLed, B's next start fails the run (interrupted) and removes its workspace."""
    data_dir = tmp_path / "data"
    await _seed(data_dir, database_url)
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVER, str(data_dir), database_url, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert server.stdout is not None
        run_id = UUID((await server.stdout.readline()).decode().strip())
        deadline = time.monotonic() + 30
        while (await _status(data_dir, run_id, database_url))[0] is not RunStatus.RUNNING:
            assert time.monotonic() < deadline, "the run never started"
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # the tool is sleeping inside its sandbox now
        workspace = data_dir / "work" / str(run_id)
        assert (workspace / "input" / "a.txt").exists()

        settings = Settings(data_dir=data_dir, database_url=database_url)
        async with bootstrap(settings, execution=True, recover_interrupted_runs=True):
            pass
        assert (await _status(data_dir, run_id, database_url))[0] is RunStatus.RUNNING
        assert (workspace / "input" / "a.txt").exists()
        assert processes_mentioning(str(run_id)), "B must not touch A's sandbox"
        assert server.returncode is None
    finally:
        server.send_signal(signal.SIGKILL)
        await asyncio.wait_for(server.wait(), timeout=10)

    deadline = time.monotonic() + 10
    while processes_mentioning(str(run_id)):
        assert time.monotonic() < deadline, processes_mentioning(str(run_id))
        await asyncio.sleep(0.1)
    assert (await _status(data_dir, run_id, database_url))[0] is RunStatus.RUNNING
    async with bootstrap(settings, execution=True, recover_interrupted_runs=True):
        pass
    assert await _status(data_dir, run_id, database_url) == (
        RunStatus.FAILED,
        INTERRUPTED_MESSAGE,
    )
    assert not workspace.exists()
