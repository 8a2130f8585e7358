"""Registers the ``docker`` runner backend.

The container runner itself arrives with the execution issue; until then selecting it fails with
a clear message instead of pretending to run anything.
"""

from __future__ import annotations

from collections.abc import Iterable

from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.plugins import RunnerBackend, hookimpl
from skriptoteket.ports.execution import Runner
from skriptoteket.settings import Settings


def create_docker_runner(settings: Settings) -> Runner:
    raise DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        "The docker runner is registered but not implemented in this release; "
        "use SKRIPTOTEKET_RUNNER=local",
    )


@hookimpl
def skriptoteket_register_runners() -> Iterable[RunnerBackend]:
    yield RunnerBackend(
        name="docker",
        create=create_docker_runner,
        description="Hardened Docker containers with a warm pool (not implemented yet)",
    )
