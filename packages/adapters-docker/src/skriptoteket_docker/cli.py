"""``skriptoteket runner build-image [--force]`` (contributed through the CLI's hookspec)."""

from __future__ import annotations

import click
from skriptoteket.domain.errors import DomainError
from skriptoteket.settings import Settings


@click.group("runner", help="The Docker sandbox runner.")
def runner_group() -> None:
    pass


@runner_group.command("build-image")
@click.option("--force", is_flag=True, help="Rebuild even when the image is up to date.")
@click.option(
    "--fresh-rootfs", is_flag=True, help="Run debootstrap again instead of using the cache."
)
@click.option("--mirror", default=None, help="Debian mirror for debootstrap.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where the debootstrap tarball is cached (default: $SKRIPTOTEKET_RUNNER_IMAGE_CACHE "
    "or <data dir>/runner-image).",
)
@click.option("--verbose", "-v", is_flag=True, help="Show every debootstrap line.")
def build_image_command(
    force: bool, fresh_rootfs: bool, mirror: str | None, cache_dir: str | None, verbose: bool
) -> None:
    """Build the runner image offline (Debian rootfs via debootstrap + docker import)."""
    import os

    from skriptoteket_docker.image import CACHE_ENV, DEFAULT_MIRROR, build_image

    if cache_dir:
        os.environ[CACHE_ENV] = cache_dir

    settings = Settings.from_env()
    total = [0]

    def progress(line: str) -> None:
        if line.startswith(("I: Retrieving", "I: Validating", "I: Extracting", "I: Unpacking")):
            if verbose:
                click.echo(line)
            else:  # one updating status line for the noisy debootstrap phases
                click.echo("\r\033[K" + line[:100], nl=False)
            return
        click.echo(("\r\033[K" if not verbose else "") + line)

    def on_bytes(count: int) -> None:
        total[0] += count
        if total[0] // (64 << 20) != (total[0] - count) // (64 << 20):
            click.echo(f"\r\033[K  {total[0] >> 20} MiB processed", nl=False)

    try:
        build_image(
            settings,
            force=force,
            fresh_rootfs=fresh_rootfs,
            mirror=mirror or DEFAULT_MIRROR,
            progress=progress,
            on_bytes=on_bytes,
        )
    except DomainError as error:
        raise click.ClickException(error.message) from error
