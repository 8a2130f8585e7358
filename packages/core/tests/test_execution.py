"""Starting and executing runs through the queue, with a scripted runner (RUN-05–RUN-08,
RUN-15, RUN-18–RUN-25, RUN-32, RUN-33, EXE-01/03/07/08, DESIGN §5)."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.execution import Upload
from skriptoteket.builtin.inprocess_queue import InProcessRunQueue
from skriptoteket.builtin.process_identity import LocalProcessLiveness
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.run_failures import FailureReport, RunFailure, result_too_large
from skriptoteket.domain.run_results import (
    CONTRACT_VIOLATION,
    EXTRACTION_VIOLATION,
    TIMED_OUT,
    WORK_AREA_EXCEEDED,
    OutputCaps,
)
from skriptoteket.domain.runs import RunContext, RunStatus, ToolRun
from skriptoteket.domain.uploads import InputLimits
from skriptoteket.ports.execution import QueueStats, RunJob, RunLimits, RunnerOutcome
from skriptoteket.testing.world import World

Behaviour = Callable[[RunJob], Awaitable[RunnerOutcome]]


def result(html: str = "<p>Klart</p>", status: str = "succeeded", **extra: Any) -> bytes:
    data = {
        "contract_version": 2,
        "status": status,
        "html_output": html,
        "error_summary": None,
        "user_error": False,
        "artifacts": [],
        **extra,
    }
    return json.dumps(data).encode()


async def succeed(job: RunJob) -> RunnerOutcome:
    (job.workspace / "output" / "rapport.txt").write_text("åäö", encoding="utf-8")
    return RunnerOutcome(stdout="hej", stderr="", result_json=result())


class ScriptedRunner:
    def __init__(self) -> None:
        self.behaviour: Behaviour = succeed
        self.jobs: list[RunJob] = []
        self.cancelled: list[Any] = []
        self.unavailable: DomainError | None = None

    async def check(self) -> None:
        if self.unavailable is not None:
            raise self.unavailable

    async def run(self, job: RunJob) -> RunnerOutcome:
        self.jobs.append(job)
        try:
            return await self.behaviour(job)
        except asyncio.CancelledError:
            self.cancelled.append(job.run_id)
            raise

    async def close(self) -> None:
        return None


class RecordingObserver:
    """A RunObserver that writes down what it hears; ``fail`` makes it raise afterwards."""

    def __init__(self) -> None:
        self.started: list[RunContext] = []
        self.finished: list[tuple[RunContext, RunStatus, float | None]] = []
        self.fail = False

    def run_started(self, context: RunContext) -> None:
        self.started.append(context)
        if self.fail:
            raise RuntimeError("observer down")

    def run_finished(self, context: RunContext, status: RunStatus, seconds: float | None) -> None:
        self.finished.append((context, status, seconds))
        if self.fail:
            raise RuntimeError("observer down")

    def statuses(self) -> list[tuple[RunStatus, bool]]:
        """(status, timed?) per finished run, in order."""
        return [(status, seconds is not None) for _, status, seconds in self.finished]


@attrs.define
class Harness:
    world: World
    runner: ScriptedRunner
    queue: InProcessRunQueue
    root: Path
    observer: RecordingObserver

    @property
    def app(self) -> Skriptoteket:
        return self.world.app

    async def wait_final(self, run: ToolRun) -> ToolRun:
        for _ in range(500):
            view = await self.app.get_run(self.world.admin, run_id=run.id)
            if view.run.status.is_terminal:
                return view.run
            await asyncio.sleep(0.01)
        raise AssertionError("run never finished")

    async def workspaces_left(self) -> list[Path]:
        """The run workspaces still on disk once the executor has had up to 5 s to remove them
        (it removes a workspace just after saving the run's final status)."""
        for _ in range(500):
            left = list((self.root / "work").iterdir())
            if not left:
                return left
            await asyncio.sleep(0.01)
        return left


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    world = await World.create()
    runner = ScriptedRunner()
    queue = InProcessRunQueue(concurrency=1, max_waiting=3)
    observer = RecordingObserver()
    world.execute_on_disk(
        tmp_path,
        runner=runner,
        queue=queue,
        sandbox_limits=RunLimits(timeout_seconds=5),
        input_limits=InputLimits(max_files=3, max_file_bytes=1000, max_total_bytes=1500),
        output_caps=OutputCaps(max_stdout_bytes=10, max_html_bytes=20),
        observers=(observer,),
    )
    await queue.start(world.app.execute_run)
    try:
        yield Harness(world, runner, queue, tmp_path, observer)
    finally:
        await queue.close()


CSV = Upload(filename="klasslista.csv", data="Namn;E-post\nÅsa;asa@x.se\n".encode())


async def published(h: Harness, **kwargs: Any) -> Any:
    tool, _ = await h.world.published_tool(**kwargs)
    return tool


async def test_production_run_succeeds_and_its_artifact_downloads_EXE_03_RUN_25(
    harness: Harness,
) -> None:
    h = harness
    tool = await published(h)
    run = await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    assert run.status is RunStatus.QUEUED
    final = await h.wait_final(run)
    assert final.status is RunStatus.SUCCEEDED
    assert final.html_output == "<p>Klart</p>"
    assert final.started_at is not None
    assert final.finished_at is not None
    assert [(a.artifact_id, a.path, a.bytes) for a in final.artifacts] == [
        ("output_rapport_txt", "output/rapport.txt", 6)
    ]
    job = h.runner.jobs[0]
    assert (job.context, job.contract_version, job.input_names) == (
        RunContext.PRODUCTION,
        1,
        ("klasslista.csv",),
    )
    file = await h.app.open_artifact(
        h.world.user, run_id=run.id, artifact_id="output_rapport_txt", production_only=True
    )
    assert file.stream.size == len("åäö".encode())
    assert b"".join([c async for c in file.stream.chunks]).decode() == "åäö"
    assert file.filename == "rapport.txt"
    assert not (h.root / "work" / str(run.id)).exists()  # workspace removed
    view = await h.app.get_run(h.world.user, run_id=run.id)
    assert view.run.stdout is None  # EXE-04: users never see logs of production runs
    assert (await h.app.get_run(h.world.admin, run_id=run.id)).run.stdout == "hej"


async def test_other_users_get_not_found_ERR_06_EXE_08(harness: Harness) -> None:
    h = harness
    tool = await published(h)
    run = await h.wait_final(
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    )
    for call in (
        h.app.get_run(h.world.contributor, run_id=run.id),
        h.app.open_artifact(h.world.contributor, run_id=run.id, artifact_id="output_rapport_txt"),
        h.app.open_artifact(h.world.user, run_id=run.id, artifact_id="saknas"),
    ):
        with pytest.raises(DomainError) as info:
            await call
        assert info.value.code is ErrorCode.NOT_FOUND


async def test_unrunnable_tools_are_not_found_EXE_01(harness: Harness) -> None:
    h = harness
    draft_only = await h.world.tool()
    for slug in (draft_only.slug, "finns-inte"):
        with pytest.raises(DomainError) as info:
            await h.app.start_production_run(h.world.user, slug=slug, uploads=[CSV])
        assert info.value.code is ErrorCode.NOT_FOUND
    assert h.runner.jobs == []


async def test_only_sandbox_inputs_are_kept_and_prune_removes_expired_RUN_29(
    harness: Harness,
) -> None:
    h = harness
    tool = await published(h)
    draft = await h.world.draft(tool)
    production = await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    sandbox = await h.app.start_sandbox_run(h.world.admin, version_id=draft.id, uploads=[CSV])
    for run in (production, sandbox):
        await h.wait_final(run)
    assert await h.workspaces_left() == []
    kept = sorted(
        p.relative_to(h.root / "inputs").as_posix() for p in (h.root / "inputs").rglob("*")
    )
    assert kept == [str(sandbox.id), f"{sandbox.id}/klasslista.csv"]
    long_ago = time.time() - 25 * 3600
    os.utime(h.root / "inputs" / str(sandbox.id), (long_ago, long_ago))
    await h.app.prune_artifacts(h.world.admin, days=7)
    assert list((h.root / "inputs").iterdir()) == []


async def test_sandbox_permissions_follow_the_matrix(harness: Harness) -> None:
    """§6.3, VER-24: own drafts for maintainers, any version for admins."""
    h = harness
    tool = await h.world.tool()
    draft = await h.world.draft(tool)
    for actor, message in [(h.world.user, None), (h.world.other_contributor, None)]:
        with pytest.raises(DomainError) as info:
            await h.app.start_sandbox_run(actor, version_id=draft.id, uploads=[CSV])
        assert info.value.code is ErrorCode.FORBIDDEN, message
    mine = await h.app.start_sandbox_run(h.world.contributor, version_id=draft.id, uploads=[CSV])
    assert (await h.wait_final(mine)).status is RunStatus.SUCCEEDED
    admins = await h.app.start_sandbox_run(h.world.admin, version_id=draft.id, uploads=[CSV])
    final = await h.wait_final(admins)
    assert final.context is RunContext.SANDBOX
    author_view = await h.app.get_run(h.world.contributor, run_id=mine.id)
    assert author_view.run.stdout == "hej"  # sandbox logs are shown to their author


async def test_syntax_error_fails_without_calling_the_runner_RUN_08(harness: Harness) -> None:
    h = harness
    tool = await h.world.tool()
    draft = await h.world.draft(tool, source="def run_tool(a, b)\n    return 'x'\n")
    run = await h.app.start_sandbox_run(h.world.admin, version_id=draft.id, uploads=[CSV])
    assert run.status is RunStatus.FAILED
    assert run.error_summary is not None
    assert run.error_summary.startswith("SyntaxError: expected ':' (line 1, col 19)")
    assert run.error_summary.endswith("\ndef run_tool(a, b)\n                  ^")
    assert h.runner.jobs == []


@pytest.mark.parametrize(
    ("outcome", "status", "code", "details", "summary"),
    [
        (
            RunnerOutcome("", "", None, timed_out=True),
            RunStatus.TIMED_OUT,
            RunFailure.TIMEOUT,
            {"limit_seconds": 60},
            TIMED_OUT,
        ),
        (
            RunnerOutcome("", "", b"{not json"),
            RunStatus.FAILED,
            RunFailure.INVALID_RESULT,
            None,
            CONTRACT_VIOLATION,
        ),
        (
            RunnerOutcome("", "", result(contract_version=9)),
            RunStatus.FAILED,
            RunFailure.INVALID_RESULT,
            None,
            CONTRACT_VIOLATION,
        ),
        (
            RunnerOutcome("", "", result(artifacts=[{"path": "../etc/passwd", "bytes": 1}])),
            RunStatus.FAILED,
            RunFailure.INVALID_RESULT,
            None,
            CONTRACT_VIOLATION,
        ),
        (  # the sandbox vanished without an exit status (a container removed from outside)
            RunnerOutcome("", "", None, exit_code=None),
            RunStatus.FAILED,
            RunFailure.SANDBOX_LOST,
            {},
            "Execution failed (the sandbox was lost).",
        ),
        (  # ended normally but wrote no result: the wrapper's contract is broken
            RunnerOutcome("", "", None, exit_code=0),
            RunStatus.FAILED,
            RunFailure.INVALID_RESULT,
            None,
            CONTRACT_VIOLATION,
        ),
        (  # SIGKILL from outside (128 + 9 from a shell, -9 from a process): the runner did
            # not say it was its OOM killer, so the sandbox was lost
            RunnerOutcome("", "", None, exit_code=137),
            RunStatus.FAILED,
            RunFailure.SANDBOX_LOST,
            {"signal": 9},
            "Execution failed (the sandbox was lost).",
        ),
        (  # the Docker runner saw its memory cgroup's OOM killer
            RunnerOutcome("", "", None, exit_code=-9, failure=FailureReport(RunFailure.MEMORY)),
            RunStatus.FAILED,
            RunFailure.MEMORY,
            {"limit_bytes": 1024**3},
            "Execution failed (the tool was stopped: it used too much memory).",
        ),
        (  # the file-size rlimit
            RunnerOutcome("", "", None, exit_code=-25),
            RunStatus.FAILED,
            RunFailure.DISK,
            {"resource": "file_size", "limit": 64 * 1024**2},
            WORK_AREA_EXCEEDED,
        ),
        (  # RUN-12: the local runner's disk watchdog stopped it; not blamed on memory
            RunnerOutcome(
                "",
                "",
                None,
                exit_code=-9,
                failure=FailureReport(RunFailure.DISK, {"resource": "bytes", "limit": 256}),
            ),
            RunStatus.FAILED,
            RunFailure.DISK,
            {"resource": "bytes", "limit": 256},
            WORK_AREA_EXCEEDED,
        ),
        (  # a runner's own verdict wins over what the exit status suggests
            RunnerOutcome(
                "",
                "",
                None,
                exit_code=-9,
                failure=FailureReport(RunFailure.DISK, {"resource": "files", "limit": 20_000}),
            ),
            RunStatus.FAILED,
            RunFailure.DISK,
            {"resource": "files", "limit": 20_000},
            WORK_AREA_EXCEEDED,
        ),
        (  # result.json over its cap (a 10 MB result): too large, not "invalid"
            RunnerOutcome("", "", None, exit_code=0, failure=result_too_large(10_000_000, 2_000)),
            RunStatus.FAILED,
            RunFailure.OUTPUT_TOO_LARGE,
            {"output": "result", "size": 10_000_000, "limit": 2_000},
            "Execution failed (the tool's output is too large).",
        ),
        (  # the wrapper refused a 300 MB HTML result itself
            RunnerOutcome(
                "",
                "",
                result(
                    status="failed",
                    html="",
                    error_summary="Tool output too large (html).",
                    failure={
                        "code": "output_too_large",
                        "output": "html",
                        "size": 300_000_000,
                        "limit": 2_000_000,
                    },
                ),
            ),
            RunStatus.FAILED,
            RunFailure.OUTPUT_TOO_LARGE,
            {"output": "html", "size": 300_000_000, "limit": 2_000_000},
            "Execution failed (the tool's output is too large).",
        ),
        (
            RunnerOutcome(
                "",
                "Traceback",
                result(
                    status="failed", html="x", error_summary="Tool execution failed (KeyError)."
                ),
            ),
            RunStatus.FAILED,
            RunFailure.TOOL_ERROR,
            {"exception": "KeyError"},
            "Tool execution failed (KeyError).",
        ),
        (
            RunnerOutcome(
                "",
                "",
                result(
                    status="failed", html="", error_summary="Tool execution failed (MemoryError)."
                ),
            ),
            RunStatus.FAILED,
            RunFailure.MEMORY,
            {"limit_bytes": 1024**3},
            "Tool execution failed (MemoryError).",
        ),
        (  # fork refused by the pids limit
            RunnerOutcome(
                "",
                "",
                result(
                    status="failed",
                    html="",
                    error_summary="Tool execution failed (BlockingIOError).",
                ),
            ),
            RunStatus.FAILED,
            RunFailure.PROCESSES,
            {"limit": 256},
            "Tool execution failed (BlockingIOError).",
        ),
        (
            RunnerOutcome(
                "",
                "",
                result(
                    status="failed",
                    html="",
                    user_error=True,
                    error_summary="Filen saknar kolumnen E-post",
                ),
            ),
            RunStatus.FAILED,
            RunFailure.USER_ERROR,
            {},
            "Filen saknar kolumnen E-post",
        ),
    ],
)
async def test_outcomes_become_run_data_RUN_05_RUN_07_RUN_18(
    harness: Harness,
    outcome: RunnerOutcome,
    status: RunStatus,
    code: RunFailure,
    details: dict[str, object] | None,
    summary: str,
) -> None:
    """Issue 9 item 6: every way a run can fail ends with its own stable code and details."""
    h = harness

    async def behave(job: RunJob) -> RunnerOutcome:
        return outcome

    h.runner.behaviour = behave
    tool = await published(h)
    final = await h.wait_final(
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    )
    assert (final.status, final.error_summary, final.failure_code) == (status, summary, code)
    if details is not None:
        assert dict(final.failure_details) == details
    assert final.html_output == ""
    assert final.artifacts == ()


async def test_unsafe_output_is_an_extraction_violation_RUN_23_RUN_24(harness: Harness) -> None:
    h = harness

    async def symlink_out(job: RunJob) -> RunnerOutcome:
        os.symlink("/etc/passwd", job.workspace / "output" / "losen.txt")
        return RunnerOutcome("", "", result())

    h.runner.behaviour = symlink_out
    tool = await published(h)
    final = await h.wait_final(
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    )
    assert (final.status, final.error_summary, final.artifacts) == (
        RunStatus.FAILED,
        EXTRACTION_VIOLATION,
        (),
    )


async def test_outputs_are_capped_at_utf8_boundaries_RUN_19(harness: Harness) -> None:
    h = harness

    async def flood(job: RunJob) -> RunnerOutcome:
        return RunnerOutcome("ååååååååååå", "", result(html="<p>" + "ä" * 100 + "</p>"))

    h.runner.behaviour = flood
    tool = await published(h)
    final = await h.wait_final(
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    )
    assert final.stdout == "ååååå"
    assert final.html_output is not None
    assert len(final.html_output.encode()) <= 20
    assert final.html_output == "<p>" + "ä" * 8


async def test_queue_positions_cancel_and_full_queue(harness: Harness) -> None:
    """DESIGN §5: positions, cancel of queued and running runs, 503 only when full."""
    h = harness
    gate = asyncio.Event()

    async def block(job: RunJob) -> RunnerOutcome:
        await gate.wait()
        return await succeed(job)

    h.runner.behaviour = block
    tool = await published(h)
    runs = [
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
        for _ in range(4)
    ]
    await asyncio.sleep(0.05)
    positions = [(await h.app.get_run(h.world.user, run_id=r.id)).queue_position for r in runs]
    assert positions == [None, 1, 2, 3]
    with pytest.raises(DomainError) as info:
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    assert info.value.code is ErrorCode.SERVICE_UNAVAILABLE
    rejected = [r for r in h.world.store.state.runs.values() if r.id not in {x.id for x in runs}]
    assert [r.status for r in rejected] == [RunStatus.FAILED]  # nothing stays queued

    queued = await h.app.cancel_run(h.world.user, run_id=runs[2].id)
    assert queued.run.status is RunStatus.CANCELLED
    running = await h.app.cancel_run(h.world.user, run_id=runs[0].id)
    assert running.run.status is RunStatus.CANCELLED
    assert h.runner.cancelled == [runs[0].id]
    gate.set()
    finals = [await h.wait_final(r) for r in runs]
    assert [f.status for f in finals] == [
        RunStatus.CANCELLED,
        RunStatus.SUCCEEDED,
        RunStatus.CANCELLED,
        RunStatus.SUCCEEDED,
    ]
    assert [j.run_id for j in h.runner.jobs] == [runs[0].id, runs[1].id, runs[3].id]
    with pytest.raises(DomainError) as again:
        await h.app.cancel_run(h.world.user, run_id=runs[1].id)
    assert again.value.code is ErrorCode.CONFLICT
    assert await h.workspaces_left() == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../etc/passwd", "may not contain /"),
        ("a\x00b.csv", "control characters"),
        ("x" * 300 + ".csv", "longer than 255"),
        ("..", "dots only"),
        ("  ", "empty"),
    ],
)
async def test_hostile_upload_names_are_rejected_RUN_15(
    harness: Harness, name: str, message: str
) -> None:
    h = harness
    tool = await published(h)
    with pytest.raises(DomainError) as info:
        await h.app.start_production_run(
            h.world.user, slug=tool.slug, uploads=[Upload(filename=name, data=b"x")]
        )
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    assert message in info.value.message
    assert h.world.store.state.runs == {}


