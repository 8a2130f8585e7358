"""Ready launchers of the local runner (``local_launchers``): shells started ahead of time, each
inside its own pids cgroup, that become one run each. The whole runner contract runs on them,
plus what is particular to them (DESIGN §5 nothing leaks, §9 local overhead)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from skriptoteket.builtin.local_cgroup import PREFIX, PidsCgroups
from skriptoteket.builtin.local_launchers import LAUNCHER_SCRIPT
from skriptoteket.builtin.local_runner import LocalRunner
from skriptoteket.testing.runner_contract import JobFactory, result

from .test_local_runner import LocalContract

CGROUPS = PidsCgroups.probe()
pytestmark = pytest.mark.skipif(
    shutil.which("bwrap") is None or CGROUPS is None,
    reason="ready launchers need bubblewrap and a pids cgroup we may create",
)
TRIVIAL = "def run_tool(i, o):\n    return 'ok'\n"


def launcher_pids() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if LAUNCHER_SCRIPT.encode() in cmdline:
                found.append(int(entry))
    return found


def pids_cgroup_of(pid: int) -> str:
    """The name of the process's own pids cgroup ("" at the root)."""
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, rel = line.split(":", 2)
        if "pids" in controllers.split(","):
            return rel.rsplit("/", 1)[-1]
    return ""


class TestLocalRunnerOnReadyLaunchers(LocalContract):
    """Every contract test with the launchers started first, so each run is a prestarted one."""

    @pytest.fixture
    async def runner(self, tmp_path: Path) -> AsyncIterator[LocalRunner]:
        runner = LocalRunner(temp_root=tmp_path / "runner-tmp", ready_launchers=4)
        await runner.prestart()
        yield runner
        await runner.close()


async def test_runs_use_ready_launchers_and_close_leaves_nothing(tmp_path: Path) -> None:
    make_job = JobFactory(tmp_path / "jobs")
    before = set(launcher_pids())
    runner = LocalRunner(temp_root=tmp_path / "t", ready_launchers=2)
    await runner.prestart()
    waiting = set(launcher_pids()) - before
    assert len(waiting) == 2
    assert CGROUPS is not None
    for _ in range(100):  # each moves itself into a cgroup of its own, in the background
        groups = {pids_cgroup_of(pid) for pid in waiting}
        if len(groups) == 2 and "" not in groups:
            break
        await asyncio.sleep(0.02)
    assert len(groups) == 2
    assert all(g.startswith(PREFIX) for g in groups), groups
    for _ in range(3):
        outcome = await runner.run(make_job(TRIVIAL))
        assert result(outcome)["status"] == "succeeded"
        assert outcome.diagnostics["launch"] == "prestarted"
        assert outcome.diagnostics["processes"] == "cgroup"
    await runner.close()
    assert set(launcher_pids()) - before == set()
    assert not [g for g in groups if (CGROUPS.base / g).exists()]


async def test_a_dead_launcher_is_skipped(tmp_path: Path) -> None:
    make_job = JobFactory(tmp_path / "jobs")
    before = set(launcher_pids())
    runner = LocalRunner(temp_root=tmp_path / "t", ready_launchers=1)
    try:
        await runner.prestart()
        (pid,) = set(launcher_pids()) - before
        os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.2)
        outcome = await runner.run(make_job(TRIVIAL))
        assert result(outcome)["status"] == "succeeded"
        assert outcome.diagnostics["launch"] == "spawned"
    finally:
        await runner.close()


def test_sweep_removes_only_old_empty_run_cgroups(tmp_path: Path) -> None:
    groups = PidsCgroups(tmp_path)
    old_empty, old_busy, new_empty = (tmp_path / f"{PREFIX}{n}" for n in ("a", "b", "c"))
    for path in (old_empty, old_busy, new_empty):
        path.mkdir()
    (old_busy / "cgroup.procs").write_text("1\n")  # a directory rmdir refuses, like a busy one
    (tmp_path / "other").mkdir()
    long_ago = time.time() - 3600
    for path in (old_empty, old_busy, tmp_path / "other"):
        os.utime(path, (long_ago, long_ago))
    assert groups.sweep() == 1
    assert not old_empty.exists()
    assert old_busy.exists()
    assert new_empty.exists()
    assert (tmp_path / "other").exists()
