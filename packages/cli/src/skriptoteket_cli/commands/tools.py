"""``skriptoteket tools list | export SLUG DIR | import DIR [--publish]``."""

from __future__ import annotations

from pathlib import Path

import click
from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.tool_import import ImportOutcome
from skriptoteket.domain.errors import not_found
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import ToolVersion, VersionState

from skriptoteket_cli.state import CliState, actor_option, pass_state, resolve_actor
from skriptoteket_cli.tool_folders import read_tool_folder, write_tool_folder


@click.group()
def tools() -> None:
    """List tools and move them in and out as folders (tool.toml + script.py + examples/)."""


@tools.command("list")
@actor_option
@pass_state
def list_tools(state: CliState, actor_email: str | None) -> None:
    """Every tool with its catalog status and active version."""

    async def work(app: Skriptoteket) -> list[tuple[Tool, int | None]]:
        actor = await resolve_actor(app, actor_email)
        rows = []
        for tool in await app.list_all_tools(actor):
            versions = await app.list_versions(actor, tool_id=tool.id)
            active = next((v for v in versions if v.state is VersionState.ACTIVE), None)
            rows.append((tool, active.version_number if active else None))
        return rows

    rows = state.run(work)
    if not rows:
        click.echo("No tools yet. Add one with: skriptoteket tools import DIR --publish")
        return
    width = max(len(t.slug) for t, _ in rows)
    click.echo(f"{'SLUG':<{width}}  {'CATALOG':<11}  ACTIVE  TITLE")
    for tool, active in rows:
        status = "published" if tool.is_published else "hidden"
        click.echo(
            f"{tool.slug:<{width}}  {status:<11}  {('v' + str(active)) if active else '-':<6}"
            f"  {tool.title}"
        )


@tools.command("export")
@click.argument("slug")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--version",
    "version_number",
    type=int,
    default=None,
    help="Version number to export (default: the active version).",
)
@actor_option
@pass_state
def export_tool(
    state: CliState, slug: str, directory: Path, version_number: int | None, actor_email: str | None
) -> None:
    """Write SLUG's tool.toml and script.py into DIRECTORY."""

    async def work(app: Skriptoteket) -> tuple[Tool, ToolVersion]:
        actor = await resolve_actor(app, actor_email)
        tool = next((t for t in await app.list_all_tools(actor) if t.slug == slug), None)
        if tool is None:
            raise not_found("Tool", slug=slug)
        versions = await app.list_versions(actor, tool_id=tool.id)
        if version_number is None:
            chosen = next((v for v in versions if v.state is VersionState.ACTIVE), None)
        else:
            chosen = next((v for v in versions if v.version_number == version_number), None)
        if chosen is None:
            raise not_found("ToolVersion", slug=slug, version=version_number)
        return tool, chosen

    tool, version = state.run(work)
    written = write_tool_folder(tool, version, directory)
    click.echo(
        f"Exported {tool.slug} v{version.version_number} to {directory}: "
        + ", ".join(p.name for p in written)
    )


@tools.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Also show the tool in the catalog.")
@actor_option
@pass_state
def import_tool(state: CliState, directory: Path, publish: bool, actor_email: str | None) -> None:
    """Create or update a tool from DIRECTORY through draft → review → publish (audited).

    Needs an admin: --actor EMAIL, or the operator acting for the first superuser."""
    package = read_tool_folder(directory)

    async def work(app: Skriptoteket) -> ImportOutcome:
        actor = await resolve_actor(app, actor_email, owner_needed=True)
        return await app.import_tool(actor, package=package, publish=publish)

    outcome = state.run(work)
    what = "created" if outcome.created else "updated"
    version = (
        f"v{outcome.new_version.version_number} published"
        if outcome.new_version
        else "code unchanged"
    )
    catalog = "in the catalog" if outcome.tool.is_published else "hidden from the catalog"
    click.echo(f"Imported tool: {outcome.tool.slug} ({what}; {version}; {catalog})")
