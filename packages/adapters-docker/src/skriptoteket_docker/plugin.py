"""Registers the ``docker`` runner backend and the ``skriptoteket runner build-image`` command.

Importing this module stays cheap: the Docker SDK (and click) are imported only when the runner
is created or the CLI asks for its commands.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from skriptoteket.plugins import RunnerBackend, hookimpl
from skriptoteket.ports.execution import Runner
from skriptoteket.settings import Settings


def create_docker_runner(settings: Settings) -> Runner:
    from skriptoteket_docker.runner import DockerRunner

    return DockerRunner(settings)


@hookimpl
def skriptoteket_register_runners() -> Iterable[RunnerBackend]:
    yield RunnerBackend(
        name="docker",
        create=create_docker_runner,
        description="Hardened Docker containers (no network, read-only, non-root) with a warm pool",
    )


@hookimpl(optionalhook=True)
def skriptoteket_register_cli_commands() -> Iterable[Any]:
    from skriptoteket_docker.cli import runner_group

    yield runner_group
