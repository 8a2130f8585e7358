"""The runner contract suite every ``Runner`` backend runs (DESIGN §5, §8; SPEC §7 RUN-*).

Subclass ``RunnerContract`` in a test module and provide a ``runner`` fixture::

    class TestLocalRunner(RunnerContract):
        @pytest.fixture
        async def runner(self, tmp_path): ...

Optionally override the ``runner_expectations`` fixture (what the backend isolates; tests of an
isolation the backend does not claim are skipped with a reason), ``leftovers`` (processes,
containers or directories a finished run left behind; checked after every test) and
``kill_sandbox`` (kill a running sandbox from outside, as an OOM killer or an operator would).
The tests assert on outcomes only: ``result.json``, stdout/stderr and ``workspace/output``.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from skriptoteket.application.run_verdicts import judge
from skriptoteket.builtin import file_trees
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.domain.runs import InputValue, RunContext
from skriptoteket.ports.execution import RunJob, RunLimits, Runner, RunnerOutcome
from skriptoteket.testing.runner_failure_contract import RunnerFailureContract

# What a tool may write past its work area before it is stopped (README "Running tools safely"):
# the local watchdog's interval at page-cache speed; docker's tmpfs allows none.
WORK_AREA_OVERSHOOT = 128 * 1024 * 1024
TEST_LIMITS = RunLimits(timeout_seconds=20.0, memory_bytes=512 * 1024 * 1024, max_processes=64)


@attrs.frozen
class RunnerExpectations:
    """What the backend under test claims to enforce."""

    network_isolated: bool = True  # no connection, not even to the host's loopback
    files_isolated: bool = True  # the host's files outside the run are invisible
    processes_bounded: bool = True  # a fork bomb hits a process limit
    processes_contained: bool = True  # a process that leaves the process group dies too


class JobFactory:
    """Builds ``RunJob``s, each with its own workspace holding ``input/``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.made: list[RunJob] = []

    def __call__(
        self,
        source: str,
        *,
        files: Mapping[str, bytes] | None = None,
        contract: int = 1,
        inputs: Mapping[str, InputValue | list[str]] | None = None,
        entrypoint: str = "run_tool",
        **limits: Any,
    ) -> RunJob:
        files = {"indata.txt": b"hej"} if files is None else files
        workspace = self.root / f"workspace-{len(self.made)}"
        (workspace / "input").mkdir(parents=True)
        for name, data in files.items():
            (workspace / "input" / name).write_bytes(data)
        job = RunJob(
            run_id=uuid.uuid4(),
            tool_id=uuid.uuid4(),
            version_id=uuid.uuid4(),
            context=RunContext.SANDBOX,
            source_code=source,
            entrypoint=entrypoint,
            contract_version=contract,
            workspace=workspace,
            input_names=tuple(files),
            inputs=dict(inputs or {}),
            limits=attrs.evolve(TEST_LIMITS, **limits),
        )
        self.made.append(job)
        return job


def result(outcome: RunnerOutcome) -> dict[str, Any]:
    assert outcome.result_json is not None, f"no result.json; stderr: {outcome.stderr[-2000:]}"
    data: dict[str, Any] = json.loads(outcome.result_json.decode("utf-8"))
    return data


def output_files(job: RunJob) -> dict[str, bytes]:
    """Regular files in workspace/output (never following links), by relative path."""
    found: dict[str, bytes] = {}
    root = job.workspace / "output"
    if not root.is_dir():
        return found
    for entry in file_trees.walk(root):
        if stat.S_ISREG(entry.mode):
            found[entry.path] = (root / entry.path).read_bytes()
    return found


async def wait_for(path: Path, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):  # noqa: ASYNC240 - a file another process makes
        assert time.monotonic() < deadline, f"{path} never appeared"
        await asyncio.sleep(0.02)


TRIVIAL = "def run_tool(input_path, output_dir):\n    return '<p>ok</p>'\n"
STARTED_THEN_SLEEP = """\
import os, time
def run_tool(input_path, output_dir):
    open(os.path.join(output_dir, "started"), "w").close()
    time.sleep(60)
    return "never"
"""


