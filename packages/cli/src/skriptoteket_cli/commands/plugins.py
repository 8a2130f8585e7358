"""``skriptoteket plugins``: what is installed and which backend each port uses."""

from __future__ import annotations

from collections.abc import Mapping

import click
from skriptoteket.plugins.facade import PluginError
from skriptoteket.settings import url_scheme

from skriptoteket_cli.state import CliState, pass_state


def _describe(backends: Mapping[str, object]) -> dict[str, str]:
    return {name: str(getattr(b, "description", "")) for name, b in backends.items()}


@click.command("plugins")
@pass_state
def plugins_command(state: CliState) -> None:
    """List installed plugins and the backends they register (* = selected by settings)."""
    plugins = state.plugins
    click.echo("Plugins:")
    for info in plugins.plugin_infos():
        version = f" {info.version}" if info.version else ""
        dist = f" [{info.distribution}{version}]" if info.distribution else ""
        hooks = ", ".join(info.hooks) or "no hooks"
        click.echo(f"  {info.name}{dist}: {hooks}")
    settings = state.settings
    scheme = url_scheme(settings.database_url)
    try:
        repositories = plugins.repository_backends()
        runners = plugins.runner_backends()
        stores = plugins.artifact_store_backends()
        queues = plugins.run_queue_backends()
    except PluginError as error:
        raise click.ClickException(str(error)) from error
    sections: list[tuple[str, dict[str, str], set[str]]] = [
        (
            "Database backends (SKRIPTOTEKET_DATABASE_URL)",
            _describe(repositories),
            {n for n, b in repositories.items() if scheme in b.schemes},
        ),
        ("Runners (SKRIPTOTEKET_RUNNER)", _describe(runners), {settings.runner}),
        (
            "Artifact stores (SKRIPTOTEKET_ARTIFACT_STORE)",
            _describe(stores),
            {settings.artifact_store},
        ),
        ("Run queues (SKRIPTOTEKET_RUN_QUEUE)", _describe(queues), {settings.run_queue}),
    ]
    for title, described, selected in sections:
        click.echo(f"{title}:")
        if not described:
            click.echo("  (none installed)")
        for name, description in sorted(described.items()):
            mark = "*" if name in selected else " "
            schemes = ""
            if name in repositories:
                schemes = f" [{', '.join(repositories[name].schemes)}]"
            click.echo(f" {mark}{name}{schemes}: {description}")