async def test_input_caps_and_contract_1_needs_one_file(harness: Harness) -> None:
    h = harness
    tool = await published(h)
    cases = [
        [Upload(filename="stor.csv", data=b"x" * 1001)],
        [Upload(filename=f"{i}.csv", data=b"x") for i in range(4)],
        [Upload(filename="a.csv", data=b"x" * 800), Upload(filename="b.csv", data=b"x" * 800)],
        [Upload(filename="a.csv", data=b"x"), Upload(filename="A.CSV", data=b"x")],
        [],
        [Upload(filename="a.csv", data=b"x"), Upload(filename="b.csv", data=b"x")],
    ]
    for uploads in cases:
        with pytest.raises(DomainError) as info:
            await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=uploads)
        assert info.value.code is ErrorCode.VALIDATION_ERROR, uploads
    nameless = await h.app.start_production_run(
        h.world.user, slug=tool.slug, uploads=[Upload(filename=None, data=b"x")]
    )
    assert nameless.input_files[0].name == "input.bin"


async def test_contract_2_inputs_reach_the_job(harness: Harness) -> None:
    h = harness
    tool = await h.world.tool()
    schema = {
        "files": [{"name": "klasslista", "label": "Klasslista", "accept": [".csv"]}],
        "fields": [
            {
                "name": "gruppstorlek",
                "label": "Gruppstorlek",
                "kind": "number",
                "integer": True,
                "default": 4,
                "min": 2,
            }
        ],
    }
    draft = await h.app.create_draft_version(
        h.world.admin,
        tool_id=tool.id,
        input_schema=schema,
        source_code="def run_tool(input_dir, output_dir, inputs):\n    return 'x'\n",
    )
    with pytest.raises(DomainError) as wrong_type:
        await h.app.start_sandbox_run(
            h.world.admin, version_id=draft.id, uploads=[Upload(filename="lista.xlsx", data=b"x")]
        )
    assert wrong_type.value.code is ErrorCode.VALIDATION_ERROR
    with pytest.raises(DomainError) as too_small:
        await h.app.start_sandbox_run(
            h.world.admin, version_id=draft.id, uploads=[CSV], values={"gruppstorlek": "1"}
        )
    assert too_small.value.code is ErrorCode.VALIDATION_ERROR
    run = await h.app.start_sandbox_run(
        h.world.admin, version_id=draft.id, uploads=[CSV], values={"gruppstorlek": "5"}
    )
    await h.wait_final(run)
    job = h.runner.jobs[-1]
    assert job.contract_version == 2
    assert dict(job.inputs) == {"gruppstorlek": 5, "__files__": {"klasslista": ["klasslista.csv"]}}
    assert job.limits.timeout_seconds == 5  # sandbox timeout


