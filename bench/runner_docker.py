"""Benchmark of the docker runner (DESIGN §9): per-run time of a trivial tool, p50/p95, for
a cold container per run and for the warm pool, next to a bare ``docker run --rm`` of the runner
image running ``python3 -c pass``; and throughput (runs/s) at concurrency 2.

    uv run python bench/runner_docker.py [--runs 30]

Needs a Docker engine and the runner image (``skriptoteket runner build-image``). Targets:
warm p50 ≤ 120 ms, p95 ≤ 250 ms; ≥ 6 runs/s at concurrency 2. The docker CLI is used only for
the bare reference.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from skriptoteket.domain.runs import RunContext
from skriptoteket.ports.execution import RunJob, RunLimits
from skriptoteket.settings import Settings
from skriptoteket_docker.runner import DockerRunner

TRIVIAL = "def run_tool(input_path, output_dir):\n    return '<p>ok</p>'\n"


def _settings(root: Path, pool: int) -> Settings:
    return Settings(data_dir=root / "data", runner_pool_size=pool)


def _limits(settings: Settings) -> RunLimits:
    from skriptoteket.settings import parse_size

    return RunLimits(
        timeout_seconds=30,
        memory_bytes=parse_size(settings.runner_memory_limit),
        cpu_count=settings.runner_cpu_limit,
        max_processes=settings.runner_pids_limit,
        work_area_bytes=parse_size(settings.runner_work_area_limit),
    )


def _job(root: Path, limits: RunLimits) -> RunJob:
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
        limits=limits,
    )


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _series(root: Path, pool: int, samples: int, *, refill: bool) -> list[float]:
    settings = _settings(root, pool)
    runner = DockerRunner(settings)
    limits = _limits(settings)
    await runner.started()
    if runner.pool:
        runner.pool.wait_filled()
    elapsed: list[float] = []
    for _ in range(samples + 2):  # the first two are warm-up
        if refill and runner.pool:
            await asyncio.to_thread(runner.pool.wait_filled)
        job = _job(root, limits)
        start = time.perf_counter()
        outcome = await runner.run(job)
        elapsed.append((time.perf_counter() - start) * 1000)
        assert outcome.result_json is not None, outcome
        assert b"succeeded" in outcome.result_json, outcome
    await runner.close()
    return elapsed[2:]


async def _throughput(root: Path, total: int, concurrency: int) -> float:
    settings = _settings(root, 2)
    runner = DockerRunner(settings)
    limits = _limits(settings)
    await runner.started()
    if runner.pool:
        runner.pool.wait_filled()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(total):
        queue.put_nowait(n)

    async def worker() -> None:
        while not queue.empty():
            queue.get_nowait()
            outcome = await runner.run(_job(root, limits))
            assert outcome.result_json is not None

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    await runner.close()
    return total / elapsed


def _bare(image: str, samples: int) -> list[float]:
    times = []
    for _ in range(samples + 1):
        start = time.perf_counter()
        subprocess.run(
            ["docker", "run", "--rm", "--network", "none", image, "python3", "-c", "pass"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append((time.perf_counter() - start) * 1000)
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    image = Settings().runner_image
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        n = args.runs
        rows = [
            ("bare `docker run --rm` python3 -c pass", _bare(image, min(n, 15))),
            ("docker runner, cold (pool 0)", asyncio.run(_series(root, 0, n, refill=False))),
            ("docker runner, warm (pool refilled)", asyncio.run(_series(root, 2, n, refill=True))),
            ("docker runner, warm back-to-back", asyncio.run(_series(root, 2, n, refill=False))),
        ]
        rate = asyncio.run(_throughput(root, args.runs * 2, 2))
    print(f"\n{'what':44} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'mean':>8}")
    for name, values in rows:
        print(
            f"{name:44} {len(values):4d} {_pct(values, 0.5):8.1f} {_pct(values, 0.95):8.1f} "
            f"{statistics.fmean(values):8.1f}"
        )
    bare = _pct(rows[0][1], 0.5)
    warm = _pct(rows[2][1], 0.5)
    print(f"\nwarm p50 / bare docker run p50 = {warm / bare:.2f}")
    print(f"throughput, concurrency 2, pool 2: {rate:.1f} runs/s   (target ≥ 6)")
    print("targets: warm p50 ≤ 120 ms, p95 ≤ 250 ms")


if __name__ == "__main__":
    main()
