"""``skriptoteket serve`` comes from the web plugin (CLI hook); ``skriptoteket demo`` seeds and
then starts it, printing the accounts and the address first (DESIGN §7)."""

from __future__ import annotations

from typing import Any

import click
import pytest
from click.testing import CliRunner
from skriptoteket.settings import Settings
from skriptoteket_web import cli as web_cli
from skriptoteket_web import plugin
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
    assert params == {"host": "127.0.0.1", "port": 8000}


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
