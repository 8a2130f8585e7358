"""The local runner: the runner contract with bubblewrap and without, plus local-only checks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from skriptoteket.builtin import file_trees
from skriptoteket.builtin import local_sandbox as sb
from skriptoteket.builtin.local_runner import LocalRunner, sweep_dead_run_dirs
from skriptoteket.domain.run_failures import FailureReport, RunFailure
from skriptoteket.plugins.facade import Plugins
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.ports.execution import RunJob, Runner
from skriptoteket.settings import Settings
from skriptoteket.testing.runner_contract import (
    STARTED_THEN_SLEEP,
    JobFactory,
    RunnerContract,
    RunnerExpectations,
    result,
)
from skriptoteket.testing.trees import make_deep_tree

HAS_BWRAP = shutil.which("bwrap") is not None


def run_processes(job: RunJob) -> dict[int, list[str]]:
    """Host processes whose command line carries the run id (the launcher's marker)."""
    marker = str(job.run_id).encode()
    found: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if marker in cmdline:
            found[int(entry)] = [part.decode(errors="replace") for part in cmdline.split(b"\0")]
    return found


class LocalContract(RunnerContract):
    use_bubblewrap = True

    @pytest.fixture
    async def runner(self, tmp_path: Path) -> AsyncIterator[LocalRunner]:
        runner = LocalRunner(temp_root=tmp_path / "runner-tmp", use_bubblewrap=self.use_bubblewrap)
        yield runner
        await runner.close()

    @pytest.fixture
    async def runner_expectations(self, runner: LocalRunner) -> RunnerExpectations:
        report = await runner.isolation_report()
        return RunnerExpectations(
            network_isolated=report["isolation"] in ("bubblewrap", "netns"),
            files_isolated=report["isolation"] == "bubblewrap",
            processes_bounded=report["processes"] in ("cgroup", "rlimit"),
            processes_contained=report["isolation"] == "bubblewrap"
            or report["processes"] == "cgroup",
        )

    async def leftovers(self, runner: Runner, job: RunJob) -> list[str]:
        assert isinstance(runner, LocalRunner)
        deadline = time.monotonic() + 3.0
        while (procs := run_processes(job)) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        left = [f"process {pid}: {argv[:2]}" for pid, argv in procs.items()]
        if runner.temp_root.exists():
            left += [f"temp dir {p}" for p in runner.temp_root.iterdir()]
        return left

    async def kill_sandbox(self, runner: Runner, job: RunJob) -> bool:
        killed = False
        for pid, argv in run_processes(job).items():
            if os.path.basename(argv[0]) != "bwrap":
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                    killed = True
        return killed


@pytest.mark.skipif(
    not HAS_BWRAP, reason="bubblewrap is not installed (apt-get install bubblewrap)"
)
class TestLocalRunner(LocalContract):
    async def test_diagnostics_say_bubblewrap(
        self, runner: LocalRunner, make_job: JobFactory
    ) -> None:
        outcome = await runner.run(make_job("def run_tool(i, o):\n    return 'ok'\n"))
        assert outcome.diagnostics["isolation"] == "bubblewrap"
        assert outcome.exit_code == 0

    async def test_a_sandbox_that_cannot_start_is_the_runners_error_not_the_tools(
        self, runner: LocalRunner, make_job: JobFactory, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """bubblewrap's own set-up failure (here a bind source that does not exist) raises,
        so the run fails as an internal error, with bwrap's reason in the log."""
        assert (await runner.isolation_report())["isolation"] == "bubblewrap"  # probed first
        real_argv = sb.bubblewrap_argv

        def broken_argv(bwrap: str, *args: Any, **kwargs: Any) -> list[str]:
            argv = real_argv(bwrap, *args, **kwargs)
            return [argv[0], "--ro-bind", "/finns-inte", "/x", *argv[1:]]

        monkeypatch.setattr(sb, "bubblewrap_argv", broken_argv)
        with pytest.raises(RuntimeError, match="sandbox could not be started: bwrap: "):
            await runner.run(make_job("def run_tool(i, o):\n    return 'ok'\n"))

    async def test_sandbox_sees_only_what_python_needs(
        self, runner: LocalRunner, make_job: JobFactory
    ) -> None:
        job = make_job(
            "import os\n"
            "def run_tool(i, o):\n"
            "    paths = ('/home', '/work', '/root', '/var', '/etc/passwd')\n"
            "    seen = {p: os.path.exists(p) for p in paths}\n"
            "    seen['uid'] = os.getuid()\n"
            "    seen['sandbox'] = sorted(os.listdir('/sandbox'))\n"
            "    return repr(seen)\n"
        )
        html = result(await runner.run(job))["html_output"]
        seen = eval(html)  # a repr of plain data written by our own test tool
        assert seen["/home"] is False
        assert seen["/var"] is False
        assert seen["/etc/passwd"] is False
        assert seen["uid"] == 65534
        assert seen["sandbox"] == ["input", "output", "result", "runner", "script.py"]
        # /work and /root hold only the interpreter's directories, read-only
        for name in ("/work", "/root"):
            if seen[name]:
                assert any(name in d for d in runner_dirs(runner))


def runner_dirs(runner: LocalRunner) -> tuple[str, ...]:
    plan = runner._plan
    assert plan is not None
    return plan.dirs


class TestLocalRunnerWithoutBubblewrap(LocalContract):
    """The fallback: a network namespace where permitted, else no network isolation."""

    use_bubblewrap = False

    async def test_diagnostics_name_the_fallback(
        self, runner: LocalRunner, make_job: JobFactory
    ) -> None:
        outcome = await runner.run(make_job("def run_tool(i, o):\n    return 'ok'\n"))
        assert outcome.diagnostics["isolation"] in ("netns", "none")
        assert result(outcome)["html_output"] == "ok"


async def test_the_environment_is_exactly_the_wrappers(tmp_path: Path) -> None:
    runner = LocalRunner(temp_root=tmp_path / "t")
    job = JobFactory(tmp_path)(
        "import json, os\ndef run_tool(i, o):\n    return json.dumps(dict(os.environ))\n"
    )
    env = json.loads(result(await runner.run(job))["html_output"])
    wrapper = {k for k in env if k.startswith("SKRIPTOTEKET_")}
    assert wrapper == {
        "SKRIPTOTEKET_SCRIPT_PATH",
        "SKRIPTOTEKET_ENTRYPOINT",
        "SKRIPTOTEKET_CONTRACT",
        "SKRIPTOTEKET_INPUT_DIR",
        "SKRIPTOTEKET_INPUT_PATH",
        "SKRIPTOTEKET_INPUTS_PATH",
        "SKRIPTOTEKET_OUTPUT_DIR",
        "SKRIPTOTEKET_RESULT_PATH",
        "SKRIPTOTEKET_MAX_RESULT_BYTES",
    }
    assert set(env) - wrapper <= {
        "PATH", "HOME", "TMPDIR", "XDG_CACHE_HOME", "MPLCONFIGDIR", "LANG", "LC_ALL",
        "PYTHONDONTWRITEBYTECODE", "PWD",
    }  # fmt: skip
    assert env["LANG"] == "C.UTF-8"


def test_local_is_the_registered_default_runner() -> None:
    plugins = Plugins(make_plugin_manager(load_entrypoints=False))
    settings = Settings(runner_python="/usr/bin/python3")
    runner = plugins.select_runner(settings).create(settings)
    assert isinstance(runner, LocalRunner)
    assert runner.python == "/usr/bin/python3"


async def test_a_watchdog_that_cannot_measure_kills_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9 item 1: the disk watchdog never dies silently; a failed measurement stops the
    run and says so (DISK, resource unmeasurable)."""
    calls = 0

    def broken(root: Path, **limits: int | None) -> file_trees.Usage:
        nonlocal calls
        calls += 1
        raise RecursionError("injected fault")

    monkeypatch.setattr(file_trees, "measure", broken)
    runner = LocalRunner(temp_root=tmp_path / "t")
    job = JobFactory(tmp_path)(STARTED_THEN_SLEEP)
    started = time.monotonic()
    outcome = await runner.run(job)
    await runner.close()
    assert time.monotonic() - started < 10
    assert calls >= 1
    assert not outcome.timed_out
    assert outcome.failure == FailureReport(
        RunFailure.DISK, {"resource": "unmeasurable", "limit": job.limits.work_area_bytes}
    )
    assert outcome.diagnostics["killed"] == "work area limit exceeded"
    assert list((tmp_path / "t").iterdir()) == []


def test_run_directories_of_dead_processes_are_swept(tmp_path: Path) -> None:
    """Issue 9 item 8: a killed server's run directories (even a 1,200-level tree) go at the
    next start; a live process's stay."""
    root = tmp_path / "t"
    dead = _a_dead_pid()
    make_deep_tree(root / f"run-{dead}-abc", 1200)
    (root / f"run-{os.getpid()}-def").mkdir()
    (root / "not-a-run-dir").mkdir()
    assert sweep_dead_run_dirs(root) == 1
    assert sorted(p.name for p in root.iterdir()) == ["not-a-run-dir", f"run-{os.getpid()}-def"]


async def test_the_runner_sweeps_at_start_up(tmp_path: Path) -> None:
    root = tmp_path / "t"
    make_deep_tree(root / f"run-{_a_dead_pid()}-abc", 1200)
    runner = LocalRunner(temp_root=root, use_bubblewrap=False, use_cgroups=False)
    await runner.isolation_report()  # the probe at start-up
    await runner.close()
    assert list(root.iterdir()) == []


def _a_dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid
