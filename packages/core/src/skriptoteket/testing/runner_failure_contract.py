"""Runner contract, part two: every way a sandbox can fail reaches the app as the same failure
code on every runner (issue 9 item 6, docs/failure-codes.md). Each test runs a hostile or broken
tool through the backend and judges the outcome exactly as the executor does
(``run_verdicts.judge``). ``RunnerContract`` includes these tests; the fixtures (``runner``,
``make_job``) are its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skriptoteket.application.run_verdicts import Verdict, judge
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.domain.runs import RunStatus
from skriptoteket.ports.execution import Runner

if TYPE_CHECKING:
    from skriptoteket.testing.runner_contract import JobFactory


async def verdict_of(runner: Runner, make_job: JobFactory, source: str, **limits: Any) -> Verdict:
    job = make_job(source, **limits)
    return judge(await runner.run(job), job.limits)


class RunnerFailureContract:
    async def test_html_over_the_result_cap_is_output_too_large(
        self, runner: Runner, make_job: JobFactory
    ) -> None:
        """A 3 MB HTML result with a 1 MB result cap (the issue's 300 MB HTML, smaller): the
        fixed wrapper refuses it; not "memory", not "invalid answer"."""
        verdict = await verdict_of(
            runner,
            make_job,
            "def run_tool(i, o):\n    return '<p>' + 'å' * 3_000_000 + '</p>'\n",
            max_result_bytes=1_000_000,
        )
        assert verdict.status is RunStatus.FAILED
        assert verdict.failure is not None
        assert verdict.failure.code is RunFailure.OUTPUT_TOO_LARGE
        assert verdict.failure.details["output"] == "html"
        assert verdict.failure.details["limit"] == 1_000_000
        assert int(verdict.failure.details["size"]) > 1_000_000

    async def test_result_over_its_cap_is_output_too_large(
        self, runner: Runner, make_job: JobFactory
    ) -> None:
        """A result.json over the cap although the HTML alone fits (thousands of artifacts
        listed in it): output_too_large of the result."""
        verdict = await verdict_of(
            runner,
            make_job,
            "import os\n"
            "def run_tool(i, o):\n"
            "    for n in range(2000):\n"
            "        open(os.path.join(o, f'fil-{n:05}.txt'), 'w').close()\n"
            "    return '<p>' + 'x' * 10_000 + '</p>'\n",
            max_result_bytes=50_000,
        )
        assert verdict.failure is not None
        assert verdict.failure.code is RunFailure.OUTPUT_TOO_LARGE
        assert verdict.failure.details["output"] == "result"

    async def test_memory_error_is_memory(self, runner: Runner, make_job: JobFactory) -> None:
        verdict = await verdict_of(
            runner,
            make_job,
            "def run_tool(i, o):\n"
            "    hog = []\n"
            "    while True:\n"
            "        hog.append(bytearray(50 * 1024 * 1024))\n",
            memory_bytes=256 * 1024 * 1024,
            timeout_seconds=10.0,
        )
        assert verdict.failure is not None
        assert verdict.failure.code is RunFailure.MEMORY
        assert verdict.failure.details["limit_bytes"] == 256 * 1024 * 1024

    async def test_exception_is_tool_error_with_its_name(
        self, runner: Runner, make_job: JobFactory
    ) -> None:
        verdict = await verdict_of(runner, make_job, "def run_tool(i, o):\n    return {}['x']\n")
        assert verdict.failure is not None
        assert verdict.failure.code is RunFailure.TOOL_ERROR
        assert verdict.failure.details == {"exception": "KeyError"}

    async def test_user_error_is_user_error(self, runner: Runner, make_job: JobFactory) -> None:
        verdict = await verdict_of(
            runner,
            make_job,
            "from skriptoteket_tool import ToolUserError\n"
            "def run_tool(i, o):\n"
            "    raise ToolUserError('Filen saknar kolumnen E-post')\n",
        )
        assert verdict.failure is not None
        assert verdict.failure.code is RunFailure.USER_ERROR
        assert verdict.error_summary == "Filen saknar kolumnen E-post"

    async def test_timeout_is_timeout(self, runner: Runner, make_job: JobFactory) -> None:
        verdict = await verdict_of(
            runner,
            make_job,
            "def run_tool(i, o):\n    while True:\n        pass\n",
            timeout_seconds=1.0,
        )
        assert verdict.status is RunStatus.TIMED_OUT
        assert verdict.failure is not None
        assert verdict.failure.code is RunFailure.TIMEOUT
        assert verdict.failure.details == {"limit_seconds": 1}

    async def test_os_exit_before_the_result_is_a_tool_error(
        self, runner: Runner, make_job: JobFactory
    ) -> None:
        """A tool that ends the process itself (os._exit) leaves no result: its exit status
        is reported, not "invalid answer" and not "memory"."""
        verdict = await verdict_of(
            runner, make_job, "import os\ndef run_tool(i, o):\n    os._exit(7)\n"
        )
        assert verdict.failure is not None
        assert verdict.failure.code is RunFailure.TOOL_ERROR
        assert verdict.failure.details == {"exit_code": 7}
