"""Benchmark: per-run overhead of the local runner (DESIGN §9).

    uv run python bench/runner_local.py [--runs 200]

Prints p50/p95 wall time per run of a trivial tool for: bare ``python -c pass``, ``python -I``
running the wrapper with no sandbox, the local runner without bubblewrap and with it; then the
throughput of the local runner at concurrency 2. Target: local p50 <= 30 ms, >= 20 runs/s.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from skriptoteket.builtin.local_runner import LocalRunner
from skriptoteket.domain.runs import RunContext
from skriptoteket.ports.execution import RunJob, RunLimits
from skriptoteket.sandbox import WRAPPER_PATH

TRIVIAL = "def run_tool(input_path, output_dir):\n    return '<p>ok</p>'\n"


def make_job(root: Path) -> RunJob:
    workspace = root / uuid.uuid4().hex
    (workspace / "input").mkdir(parents=True)
    (workspace / "input" / "in.txt").write_text("hej")
    return RunJob(
        run_id=uuid.uuid4(),
        tool_id=uuid.uuid4(),
        version_id=uuid.uuid4(),
        context=RunContext.SANDBOX,
        source_code=TRIVIAL,
        entrypoint="run_tool",
        contract_version=1,
        workspace=workspace,
        input_names=("in.txt",),
        inputs={},
        limits=RunLimits(timeout_seconds=30),
    )


async def spawn(*argv: str, env: dict[str, str] | None = None) -> None:
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    await process.communicate()
    assert process.returncode == 0


async def timed(runs: int, once: Callable[[], Awaitable[None]]) -> list[float]:
    """Wall time of each of ``runs`` calls, in ms, after one warm-up call."""
    await once()  # warm up (and let the runner probe)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await once()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def row(name: str, samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=20)
    return f"{name:<72} {statistics.median(samples):8.1f} {q[18]:8.1f}"


async def main(runs: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="skriptoteket-bench-"))
    try:
        wrapper_dir = root / "bare"
        (wrapper_dir / "output").mkdir(parents=True)
        (wrapper_dir / "script.py").write_text(TRIVIAL)
        (wrapper_dir / "in.txt").write_text("hej")
        wrapper_env = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "SKRIPTOTEKET_SCRIPT_PATH": str(wrapper_dir / "script.py"),
            "SKRIPTOTEKET_INPUT_PATH": str(wrapper_dir / "in.txt"),
            "SKRIPTOTEKET_INPUT_DIR": str(wrapper_dir),
            "SKRIPTOTEKET_OUTPUT_DIR": str(wrapper_dir / "output"),
            "SKRIPTOTEKET_RESULT_PATH": str(wrapper_dir / "result.json"),
        }
        runners = {
            f"{'bwrap' if bw else 'no bwrap'}, {'pids cgroup' if cg else 'no cgroup'}": LocalRunner(
                temp_root=root / f"t{bw}{cg}", use_bubblewrap=bw, use_cgroups=cg
            )
            for bw in (False, True)
            for cg in (True, False)
        }
        # Without ready launchers every run moves its first process into a new cgroup itself.
        runners["bwrap, pids cgroup, no ready launchers"] = LocalRunner(
            temp_root=root / "t-cold", ready_launchers=0
        )

        async def run_with(runner: LocalRunner) -> None:
            job = make_job(root)
            outcome = await runner.run(job)
            assert outcome.result_json is not None, outcome
            shutil.rmtree(job.workspace)

        py = sys.executable
        results = [
            ("bare python -c pass", await timed(runs, lambda: spawn(py, "-c", "pass"))),
            (
                "python -I -B wrapper.py (no sandbox)",
                await timed(
                    runs, lambda: spawn(py, "-I", "-B", str(WRAPPER_PATH), env=wrapper_env)
                ),
            ),
        ]
        for label, runner in runners.items():
            report = await runner.isolation_report()
            name = f"local runner ({label}): {report['isolation']}"
            results.append((name, await timed(runs, functools.partial(run_with, runner))))
        print(f"{runs} sequential runs each; {os.cpu_count()} CPUs; uid {os.getuid()}")
        print(f"{'what':<72} {'p50 ms':>8} {'p95 ms':>8}")
        for name, samples in results:
            print(row(name, samples))
        for label, runner in runners.items():
            total = max(100, runs // 2)
            started = time.perf_counter()
            queue = list(range(total))

            async def worker(runner: LocalRunner = runner, queue: list[int] = queue) -> None:
                while queue:
                    queue.pop()
                    await run_with(runner)

            await asyncio.gather(worker(), worker())
            elapsed = time.perf_counter() - started
            print(f"throughput, concurrency 2, {label:<38}: {total / elapsed:6.1f} runs/s")
        for runner in runners.values():
            await runner.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    asyncio.run(main(parser.parse_args().runs))