async def test_interrupted_runs_fail_at_start_up(harness: Harness) -> None:
    h = harness
    _tool, result_ = await h.world.published_tool()
    queued = await h.world.add_run(result_.new_active, h.world.user)
    running = await h.world.add_run(result_.new_active, h.world.user, status=RunStatus.RUNNING)
    (h.root / "work" / str(queued.id)).mkdir(parents=True)
    assert await h.app.fail_interrupted_runs() == 2
    for run in (queued, running):
        stored = h.world.store.state.runs[run.id]
        assert stored.status is RunStatus.FAILED
        assert stored.error_summary is not None
        assert "startades om" in stored.error_summary
    assert await h.workspaces_left() == []


async def test_prune_artifacts_RUN_28(harness: Harness) -> None:
    h = harness
    tool = await published(h)
    run = await h.wait_final(
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    )
    (h.root / "artifacts" / "not-a-run").mkdir()
    h.world.clock.set(datetime.now(UTC))  # file times are real
    assert await h.app.prune_artifacts(h.world.admin, days=1) == 0
    old = (h.root / "artifacts" / str(run.id)).stat().st_mtime - 3 * 86400
    os.utime(h.root / "artifacts" / str(run.id), (old, old))
    assert await h.app.prune_artifacts(h.world.admin, days=1) == 1
    assert (h.root / "artifacts" / "not-a-run").exists()
    with pytest.raises(DomainError) as info:
        await h.app.prune_artifacts(h.world.admin, days=-1)
    assert info.value.code is ErrorCode.VALIDATION_ERROR
    with pytest.raises(DomainError) as denied:
        await h.app.prune_artifacts(h.world.user, days=1)
    assert denied.value.code is ErrorCode.FORBIDDEN


