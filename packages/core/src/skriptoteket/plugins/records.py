"""Named, frozen records that hooks contribute. The host picks one per port by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Protocol

import attrs

from skriptoteket.ports.execution import ArtifactStore, Runner, RunQueue
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.ports.schema import SchemaMigrations
from skriptoteket.settings import Settings


@attrs.frozen
class MigrationBranch:
    """A plugin's own schema, migrated with the database's (``skriptoteket db upgrade``): an
    Alembic branch in ``version_location`` (its first revision has ``branch_labels=(name,)``
    and ``depends_on`` a revision of the ``sql`` backend)."""

    name: str
    version_location: Path
    description: str = ""


class MigrationsFactory(Protocol):
    def __call__(
        self, settings: Settings, branches: Sequence[MigrationBranch] = ()
    ) -> SchemaMigrations:
        """The backend's migrations, plus the plugins' ``branches`` (upgraded and downgraded
        with it)."""
        ...


@attrs.frozen
class RepositoryBackend:
    """A database backend. It is chosen by the scheme of ``SKRIPTOTEKET_DATABASE_URL``.

    ``open`` yields a unit-of-work factory for the lifetime of the app and closes its engine or
    pool on exit; a factory that also has ``run_events`` (``ports.run_events.AnnouncesRunEvents``)
    announces the runs its units of work commit. ``migrations`` is None for backends with no
    schema (memory).
    """

    name: str
    schemes: tuple[str, ...]
    open: Callable[[Settings], AbstractAsyncContextManager[UnitOfWorkFactory]]
    migrations: MigrationsFactory | None = None
    description: str = ""


@attrs.frozen
class RunnerBackend:
    """A sandbox runner, chosen by ``SKRIPTOTEKET_RUNNER``."""

    name: str
    create: Callable[[Settings], Runner]
    description: str = ""


@attrs.frozen
class ArtifactStoreBackend:
    """Where run outputs are kept, chosen by ``SKRIPTOTEKET_ARTIFACT_STORE``."""

    name: str
    create: Callable[[Settings], ArtifactStore]
    description: str = ""


@attrs.frozen
class RunQueueBackend:
    """How queued runs reach executors, chosen by ``SKRIPTOTEKET_RUN_QUEUE``.

    ``shared``: runs survive this process and are visible to every process on the database
    (a queue kept in the database). Only then may several web processes serve one site
    (``serve --workers N``); a queue in one process's memory is not shared."""

    name: str
    create: Callable[[Settings], RunQueue]
    description: str = ""
    shared: bool = False
