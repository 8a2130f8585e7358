"""``skriptoteket worker`` (issue 10) refuses clearly when the run queue executes in the
serving process; with a shared queue it runs as the workspace tests show
(tests/procrastinate/test_workers.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import CliResult

Cli = Callable[..., CliResult]


def test_worker_refuses_the_in_process_queue(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SKRIPTOTEKET_DATA_DIR", str(tmp_path))
    result = cli("worker", "--name", "w1")
    assert result.exit_code == 1
    assert "needs a shared queue: set SKRIPTOTEKET_RUN_QUEUE=procrastinate" in result.err
    assert "PostgreSQL" in result.err


def test_worker_help_names_its_options(cli: Cli) -> None:
    result = cli("worker", "--help")
    assert result.exit_code == 0, result.err
    assert "--name NAME" in result.out
    assert "--concurrency" in result.out
    assert "SIGTERM" in result.out
