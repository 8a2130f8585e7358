"""A PostgreSQL database with Skriptoteket's schema, Procrastinate's schema, a superuser and
published tools; settings for the Procrastinate run queue; ``skriptoteket worker``
subprocesses (issue 10)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from uuid import UUID

from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.runs import RunStatus, ToolRun
from skriptoteket.plugins.facade import Plugins
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.settings import Settings

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
            tool = await app.create_tool(
                root,
                slug=slug,
                title=slug.title(),
                summary=None,
                professions=["larare"],
                categories=["ovrigt"],
            )
            draft = await app.create_draft_version(root, tool_id=tool.id, source_code=source)
            await app.submit_for_review(root, version_id=draft.id)
            await app.publish_version(root, version_id=draft.id)
            await app.set_tool_published(root, tool_id=tool.id, published=True)


def worker_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKRIPTOTEKET_")}
    env.update(
        SKRIPTOTEKET_DATA_DIR=str(data_dir),
        SKRIPTOTEKET_DATABASE_URL=database_url,
        SKRIPTOTEKET_RUN_QUEUE="procrastinate",
        SKRIPTOTEKET_RUNNER="local",
        SKRIPTOTEKET_WORKER_HEARTBEAT_SECONDS="1",
        SKRIPTOTEKET_WORKER_STALLED_SECONDS="4",
        SKRIPTOTEKET_LOG_FORMAT="text",
        SKRIPTOTEKET_LOG_LEVEL="INFO",
        **extra,
    )
    return env


class WorkerProcess:
    """``skriptoteket worker --name NAME`` in its own process group; output in a log file."""

    def __init__(
        self,
        name: str,
        data_dir: Path,
        database_url: str,
        *,
        concurrency: int = 2,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir / "worker.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "skriptoteket_cli",
                "worker",
                "--name",
                name,
                "--concurrency",
                str(concurrency),
            ],
            env={**worker_env(data_dir, database_url), **(env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited:\n{self.log()}")
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not in worker {self.name}'s log:\n{self.log()}")

    def signal(self, signum: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signum)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


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


def processes_mentioning(text: str) -> list[str]:
    """Processes whose command line holds ``text`` (a run's sandbox names its workspace)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{pid}: {cmdline}")
    return found
