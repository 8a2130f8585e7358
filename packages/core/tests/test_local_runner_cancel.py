"""Cancelling a local run at any moment — while it spawns, while bubblewrap sets up, while the
tool runs, once or twice — leaves no process of that run behind and does not hang (DESIGN §5:
nothing leaks; RUN-31 cancel). Every isolation mode: bubblewrap or not, pids cgroup or not.

A run cancelled while asyncio was still spawning bubblewrap used to leave bubblewrap's
in-namespace init waiting forever with our pipes open, and the cancelled run hung with it."""

from __future__ import annotations

import asyncio
import contextlib
import random
from pathlib import Path

import pytest
from skriptoteket.builtin.local_runner import LocalRunner
from skriptoteket.testing.processes import processes_mentioning
from skriptoteket.testing.runner_contract import JobFactory

SLEEPER = "import time\n\ndef run_tool(input_path, output_dir):\n    time.sleep(5)\n    return ''\n"


@pytest.mark.parametrize(
    ("use_bubblewrap", "use_cgroups"),
    [(True, True), (True, False), (False, True), (False, False)],
    ids=["bwrap+cgroup", "bwrap", "fallback+cgroup", "fallback"],
)
async def test_cancelling_at_random_moments_leaves_nothing(
    tmp_path: Path, use_bubblewrap: bool, use_cgroups: bool
) -> None:
    runner = LocalRunner(
        temp_root=tmp_path / "sandboxes", use_bubblewrap=use_bubblewrap, use_cgroups=use_cgroups
    )
    (tmp_path / "sandboxes").mkdir()
    rng = random.Random(20261126)
    make_job = JobFactory(tmp_path / "jobs")
    try:
        for attempt in range(25):
            job = make_job(SLEEPER, timeout_seconds=10)
            task = asyncio.create_task(runner.run(job))
            await asyncio.sleep(rng.uniform(0, 0.06))
            task.cancel()
            if attempt % 3 == 0:
                await asyncio.sleep(0.002)
                task.cancel()  # a second cancellation while the first is being handled
            done, _ = await asyncio.wait({task}, timeout=10)
            assert done, f"attempt {attempt}: the cancelled run hangs"
            with contextlib.suppress(asyncio.CancelledError):
                task.result()
            for _ in range(50):
                left = processes_mentioning(str(job.run_id))
                if not left:
                    break
                await asyncio.sleep(0.05)
            assert left == [], f"attempt {attempt}: {left}"
        assert list((tmp_path / "sandboxes").iterdir()) == []
    finally:
        await runner.close()
