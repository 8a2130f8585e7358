"""Core hookspecs. Each hook returns an iterable of named frozen records (see records.py).

Every hook here is documented with its exact signature in docs/plugin-hooks.md and exercised in
packages/core/tests/test_plugin_hooks.py; tests/test_plugin_docs.py fails when one is not.
"""

from __future__ import annotations

from collections.abc import Iterable

from skriptoteket.plugins.markers import hookspec
from skriptoteket.plugins.records import (
    ArtifactStoreBackend,
    MigrationBranch,
    RepositoryBackend,
    RunnerBackend,
    RunQueueBackend,
)


@hookspec
def skriptoteket_register_repositories() -> Iterable[RepositoryBackend]:
    """Contribute database backends.

    Example::

        @hookimpl
        def skriptoteket_register_repositories():
            yield RepositoryBackend(name="sql", schemes=("sqlite", "postgresql"), open=open_sql)
    """
    raise NotImplementedError


@hookspec
def skriptoteket_register_runners() -> Iterable[RunnerBackend]:
    """Contribute sandbox runners.

    Example::

        @hookimpl
        def skriptoteket_register_runners():
            yield RunnerBackend(name="docker", create=DockerRunner.from_settings)
    """
    raise NotImplementedError


@hookspec
def skriptoteket_register_artifact_stores() -> Iterable[ArtifactStoreBackend]:
    """Contribute artifact stores.

    Example::

        @hookimpl
        def skriptoteket_register_artifact_stores():
            yield ArtifactStoreBackend(name="s3", create=S3ArtifactStore.from_settings)
    """
    raise NotImplementedError


@hookspec
def skriptoteket_register_run_queues() -> Iterable[RunQueueBackend]:
    """Contribute run queues.

    Example::

        @hookimpl
        def skriptoteket_register_run_queues():
            yield RunQueueBackend(name="procrastinate", create=ProcrastinateQueue.from_settings)
    """
    raise NotImplementedError


@hookspec
def skriptoteket_register_migrations() -> Iterable[MigrationBranch]:
    """Contribute a schema of the plugin's own, migrated by ``skriptoteket db upgrade`` and
    ``downgrade`` together with the database backend's (an Alembic branch).

    Example::

        @hookimpl
        def skriptoteket_register_migrations():
            yield MigrationBranch(name="procrastinate", version_location=MIGRATIONS_DIR)
    """
    raise NotImplementedError
