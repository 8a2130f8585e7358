"""``skriptoteket run SLUG FILE…``: run a tool from the terminal, as a teacher would in the web
app (production), or a given version in the sandbox (``--sandbox --version ID``)."""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from pathlib import Path
from typing import BinaryIO
from uuid import UUID

import attrs
import click
from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.execution import Upload
from skriptoteket.application.runs import RunView
from skriptoteket.domain.errors import validation_error
from skriptoteket.domain.identity import User
from skriptoteket.domain.runs import RunStatus

from skriptoteket_cli.state import CliState, actor_option, pass_state, resolve_actor

STATUS_TEXT = {
    RunStatus.QUEUED: "queued",
    RunStatus.RUNNING: "running",
    RunStatus.SUCCEEDED: "succeeded",
    RunStatus.FAILED: "failed",
    RunStatus.TIMED_OUT: "timed out",
    RunStatus.CANCELLED: "cancelled",
}
PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
{body}
</body></html>
"""


@attrs.frozen
class Written:
    view: RunView
    files: tuple[Path, ...]


class Progress:
    """A spinner on a terminal, one line per status change otherwise (stderr)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.spin = itertools.cycle("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
        self.last = ""
        self.started = time.monotonic()

    def show(self, view: RunView) -> None:
        text = STATUS_TEXT[view.run.status]
        if view.queue_position:
            text += f" (position {view.queue_position} in the queue)"
        if self.tty:
            elapsed = time.monotonic() - self.started
            click.echo(f"\r{next(self.spin)} {text} {elapsed:5.1f}s\033[K", nl=False, err=True)
        elif text != self.last:
            click.echo(f"… {text}", err=True)
        self.last = text

    def done(self) -> None:
        if self.tty:
            click.echo("\r\033[K", nl=False, err=True)


def parse_fields(pairs: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise validation_error(f"--field needs NAME=VALUE, got {pair!r}", field=pair)
        fields[name.strip()] = value
    return fields


@click.command("run")
@click.argument("slug")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME=VALUE",
    help="A value for one of the tool's input fields (repeatable).",
)
@click.option("--sandbox", is_flag=True, help="Test a version in the sandbox (with --version).")
@click.option("--version", "version_id", default=None, help="The version id to sandbox-run.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write result.html and the files (default: ./resultat-SLUG).",
)
@actor_option
@pass_state
def run_command(
    state: CliState,
    slug: str,
    files: tuple[Path, ...],
    fields: tuple[str, ...],
    sandbox: bool,
    version_id: str | None,
    out_dir: Path | None,
    actor_email: str | None,
) -> None:
    """Run tool SLUG on FILE… and write result.html and its files into --out."""
    if sandbox != (version_id is not None):
        raise click.UsageError("--sandbox and --version go together")
    values = parse_fields(fields)
    uploads = [Upload(filename=p.name, data=p.read_bytes()) for p in files]
    target = out_dir or Path(f"resultat-{slug}")
    progress = Progress()

    async def work(app: Skriptoteket) -> Written:
        actor = await resolve_actor(app, actor_email, owner_needed=True)
        if sandbox:
            assert version_id is not None
            try:
                vid = UUID(version_id)
            except ValueError:
                raise validation_error(f"Not a version id: {version_id!r}") from None
            run = await app.start_sandbox_run(actor, version_id=vid, uploads=uploads, values=values)
        else:
            run = await app.start_production_run(actor, slug=slug, uploads=uploads, values=values)
        view = await app.get_run(actor, run_id=run.id)
        while not view.run.status.is_terminal:
            progress.show(view)
            await asyncio.sleep(0.05)
            view = await app.get_run(actor, run_id=run.id)
        progress.done()
        written = await _write_outputs(app, actor, view, target, title=slug)
        return Written(view=view, files=written)

    result = state.run(work, execution=True)
    run = result.view.run
    click.echo(f"Run {run.id}: {STATUS_TEXT[run.status]}")
    if run.error_summary:
        click.echo(run.error_summary)
    if run.failure is not None:  # the stable code (docs/failure-codes.md) and its figures
        figures = ", ".join(f"{k}={v}" for k, v in sorted(run.failure.details.items()))
        click.echo(f"Failure: {run.failure.code.value}" + (f" ({figures})" if figures else ""))
    if result.view.logs_visible and sandbox:
        for name, text in (("stdout", run.stdout), ("stderr", run.stderr)):
            if text:
                click.echo(f"--- {name} ---\n{text.rstrip()}")
    for path in result.files:
        click.echo(f"  wrote {path}")
    if run.status is not RunStatus.SUCCEEDED:
        raise click.exceptions.Exit(1)


async def _write_outputs(
    app: Skriptoteket, actor: User, view: RunView, target: Path, *, title: str
) -> tuple[Path, ...]:
    """``result.html`` and every artifact under ``target``, each streamed from the store."""
    run = view.run
    page = target / "result.html"
    await asyncio.to_thread(_write_page, page, run.html_output or "", title)
    written = [page]
    for artifact in run.artifacts:
        found = await app.open_artifact(actor, run_id=run.id, artifact_id=artifact.artifact_id)
        destination = target / Path(artifact.path).relative_to("output")
        file = await asyncio.to_thread(_create, destination)
        try:
            async for chunk in found.stream.chunks:
                await asyncio.to_thread(file.write, chunk)
        finally:
            file.close()
        written.append(destination)
    return tuple(written)


def _write_page(page: Path, html: str, title: str) -> None:
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(PAGE.format(title=title, body=html), encoding="utf-8")


def _create(destination: Path) -> BinaryIO:
    destination.parent.mkdir(parents=True, exist_ok=True)
    return destination.open("wb")
