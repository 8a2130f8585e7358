"""The docker runner end to end: contracts 1 and 2, user errors, timeouts, caps (RUN-10–RUN-19)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from skriptoteket.observability import log_context
from skriptoteket.observability.log_context import bind_run
from skriptoteket.ports.execution import RunJob, RunLimits, RunnerOutcome
from skriptoteket_docker.runner import DockerRunner

pytestmark = pytest.mark.docker
MakeJob = Callable[..., RunJob]


def result_of(outcome: RunnerOutcome) -> dict[str, Any]:
    assert outcome.result_json is not None, outcome.stderr
    data = json.loads(outcome.result_json)
    assert isinstance(data, dict)
    return data


CONTRACT_1 = """
import os
from skriptoteket_tool import read_text, escape

def run_tool(input_path, output_dir):
    text = read_text(input_path)
    os.makedirs(os.path.join(output_dir, "sub"))
    with open(os.path.join(output_dir, "report.txt"), "w") as handle:
        handle.write(text.upper())
    with open(os.path.join(output_dir, "sub", "deep.csv"), "w") as handle:
        handle.write("a;b\\n")
    print("hello from the tool")
    return "<p>" + escape(text.strip()) + "</p>"
"""

CONTRACT_2 = """
import os

def run_tool(input_dir, output_dir, inputs):
    names = [os.path.basename(p) for p in inputs["elevlistor"]]
    sizes = [os.path.getsize(p) for p in inputs["elevlistor"]]
    return f"<p>{inputs['rubrik']}|{inputs['antal']}|{inputs['klar']}|{names}|{sizes}</p>"