async def test_observer_hears_runs_with_their_duration_issue4_s8(harness: Harness) -> None:
    """The RunObserver port (/metrics): started and finished runs, with execution time."""
    h = harness

    async def slow(job: RunJob) -> RunnerOutcome:
        await asyncio.sleep(0.05)
        return await succeed(job)

    h.runner.behaviour = slow
    tool = await published(h)
    await h.wait_final(
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    )
    assert h.observer.started == [RunContext.PRODUCTION]
    [(context, status, seconds)] = h.observer.finished
    assert (context, status) == (RunContext.PRODUCTION, RunStatus.SUCCEEDED)
    assert seconds is not None
    assert 0.05 <= seconds < 5

    draft = await h.world.draft(await h.world.tool(), source="def run_tool(a, b)\n")
    await h.app.start_sandbox_run(h.world.admin, version_id=draft.id, uploads=[CSV])
    assert h.observer.started == [RunContext.PRODUCTION]  # a syntax error never runs
    assert h.observer.finished[-1] == (RunContext.SANDBOX, RunStatus.FAILED, None)

    async def crash(job: RunJob) -> RunnerOutcome:
        raise OSError("runner broke")

    h.runner.behaviour = crash
    await h.wait_final(
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    )
    assert h.observer.statuses()[-1] == (RunStatus.FAILED, True)
    assert len(h.observer.started) == 2


