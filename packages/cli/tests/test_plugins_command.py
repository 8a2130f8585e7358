"""``skriptoteket plugins`` and plugin-contributed commands."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import click
import pluggy
import pytest
from skriptoteket.plugins import hookimpl, make_plugin_manager
from skriptoteket_cli import hookspecs
from skriptoteket_cli.main import main

from .conftest import CliResult

Cli = Callable[..., CliResult]


def test_plugins_lists_backends_and_marks_selected(cli: Cli) -> None:
    result = cli("plugins")
    assert result.exit_code == 0, result.err
    assert "skriptoteket.builtin.plugin" in result.out
    assert " *testmem [testmem]: shared in-memory store for CLI tests" in result.out
    assert "  memory [memory]:" in result.out


class HelloPlugin:
    @hookimpl
    def skriptoteket_register_cli_commands(self) -> Iterable[click.Command]:
        yield click.Command("hello", callback=lambda: click.echo("Hej!"))


def test_plugin_contributes_a_command_skriptoteket_register_cli_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def pm_factory() -> pluggy.PluginManager:
        return make_plugin_manager(
            load_entrypoints=False, extra_specs=[hookspecs], extra_plugins=[HelloPlugin()]
        )

    with pytest.raises(SystemExit) as done:
        main(["hello"], pm_factory=pm_factory)
    assert done.value.code == 0
    assert capsys.readouterr().out == "Hej!\n"


def test_duplicate_command_name_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    class Clash:
        @hookimpl
        def skriptoteket_register_cli_commands(self) -> Iterable[click.Command]:
            yield click.Command("users")

    def pm_factory() -> pluggy.PluginManager:
        return make_plugin_manager(
            load_entrypoints=False, extra_specs=[hookspecs], extra_plugins=[Clash()]
        )

    with pytest.raises(SystemExit) as done:
        main(["--help"], pm_factory=pm_factory)
    assert done.value.code == 1
    assert "Two commands are named 'users'" in capsys.readouterr().err


def test_unknown_backend_lists_what_is_installed(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKRIPTOTEKET_DATABASE_URL", "oracle://db")
    result = cli("users", "list")
    assert result.exit_code == 1
    assert result.err.startswith("Error: No repository backend named 'oracle'")
    assert "installed: memory (memory), testmem (testmem)" in result.err
