"""``skriptoteket serve`` comes from the web plugin (CLI hook); ``skriptoteket demo`` seeds and
then starts it, printing the accounts and the address first (DESIGN §7)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from skriptoteket.builtin.plugin import create_inprocess_queue
from skriptoteket.plugins import RunQueueBackend, make_plugin_manager
from skriptoteket.plugins.markers import hookimpl
from skriptoteket.settings import Settings
from skriptoteket_web import cli as web_cli
from skriptoteket_web import hookspecs, plugin
from starlette.applications import Starlette


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run(app: object, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr("skriptoteket_web.cli.uvicorn.run", fake_run)
    return calls


def _root_with_serve() -> click.Group:
    """A bare CLI root holding only ``serve``, with the settings the real root would give it."""

    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = type("State", (), {"settings": Settings(database_url="memory://")})()

    root.add_command(web_cli.serve)
    return root


def test_the_web_plugin_contributes_serve() -> None:
    commands = list(plugin.skriptoteket_register_cli_commands())
    assert [c.name for c in commands] == ["serve"]
    params = {p.name: p.default for p in commands[0].params}
    assert params == {"host": "127.0.0.1", "port": 8000, "workers": 1}


def test_serve_runs_uvicorn_on_the_app(served: list[dict[str, Any]]) -> None:
    root = _root_with_serve()
    result = CliRunner().invoke(root, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123" in result.output
    (call,) = served
    assert isinstance(call["app"], Starlette)
    assert (call["host"], call["port"]) == ("127.0.0.1", 8123)


def test_demo_seeds_then_serves(served: list[dict[str, Any]]) -> None:
    cli_main = pytest.importorskip("skriptoteket_cli.main")
    pm = cli_main.default_plugin_manager()
    root = cli_main.build_cli(pm, Settings(database_url="memory://"))
    result = CliRunner().invoke(root, ["demo"])
    assert result.exit_code == 0, result.output
    assert "larare@demo.skriptoteket.se" in result.output
    assert result.output.index("larare@demo") < result.output.index("http://127.0.0.1:8000")
    assert len(served) == 1
    assert (served[0]["host"], served[0]["port"]) == ("127.0.0.1", 8000)
    quiet = CliRunner().invoke(root, ["demo", "--no-serve"])
    assert quiet.exit_code == 0, quiet.output
    assert len(served) == 1
    assert "Try:" in quiet.output


def test_serve_freezes_the_start_up_heap(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    options: dict[str, Any] = {}

    def fake_create_app(settings: Settings, **kwargs: Any) -> str:
        options.update(kwargs)
        return "app"

    monkeypatch.setattr("skriptoteket_web.app.create_app", fake_create_app)

    root = _root_with_serve()
    assert CliRunner().invoke(root, ["serve"]).exit_code == 0
    assert options == {"execution": True, "recover_interrupted_runs": True, "freeze_heap": True}


# --- serve --workers N (issue 10) ---

SHARED_QUEUE = "test-shared"
PG_URL = "postgresql://skt:skt@127.0.0.1:5432/skt_demo"


class _SharedQueuePlugin:
    """A run-queue backend that says it is shared (what a database queue would say)."""

    @hookimpl
    def skriptoteket_register_run_queues(self) -> Iterable[RunQueueBackend]:
        yield RunQueueBackend(name=SHARED_QUEUE, create=create_inprocess_queue, shared=True)


@pytest.fixture
def kept_environ() -> Iterator[None]:
    """``serve --workers N`` writes the settings into ``os.environ`` for its children."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _root_with(settings: Settings) -> click.Group:
    pm = make_plugin_manager(
        load_entrypoints=False, extra_specs=[hookspecs], extra_plugins=[_SharedQueuePlugin()]
    )

    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = type("State", (), {"settings": settings, "pm": pm})()

    root.add_command(web_cli.serve)
    return root


@pytest.mark.parametrize(
    ("queue", "database", "says"),
    [
        ("inprocess", PG_URL, "SKRIPTOTEKET_RUN_QUEUE=procrastinate on PostgreSQL"),
        ("inprocess", "memory://", "keeps runs in one process's memory"),
        (SHARED_QUEUE, "sqlite:///x.db", "sqlite has one writer at a time"),
        (SHARED_QUEUE, "memory://", "Use PostgreSQL"),
    ],
)
def test_serve_refuses_several_workers_without_a_shared_queue_and_database(
    served: list[dict[str, Any]], queue: str, database: str, says: str
) -> None:
    root = _root_with(Settings(database_url=database, run_queue=queue))
    result = CliRunner().invoke(root, ["serve", "--workers", "2"])
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert "--workers 1" in result.output
    assert served == []


def test_serve_passes_the_root_settings_to_its_worker_processes(
    served: list[dict[str, Any]], kept_environ: None, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=PG_URL,
        run_queue=SHARED_QUEUE,
        data_dir=tmp_path / "data",
        run_concurrency=3,
        runner_pids_cgroup=False,
        log_level="DEBUG",
    )
    stale = tmp_path / "data" / "metrics" / "999999999"
    stale.mkdir(parents=True)
    (stale / "counter_1.db").write_bytes(b"old")
    result = CliRunner().invoke(_root_with(settings), ["serve", "--workers", "2", "--port", "8124"])
    assert result.exit_code == 0, result.output
    assert "2 processes" in result.output
    (call,) = served
    assert call["app"] == "skriptoteket_web.cli:worker_app"
    assert (call["factory"], call["workers"], call["port"]) == (True, 2, 8124)
    assert Settings.from_env(os.environ) == settings  # what every child builds
    shared = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert shared.parent == tmp_path / "data" / "metrics"
    assert shared.is_dir()
    assert list(shared.iterdir()) == []
    assert not stale.exists()  # a gone serve's files do not add to this one's counters


def test_settings_survive_the_environment_round_trip(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=PG_URL,
        runner="docker",
        runner_cpu_limit=0.5,
        runner_pids_cgroup=False,
        database_echo=True,
        sandbox_input_retention_hours=1.5,
        s3_bucket="",
    )
    env = settings.to_env()
    assert all(k.startswith("SKRIPTOTEKET_") for k in env)
    assert Settings.from_env(env) == settings
    assert Settings.from_env(Settings().to_env()) == Settings()