async def test_observer_hears_every_final_status_once_with_the_queue(harness: Harness) -> None:
    """Full queue, cancel while waiting and while running: each run is reported exactly once,
    and the queue's stats follow."""
    h = harness
    gate = asyncio.Event()

    async def block(job: RunJob) -> RunnerOutcome:
        await gate.wait()
        return await succeed(job)

    h.runner.behaviour = block
    tool = await published(h)
    assert await h.app.queue_stats() == QueueStats(
        waiting=0, running=0, max_waiting=3, concurrency=1
    )
    runs = [
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
        for _ in range(4)
    ]
    await asyncio.sleep(0.05)
    assert await h.app.queue_stats() == QueueStats(
        waiting=3, running=1, max_waiting=3, concurrency=1
    )
    with pytest.raises(DomainError):
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    assert h.observer.statuses() == [(RunStatus.FAILED, False)]  # refused: never ran
    await h.app.cancel_run(h.world.user, run_id=runs[2].id)
    await h.app.cancel_run(h.world.user, run_id=runs[0].id)
    assert h.observer.statuses()[1:] == [(RunStatus.CANCELLED, False), (RunStatus.CANCELLED, True)]
    gate.set()
    for run in runs:
        await h.wait_final(run)
    await asyncio.sleep(0.05)
    assert sorted(h.observer.statuses()) == sorted(
        [(RunStatus.FAILED, False), (RunStatus.CANCELLED, False), (RunStatus.CANCELLED, True)]
        + [(RunStatus.SUCCEEDED, True)] * 2
    )
    assert h.observer.started == [RunContext.PRODUCTION] * 3
    assert (await h.app.queue_stats()) == QueueStats(
        waiting=0, running=0, max_waiting=3, concurrency=1
    )