class RunnerContract(RunnerFailureContract):
    """All runner contract tests; see the module docstring."""

    @pytest.fixture
    def runner_expectations(self) -> RunnerExpectations:
        return RunnerExpectations()

    async def leftovers(self, runner: Runner, job: RunJob) -> list[str]:
        """What ``job`` left behind after ``run`` returned or was cancelled (override)."""
        return []

    async def kill_sandbox(self, runner: Runner, job: RunJob) -> bool:
        """Kill ``job``'s running sandbox from outside; False when the backend cannot."""
        return False

    @pytest.fixture
    async def make_job(self, runner: Runner, tmp_path: Path) -> AsyncIterator[JobFactory]:
        factory = JobFactory(tmp_path / "jobs")
        try:
            yield factory
            for job in factory.made:
                left = await self.leftovers(runner, job)
                assert left == [], f"run {job.run_id} left {left}"
        finally:  # hostile tests leave trees pytest's own (recursive) clean-up cannot remove
            file_trees.remove_tree(factory.root)

    async def assert_still_works(self, runner: Runner, make_job: JobFactory) -> None:
        outcome = await runner.run(make_job(TRIVIAL))
        assert result(outcome)["html_output"] == "<p>ok</p>"

    # -- the tool contract (RUN-01–RUN-06) ----------------------------------------------------

    async def test_contract_1_success(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-01, RUN-03, RUN-04, RUN-06: html, artifacts in workspace/output, stdout."""
        job = make_job(
            "import os\n"
            "def run_tool(input_path, output_dir):\n"
            "    data = open(input_path, 'rb').read()\n"
            "    os.makedirs(os.path.join(output_dir, 'sub'))\n"
            "    open(os.path.join(output_dir, 'sub', 'copy.bin'), 'wb').write(data)\n"
            "    open(os.path.join(output_dir, 'report.txt'), 'w').write('rapport')\n"
            "    print('hello from the tool')\n"
            "    return '<p>' + os.path.basename(input_path) + '</p>'\n",
            files={"elever.csv": b"namn;klass\n"},
        )
        outcome = await runner.run(job)
        data = result(outcome)
        assert data["status"] == "succeeded"
        assert data["html_output"] == "<p>elever.csv</p>"
        assert data["error_summary"] is None
        assert data["artifacts"] == [
            {"path": "output/report.txt", "bytes": 7},
            {"path": "output/sub/copy.bin", "bytes": 11},
        ]
        assert output_files(job) == {"report.txt": b"rapport", "sub/copy.bin": b"namn;klass\n"}
        assert "hello from the tool" in outcome.stdout
        assert not outcome.timed_out
        assert outcome.failure is None
        assert "Skipped output entry" not in outcome.stderr  # issue 9 item 5: no noise

    async def test_a_relative_workspace_path(
        self, runner: Runner, make_job: JobFactory, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The embedded default's data directory is relative (``.skriptoteket``): a workspace
        given relative to the app's working directory must work like an absolute one."""
        job = make_job(
            "import os\n"
            "def run_tool(input_path, output_dir):\n"
            "    data = open(input_path, 'rb').read()\n"
            "    open(os.path.join(output_dir, 'kopia.txt'), 'wb').write(data)\n"
            "    return '<p>ok</p>'\n",
        )
        monkeypatch.chdir(job.workspace.parent)
        relative = attrs.evolve(job, workspace=Path(job.workspace.name))
        data = result(await runner.run(relative))
        assert data["status"] == "succeeded", data
        assert output_files(job) == {"kopia.txt": b"hej"}

    async def test_contract_2_success(self, runner: Runner, make_job: JobFactory) -> None:
        """DESIGN §4 contract 2: input dir, output dir and field values, files as paths."""
        job = make_job(
            "import json, os\n"
            "def run_tool(input_dir, output_dir, inputs):\n"
            "    names = [os.path.relpath(p, input_dir) for p in inputs['filer']]\n"
            "    texts = [open(p, encoding='utf-8').read() for p in inputs['filer']]\n"
            "    open(os.path.join(output_dir, 'svar.json'), 'w').write(json.dumps(texts))\n"
            "    print('inputs', sorted(inputs))\n"
            "    return f\"<p>{inputs['rubrik']} {inputs['antal'] + 1} {names}</p>\"\n",
            files={"a.txt": b"A", "b.txt": b"B"},
            contract=2,
            inputs={"rubrik": "Klass 7B", "antal": 41, "filer": ["a.txt", "b.txt"]},
        )
        outcome = await runner.run(job)
        data = result(outcome)
        assert data["status"] == "succeeded", outcome.stderr
        assert data["html_output"] == "<p>Klass 7B 42 ['a.txt', 'b.txt']</p>"
        assert output_files(job) == {"svar.json": b'["A", "B"]'}
        assert "inputs ['antal', 'filer', 'rubrik']" in outcome.stdout

    async def test_tool_user_error(self, runner: Runner, make_job: JobFactory) -> None:
        """DESIGN §4: ToolUserError is a failed run whose message the user sees."""
        job = make_job(
            "from skriptoteket_tool import ToolUserError\n"
            "def run_tool(input_path, output_dir):\n"
            "    raise ToolUserError('Filen saknar kolumnen E-post')\n"
        )
        data = result(await runner.run(job))
        assert data["status"] == "failed"
        assert data["user_error"] is True
        assert data["error_summary"] == "Filen saknar kolumnen E-post"
        assert data["html_output"] == ""

    async def test_exception_is_a_safe_summary(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-05: a safe summary; the traceback goes to stderr."""
        job = make_job("def run_tool(input_path, output_dir):\n    return {}['saknas']\n")
        outcome = await runner.run(job)
        data = result(outcome)
        assert data["status"] == "failed"
        assert data["error_summary"] == "Tool execution failed (KeyError)."
        assert data["user_error"] is False
        assert "Traceback" in outcome.stderr
        assert "saknas" in outcome.stderr

    async def test_missing_entrypoint(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-03: a missing entrypoint fails the run."""
        job = make_job(TRIVIAL, entrypoint="main")
        outcome = await runner.run(job)
        data = result(outcome)
        assert data["status"] == "failed"
        assert data["error_summary"] == "Tool execution failed (AttributeError)."
        assert "Entrypoint not found: main" in outcome.stderr

    async def test_non_str_return(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-03: a non-str return is a TypeError."""
        outcome = await runner.run(make_job("def run_tool(i, o):\n    return 42\n"))
        assert result(outcome)["error_summary"] == "Tool execution failed (TypeError)."

    async def test_system_exit(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-05: SystemExit is data too; the wrapper still writes result.json."""
        job = make_job("import sys\ndef run_tool(i, o):\n    sys.exit(3)\n")
        data = result(await runner.run(job))
        assert data["status"] == "failed"
        assert data["error_summary"] == "Tool execution failed (SystemExit)."

    async def test_swedish_text_round_trip(self, runner: Runner, make_job: JobFactory) -> None:
        """UTF-8 everywhere: åäö in the input, the html, stdout, an artifact and its name."""
        job = make_job(
            "import os\n"
            "def run_tool(input_path, output_dir):\n"
            "    text = open(input_path, encoding='utf-8').read()\n"
            "    with open(os.path.join(output_dir, 'översikt.txt'), 'w', encoding='utf-8') as f:\n"
            "        f.write(text.upper())\n"
            "    print('Hälsningar, Åsa')\n"
            "    return '<h1>Räksmörgås: ' + text + '</h1>'\n",
            files={"åäö.txt": "blåbärssylt".encode()},
        )
        outcome = await runner.run(job)
        data = result(outcome)
        assert data["html_output"] == "<h1>Räksmörgås: blåbärssylt</h1>"
        assert output_files(job) == {"översikt.txt": "BLÅBÄRSSYLT".encode()}
        assert "Hälsningar, Åsa" in outcome.stdout
        assert data["artifacts"][0]["path"] == "output/översikt.txt"

    # -- hostile tools (DESIGN §5, §8) ----------------------------------------------------------

    async def test_infinite_loop_times_out(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-18: the wall clock kills the run within 10 % of the limit."""
        job = make_job("def run_tool(i, o):\n    while True:\n        pass\n", timeout_seconds=2.0)
        started = time.monotonic()
        outcome = await runner.run(job)
        elapsed = time.monotonic() - started
        assert outcome.timed_out
        assert outcome.result_json is None
        assert 2.0 <= elapsed <= 2.2, elapsed

    async def test_sleeping_children_time_out_too(
        self, runner: Runner, make_job: JobFactory, runner_expectations: RunnerExpectations
    ) -> None:
        """RUN-18: the whole process tree goes, not only the wrapper."""
        if not runner_expectations.processes_contained:
            pytest.skip("this backend cannot find processes that leave the process group")
        job = make_job(
            "import os, subprocess, sys, time\n"
            "def run_tool(i, o):\n"
            "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
            "    if os.fork() == 0:\n"
            "        os.setsid()\n"
            "        time.sleep(60)\n"
            "    time.sleep(60)\n",
            timeout_seconds=2.0,
        )
        outcome = await runner.run(job)
        assert outcome.timed_out

    async def test_memory_bomb(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-12: memory is bounded; the run fails or is killed, the runner keeps working."""
        job = make_job(
            "def run_tool(i, o):\n"
            "    hog = []\n"
            "    while True:\n"
            "        hog.append(bytearray(50 * 1024 * 1024))\n",
            memory_bytes=256 * 1024 * 1024,
            timeout_seconds=10.0,
        )
        outcome = await runner.run(job)
        assert not outcome.timed_out
        if outcome.result_json is not None:
            assert result(outcome)["status"] == "failed"
        await self.assert_still_works(runner, make_job)

    async def test_fork_bomb(
        self, runner: Runner, make_job: JobFactory, runner_expectations: RunnerExpectations
    ) -> None:
        """RUN-12: a fork bomb hits the process limit and ends with the run."""
        if not runner_expectations.processes_bounded:
            pytest.skip("this backend does not bound the number of processes")
        job = make_job(
            "import os\n"
            "def run_tool(i, o):\n"
            "    while True:\n"
            "        try:\n"
            "            os.fork()\n"
            "        except OSError:\n"
            "            pass\n",
            max_processes=32,
            timeout_seconds=3.0,
        )
        started = time.monotonic()
        outcome = await runner.run(job)
        assert outcome.timed_out
        assert time.monotonic() - started < 6.0
        await self.assert_still_works(runner, make_job)

    async def test_disk_fill(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-12/RUN-14: file size and work area are bounded; the host is not filled."""
        job = make_job(
            "import os\n"
            "def run_tool(i, o):\n"
            "    chunk = b'x' * (1024 * 1024)\n"
            "    for place in (os.environ.get('TMPDIR', '/tmp'), o):\n"
            "        n = 0\n"
            "        try:\n"
            "            while True:\n"
            "                with open(os.path.join(place, f'fill{n}'), 'wb') as f:\n"
            "                    for _ in range(4):\n"
            "                        f.write(chunk)\n"
            "                n += 1\n"
            "        except OSError as e:\n"
            "            print(place, n, e)\n"
            "    return 'filled'\n",
            max_file_bytes=8 * 1024 * 1024,
            work_area_bytes=64 * 1024 * 1024,
            timeout_seconds=15.0,
        )
        outcome = await runner.run(job)
        written = sum(len(data) for data in output_files(job).values())
        # bounded: the work area plus what a tool writes to the page cache between two checks of
        # a watchdog (local runner: ≤ 26 MB measured on a loaded 2-core machine; 50 ms polling
        # through the event loop allowed 280 MB and failed here)
        assert written <= 64 * 1024 * 1024 + 128 * 1024 * 1024, written
        assert all(len(data) <= 8 * 1024 * 1024 for data in output_files(job).values())
        assert not outcome.timed_out
        await self.assert_still_works(runner, make_job)

    async def test_deep_tree_then_disk_fill(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-12/RUN-14 (issue 9 item 1): a 1,200-level tree, then 400 MB: the run fails for
        its work area (bytes), the disk holds at most the work area plus the documented
        overshoot, and the runner survives and leaves nothing behind."""
        job = make_job(
            "import os\n"
            "def run_tool(i, o):\n"
            "    os.chdir(o)\n"
            "    for _ in range(1200):\n"
            "        os.mkdir('d')\n"
            "        os.chdir('d')\n"
            "    os.chdir(o)\n"
            "    chunk = b'x' * (1024 * 1024)\n"
            "    for n in range(50):\n"
            "        with open(f'fill{n}', 'wb') as f:\n"
            "            for _ in range(8):\n"
            "                f.write(chunk)\n"
            "    return 'filled'\n",
            max_file_bytes=16 * 1024 * 1024,
            timeout_seconds=20.0,
        )
        outcome = await runner.run(job)
        assert not outcome.timed_out
        assert outcome.failure is not None, outcome.stderr[-2000:]
        assert outcome.failure.code is RunFailure.DISK, outcome.failure
        assert outcome.failure.details["resource"] == "bytes"
        assert outcome.failure.details["limit"] == job.limits.work_area_bytes
        written = file_trees.measure(job.workspace / "output").allocated
        assert written <= job.limits.work_area_bytes + WORK_AREA_OVERSHOOT, written
        assert file_trees.remove_tree(job.workspace) == []  # the app's clean-up copes too
        await self.assert_still_works(runner, make_job)

    async def test_inode_flood(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-12/RUN-14: 200,000 empty files hit the work area's entry cap."""
        job = make_job(
            "import os\n"
            "def run_tool(i, o):\n"
            "    for n in range(200_000):\n"
            "        open(os.path.join(o, f'f{n}'), 'w').close()\n"
            "    return 'many'\n",
            timeout_seconds=30.0,
        )
        outcome = await runner.run(job)
        assert not outcome.timed_out
        assert outcome.failure is not None, outcome.stderr[-2000:]
        assert outcome.failure.code is RunFailure.DISK, outcome.failure
        assert outcome.failure.details == {"resource": "files", "limit": 20_000}
        await self.assert_still_works(runner, make_job)

    @pytest.mark.parametrize(
        ("making", "path", "kind"),
        [
            ("os.symlink('/etc/passwd', os.path.join(o, 'link'))", "output/link", "symlink"),
            ("os.mkfifo(os.path.join(o, 'pipe'))", "output/pipe", "fifo"),
            ("open(os.path.join(o, 'a\\\\b'), 'w').write('x')", "output/a\\b", "unsafe_name"),
        ],
        ids=["symlink", "fifo", "unsafe_name"],
    )
    async def test_output_violations_fail_the_run(
        self, runner: Runner, make_job: JobFactory, making: str, path: str, kind: str
    ) -> None:
        """RUN-22–RUN-24 (issue 9 item 5): every runner fails the run the same way for a
        symlink, a FIFO or an unsafe name in the output, however well the tool ended."""
        job = make_job(
            "import os\n"
            "def run_tool(i, o):\n"
            "    open(os.path.join(o, 'ok.txt'), 'w').write('ok')\n"
            f"    {making}\n"
            "    return 'made'\n"
        )
        outcome = await runner.run(job)
        assert outcome.failure is not None, outcome.stderr[-2000:]
        assert outcome.failure.code is RunFailure.OUTPUT_NOT_ALLOWED
        assert dict(outcome.failure.details) == {"path": path, "kind": kind}

    async def test_stdout_flood(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-19: stdout and stderr are capped, the run still ends with a result."""
        job = make_job(
            "import sys\n"
            "def run_tool(i, o):\n"
            "    for _ in range(30):\n"
            "        sys.stdout.write('å' * 500_000)\n"
            "        sys.stderr.write('e' * 500_000)\n"
            "    return 'done'\n",
            max_stdout_bytes=100_000,
            max_stderr_bytes=50_000,
        )
        outcome = await runner.run(job)
        assert result(outcome)["html_output"] == "done"
        assert 0 < len(outcome.stdout.encode()) <= 100_000
        assert set(outcome.stdout) == {"å"}
        assert 0 < len(outcome.stderr.encode()) <= 50_000

    async def test_html_flood(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-19: capping HTML is the app's job; the runner survives and caps result.json."""
        job = make_job(
            "def run_tool(i, o):\n    return '<p>' + 'x' * 5_000_000 + '</p>'\n",
            max_result_bytes=1_000_000,
        )
        outcome = await runner.run(job)
        assert outcome.result_json is None or len(outcome.result_json) <= 1_000_000
        await self.assert_still_works(runner, make_job)

    async def test_artifact_flood(self, runner: Runner, make_job: JobFactory) -> None:
        """Many files: the runner survives; the app enforces the artifact caps."""
        job = make_job(
            "import os\n"
            "def run_tool(i, o):\n"
            "    for n in range(3000):\n"
            "        open(os.path.join(o, f'f{n:05}.txt'), 'w').write(str(n))\n"
            "    return 'many'\n"
        )
        outcome = await runner.run(job)
        assert result(outcome)["status"] == "succeeded"
        assert len(output_files(job)) == 3000
        await self.assert_still_works(runner, make_job)

    async def test_no_network_not_even_loopback(
        self, runner: Runner, make_job: JobFactory, runner_expectations: RunnerExpectations
    ) -> None:
        """RUN-12: network_mode none; a server on the host's loopback is unreachable."""
        if not runner_expectations.network_isolated:
            pytest.skip("this backend does not isolate the network")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", 0))
            server.listen(8)
            port = server.getsockname()[1]
            job = make_job(
                "import socket\n"
                "def run_tool(i, o):\n"
                "    try:\n"
                f"        socket.create_connection(('127.0.0.1', {port}), timeout=3).close()\n"
                "        return 'connected'\n"
                "    except OSError as e:\n"
                "        return 'blocked: ' + type(e).__name__\n"
            )
            data = result(await runner.run(job))
        assert data["html_output"].startswith("blocked"), data

    async def test_app_environment_is_invisible(
        self, runner: Runner, make_job: JobFactory, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """DESIGN §5: a script can never read the app's environment or secrets."""
        monkeypatch.setenv("SKRIPTOTEKET_SECRET", "hemligt-lösenord")
        monkeypatch.setenv("DATABASE_PASSWORD", "hemligt-lösenord")
        job = make_job(
            "import json, os\ndef run_tool(i, o):\n    return json.dumps(dict(os.environ))\n"
        )
        env = json.loads(result(await runner.run(job))["html_output"])
        assert "SKRIPTOTEKET_SECRET" not in env
        assert "DATABASE_PASSWORD" not in env
        assert "hemligt-lösenord" not in json.dumps(env, ensure_ascii=False)

    async def test_app_files_are_unreadable(
        self,
        runner: Runner,
        make_job: JobFactory,
        runner_expectations: RunnerExpectations,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> None:
        """DESIGN §5: a script can never read the app's database or other runs' files."""
        if not runner_expectations.files_isolated:
            pytest.skip("this backend does not isolate the file system")
        database = tmp_path_factory.mktemp("appdata") / "skriptoteket.db"
        database.write_text("HEMLIG-DATABAS")
        other = make_job(TRIVIAL, files={"annan.txt": b"ANNAN-KORNING"})
        job = make_job(
            "def run_tool(i, o):\n"
            "    found = []\n"
            f"    for path in ({str(database)!r}, {str(other.workspace / 'input/annan.txt')!r}):\n"
            "        try:\n"
            "            found.append(open(path).read())\n"
            "        except OSError as e:\n"
            "            found.append(type(e).__name__)\n"
            "    return repr(found)\n"
        )
        html = result(await runner.run(job))["html_output"]
        assert "HEMLIG-DATABAS" not in html
        assert "ANNAN-KORNING" not in html

    async def test_writes_outside_output_stay_inside(
        self,
        runner: Runner,
        make_job: JobFactory,
        runner_expectations: RunnerExpectations,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> None:
        """RUN-22: nothing a script writes lands on the host outside workspace/output."""
        if not runner_expectations.files_isolated:
            pytest.skip("this backend does not isolate the file system")
        elsewhere = tmp_path_factory.mktemp("elsewhere")
        job = make_job("")
        targets = [
            elsewhere / "escape.txt",
            job.workspace / "escape.txt",
            job.workspace / "input" / "escape.txt",
        ]
        job = attrs.evolve(
            job,
            source_code=(
                "import os\n"
                "def run_tool(i, o):\n"
                f"    for path in {[str(t) for t in targets]!r} + [os.path.join(o, '..', 'x')]:\n"
                "        try:\n"
                "            open(path, 'w').write('escaped')\n"
                "        except OSError:\n"
                "            pass\n"
                "    return 'tried'\n"
            ),
        )
        assert result(await runner.run(job))["html_output"] == "tried"
        for target in [*targets, job.workspace / "x"]:
            assert not target.exists(), target

    async def test_symlink_artifacts_do_not_leak(
        self,
        runner: Runner,
        make_job: JobFactory,
        runner_expectations: RunnerExpectations,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> None:
        """RUN-23: a link to a host file is never readable content in workspace/output."""
        secret = tmp_path_factory.mktemp("hostfiles") / "secret.txt"
        secret.write_text("HEMLIGT-INNEHALL")
        links = [str(secret), "/etc/hostname", "/etc/passwd", "/proc/self/environ"]
        job = make_job(
            "import os\n"
            "def run_tool(i, o):\n"
            f"    for n, target in enumerate({links!r}):\n"
            "        os.symlink(target, os.path.join(o, f'link{n}.txt'))\n"
            "    os.symlink('/', os.path.join(o, 'root'))\n"
            "    try:\n"
            f"        os.link({str(secret)!r}, os.path.join(o, 'hard.txt'))\n"
            "    except OSError:\n"
            "        pass\n"
            "    return 'linked'\n"
        )
        data = result(await runner.run(job))
        assert data["html_output"] == "linked"
        assert all(not a["path"].startswith("output/link") for a in data["artifacts"])
        files = output_files(job)
        assert not any(name.startswith(("link", "root")) for name in files)
        if runner_expectations.files_isolated:
            assert all(b"HEMLIGT-INNEHALL" not in content for content in files.values())
        for entry in (job.workspace / "output").iterdir():
            assert entry.is_symlink() or entry.name == "hard.txt", entry

    async def test_sandbox_killed_from_outside(self, runner: Runner, make_job: JobFactory) -> None:
        """RUN-36: a crashed sandbox ends the run without a result and leaves nothing."""
        job = make_job(STARTED_THEN_SLEEP)
        task = asyncio.create_task(runner.run(job))
        try:
            await wait_for(job.workspace / "output" / "started")
            if not await self.kill_sandbox(runner, job):
                pytest.skip("this backend cannot kill its sandbox from outside")
            outcome = await asyncio.wait_for(task, 10)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        assert outcome.result_json is None
        assert not outcome.timed_out
        failure = judge(outcome, job.limits).failure  # issue 9: not "invalid answer"
        assert failure is not None
        assert failure.code is RunFailure.SANDBOX_LOST
        await self.assert_still_works(runner, make_job)

    async def test_cancelling_the_caller_stops_the_sandbox(
        self, runner: Runner, make_job: JobFactory
    ) -> None:
        """Runner port: cancelling the awaiting task stops the sandbox and cleans it up."""
        job = make_job(STARTED_THEN_SLEEP)
        task = asyncio.create_task(runner.run(job))
        await wait_for(job.workspace / "output" / "started")
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < 5.0
        assert await self.leftovers(runner, job) == []
        await self.assert_still_works(runner, make_job)
