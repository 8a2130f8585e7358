"""The ``skriptoteket`` command: a click group whose commands come from this package and from
plugins (``skriptoteket_register_cli_commands``). Configuration is ``SKRIPTOTEKET_*``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click
import pluggy
from skriptoteket.observability.log_setup import configure_logging
from skriptoteket.plugins.facade import Plugins
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.settings import Settings

from skriptoteket_cli import hookspecs
from skriptoteket_cli.commands.artifacts import artifacts
from skriptoteket_cli.commands.audit import audit
from skriptoteket_cli.commands.db import db
from skriptoteket_cli.commands.demo import demo
from skriptoteket_cli.commands.plugins import plugins_command
from skriptoteket_cli.commands.run import run_command
from skriptoteket_cli.commands.tools import tools
from skriptoteket_cli.commands.users import bootstrap_superuser, users
from skriptoteket_cli.commands.worker import worker
from skriptoteket_cli.errors import run_guarded
from skriptoteket_cli.state import CliState

BUILTIN_COMMANDS: tuple[click.Command, ...] = (
    db,
    bootstrap_superuser,
    users,
    plugins_command,
    audit,
    demo,
    tools,
    run_command,
    artifacts,
    worker,
)


def default_plugin_manager() -> pluggy.PluginManager:
    return make_plugin_manager(extra_specs=[hookspecs])


def build_cli(pm: pluggy.PluginManager, settings: Settings | None = None) -> click.Group:
    """The root group with built-in and plugin commands; a duplicate name is an error."""

    @click.group(context_settings={"help_option_names": ["-h", "--help"]}, no_args_is_help=True)
    @click.version_option(package_name="skriptoteket-cli", prog_name="skriptoteket")
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        """Skriptoteket: a script library for schools.

        Configure with SKRIPTOTEKET_* environment variables, e.g. SKRIPTOTEKET_DATABASE_URL
        (default: a SQLite file under SKRIPTOTEKET_DATA_DIR, default ./.skriptoteket).
        """
        state = CliState(settings=settings or Settings.from_env(), pm=pm)
        configure_logging(state.settings, server=False)  # ``serve`` switches to its defaults
        ctx.obj = state

    for command in (*BUILTIN_COMMANDS, *_plugin_commands(pm)):
        if command.name in cli.commands:
            raise click.ClickException(
                f"Two commands are named {command.name!r}; "
                "uninstall the plugin that adds the second one"
            )
        cli.add_command(command)
    return cli


def _plugin_commands(pm: pluggy.PluginManager) -> list[click.Command]:
    if not hasattr(pm.hook, "skriptoteket_register_cli_commands"):
        return []
    return [c for group in pm.hook.skriptoteket_register_cli_commands() for c in group]


def main(
    args: Sequence[str] | None = None,
    pm_factory: Callable[[], pluggy.PluginManager] = default_plugin_manager,
) -> None:
    """Console entry point. Exit 0 on success, 1 on any error (one line, no traceback)."""

    def invoke() -> object:
        pm = pm_factory()
        Plugins(pm)  # fail early and clearly on broken plugins
        return build_cli(pm).main(
            args=list(args) if args is not None else None,
            prog_name="skriptoteket",
            standalone_mode=False,
        )

    run_guarded(invoke)