async def test_a_run_keeps_its_owner_and_recovery_spares_its_workspace_while_it_lives(
    harness: Harness,
) -> None:
    """Issue 10: the process whose in-memory queue holds a run is stamped on it (queued, running,
    finished); start-up recovery of another process leaves the live run and its workspace
    alone, removes old leftovers and spares a workspace younger than the grace (a process
    prepares it just before committing the row)."""
    h = harness
    owner = "web-2.skolan.se:4711:123456"  # another host: not judged from here
    assert h.app.deps.execution is not None
    h.world.app = Skriptoteket(
        attrs.evolve(
            h.app.deps,
            processes=LocalProcessLiveness(),
            execution=attrs.evolve(h.app.deps.execution, owner=owner),
        )
    )
    release, started = asyncio.Event(), asyncio.Event()

    async def held(job: RunJob) -> RunnerOutcome:
        started.set()
        await release.wait()
        return await succeed(job)

    h.runner.behaviour = held
    tool = await published(h)
    run = await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    assert run.owner == owner
    await asyncio.wait_for(started.wait(), 5)
    stale, fresh = h.root / "work" / str(uuid.uuid4()), h.root / "work" / str(uuid.uuid4())
    stale.mkdir()
    fresh.mkdir()
    long_ago = time.time() - 3600
    os.utime(stale, (long_ago, long_ago))

    assert await h.app.fail_interrupted_runs() == 0
    running = h.world.store.state.runs[run.id]
    assert (running.status, running.owner) == (RunStatus.RUNNING, owner)
    assert (h.root / "work" / str(run.id) / "input" / "klasslista.csv").exists()
    assert not stale.exists()
    assert fresh.exists()

    release.set()
    final = await h.wait_final(run)
    assert final.status is RunStatus.SUCCEEDED
    assert h.world.store.state.runs[run.id].owner == owner