"""


async def test_contract_1_success(
    runner: DockerRunner, tmp_path: Path, make_job: MakeJob, pool_limits: RunLimits
) -> None:
    job = make_job(tmp_path / "ws", CONTRACT_1, files={"klass.txt": b"anna\n"})
    outcome = await runner.run(job)
    result = result_of(outcome)
    assert result["status"] == "succeeded"
    assert result["html_output"] == "<p>anna</p>"
    assert [a["path"] for a in result["artifacts"]] == ["output/report.txt", "output/sub/deep.csv"]
    assert (job.workspace / "output" / "report.txt").read_text() == "ANNA\n"
    assert (job.workspace / "output" / "sub" / "deep.csv").read_text() == "a;b\n"
    assert outcome.stdout == "hello from the tool\n"
    assert not outcome.timed_out
    assert outcome.exit_code == 0
    assert outcome.diagnostics["isolation"] == "docker"
    assert outcome.diagnostics["pool"] == "warm"


async def test_contract_2_inputs_and_files(
    runner: DockerRunner, tmp_path: Path, make_job: MakeJob, pool_limits: RunLimits
) -> None:
    job = make_job(
        tmp_path / "ws",
        CONTRACT_2,
        contract=2,
        files={"a.csv": b"1", "b.xlsx": b"22"},
        inputs={"rubrik": "Åk 9", "antal": 3, "klar": True, "elevlistor": ["a.csv", "b.xlsx"]},
    )
    result = result_of(await runner.run(job))
    assert result["status"] == "succeeded", result
    assert result["html_output"] == "<p>Åk 9|3|True|['a.csv', 'b.xlsx']|[1, 2]</p>"


async def test_tool_user_error(
    runner: DockerRunner, tmp_path: Path, make_job: MakeJob, pool_limits: RunLimits
) -> None:
    source = (
        "from skriptoteket_tool import ToolUserError\n"
        "def run_tool(i, o):\n    raise ToolUserError('Filen saknar kolumnen E-post')\n"
    )
    result = result_of(await runner.run(make_job(tmp_path / "ws", source)))
    assert result["status"] == "failed"
    assert result["user_error"] is True
    assert result["error_summary"] == "Filen saknar kolumnen E-post"


async def test_crash_is_a_failed_result(
    runner: DockerRunner, tmp_path: Path, make_job: MakeJob, pool_limits: RunLimits
) -> None:
    source = "def run_tool(i, o):\n    return 1 / 0\n"
    outcome = await runner.run(make_job(tmp_path / "ws", source))
    result = result_of(outcome)
    assert result["error_summary"] == "Tool execution failed (ZeroDivisionError)."
    assert "ZeroDivisionError" in outcome.stderr


async def test_libraries_are_importable(
    runner: DockerRunner, tmp_path: Path, make_job: MakeJob, pool_limits: RunLimits
) -> None:
    source = (
        "import openpyxl, docx, pypdf, pandas, matplotlib, markdown, jinja2, PIL\n"
        "def run_tool(i, o):\n    return markdown.markdown('# ok')\n"
    )
    result = result_of(await runner.run(make_job(tmp_path / "ws", source)))
    assert result["html_output"] == "<h1>ok</h1>", result


async def test_timeout_within_ten_percent(
    runner: DockerRunner, tmp_path: Path, make_job: MakeJob, pool_limits: RunLimits
) -> None:
    source = (
        "import os, sys\n"
        "def run_tool(i, o):\n"
        "    open(os.path.join(o, 'partial.txt'), 'w').write('so far')\n"
        "    print('started', flush=True)\n"
        "    while True:\n        pass\n"
    )
    job = make_job(tmp_path / "ws", source, limits=attrs.evolve(pool_limits, timeout_seconds=2.0))
    start = time.monotonic()
    outcome = await runner.run(job)
    elapsed = time.monotonic() - start
    assert outcome.timed_out
    assert outcome.result_json is None
    assert 2.0 <= elapsed <= 2.2, elapsed
    assert outcome.stdout == "started\n"  # still collected
    assert (job.workspace / "output" / "partial.txt").read_text() == "so far"


async def test_stdout_flood_is_capped(
    runner: DockerRunner, tmp_path: Path, make_job: MakeJob, pool_limits: RunLimits
) -> None:
    source = (
        "import sys\n"
        "def run_tool(i, o):\n"
        "    for _ in range(2000):\n        sys.stdout.write('x' * 10000)\n"
        "    sys.stderr.write('e' * 100000)\n"
        "    return 'done'\n"
    )
    outcome = await runner.run(make_job(tmp_path / "ws", source))
    assert result_of(outcome)["html_output"] == "done"
    assert len(outcome.stdout.encode()) <= pool_limits.max_stdout_bytes
    assert len(outcome.stderr.encode()) <= pool_limits.max_stderr_bytes
    assert outcome.stdout.startswith("xxxx")


async def test_cold_container_when_limits_differ(
    runner: DockerRunner, tmp_path: Path, make_job: MakeJob, pool_limits: RunLimits
) -> None:
    limits = attrs.evolve(pool_limits, memory_bytes=128 * 1024 * 1024)
    source = (
        "import os\n"
        "def run_tool(i, o):\n"
        "    for p in ('/sys/fs/cgroup/memory.max',\n"
        "              '/sys/fs/cgroup/memory/memory.limit_in_bytes'):\n"
        "        if os.path.exists(p):\n"
        "            return open(p).read().strip()\n"
        "    return 'unknown'\n"
    )
    outcome = await runner.run(make_job(tmp_path / "ws", source, limits=limits))
    assert outcome.diagnostics["pool"] == "cold"
    html: Any = result_of(outcome)["html_output"]
    assert html == str(128 * 1024 * 1024)


async def test_the_runners_threads_carry_the_run_id(runner: DockerRunner) -> None:
    """RUN-35: what the runner does in its thread pool (engine calls, the exchange) logs with
    the run id of the run it serves, like its coroutines."""
    with bind_run("3f0c1a2b-run"):
        seen = await runner._call(log_context.run_id.get)
    assert seen == "3f0c1a2b-run"
    assert log_context.run_id.get() is None