async def test_observer_hears_interrupted_runs_and_never_breaks_a_run(harness: Harness) -> None:
    h = harness
    _tool, result_ = await h.world.published_tool()
    await h.world.add_run(result_.new_active, h.world.user)
    await h.world.add_run(result_.new_active, h.world.user, status=RunStatus.RUNNING)
    assert await h.app.fail_interrupted_runs() == 2
    assert h.observer.finished == [(RunContext.PRODUCTION, RunStatus.FAILED, None)] * 2

    h.observer.fail = True  # a failing observer is logged; the run still ends normally
    tool = await published(h)
    final = await h.wait_final(
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    )
    assert final.status is RunStatus.SUCCEEDED
    assert h.observer.statuses()[-1] == (RunStatus.SUCCEEDED, True)


async def test_readiness_needs_a_runner_that_can_run_issue_9(harness: Harness) -> None:
    """Issue 9 item 6: /ready is not ready while the selected runner cannot run."""
    h = harness
    assert (await h.app.check_readiness()).ready
    h.runner.unavailable = DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        "The Docker engine is not reachable",
        reason="engine_unavailable",
    )
    found = await h.app.check_readiness()
    assert not found.ready
    assert (found.database, found.runner) == ("ok", "unavailable")
    assert "Docker engine" in found.detail


async def test_engine_failure_is_coded_and_hidden_from_teachers_issue_9(harness: Harness) -> None:
    """An infrastructure failure: the run says engine_unavailable; the teacher's view carries
    no engine detail, an admin's does."""
    h = harness

    async def engine_gone(job: RunJob) -> RunnerOutcome:
        raise DomainError(
            ErrorCode.SERVICE_UNAVAILABLE,
            "The Docker engine is not reachable (unix:///var/run/docker.sock)",
            reason="engine_unavailable",
        )

    h.runner.behaviour = engine_gone
    tool = await published(h)
    final = await h.wait_final(
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    )
    assert final.failure_code is RunFailure.ENGINE_UNAVAILABLE
    teacher = (await h.app.get_run(h.world.user, run_id=final.id)).run
    admin = (await h.app.get_run(h.world.admin, run_id=final.id)).run
    assert teacher.error_summary == "Execution failed (the runner is unavailable)."
    assert "docker.sock" in (admin.error_summary or "")


async def test_a_failed_run_lists_no_artifacts_issue_9(harness: Harness) -> None:
    """A run that fails after writing files offers nothing to download (they are not kept)."""
    h = harness

    async def wrote_then_failed(job: RunJob) -> RunnerOutcome:
        (job.workspace / "output").mkdir(exist_ok=True)
        (job.workspace / "output" / "mejl.txt").write_text("a@b.se")
        return RunnerOutcome(
            "", "", None, exit_code=0, failure=result_too_large(17_000_000, 2_000_000)
        )

    h.runner.behaviour = wrote_then_failed
    tool = await published(h)
    final = await h.wait_final(
        await h.app.start_production_run(h.world.user, slug=tool.slug, uploads=[CSV])
    )
    assert final.failure_code is RunFailure.OUTPUT_TOO_LARGE
    assert final.artifacts == ()
