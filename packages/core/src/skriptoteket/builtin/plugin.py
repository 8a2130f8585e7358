"""The built-in plugin: the in-memory repositories (tests, embedding), the ``local`` runner, the
filesystem artifact store and the in-process run queue. Standard library only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from skriptoteket.builtin.filesystem_artifacts import FilesystemArtifactStore
from skriptoteket.builtin.inprocess_queue import InProcessRunQueue
from skriptoteket.builtin.local_runner import LocalRunner
from skriptoteket.builtin.memory.uow import MemoryStore
from skriptoteket.plugins.markers import hookimpl
from skriptoteket.plugins.records import (
    ArtifactStoreBackend,
    RepositoryBackend,
    RunnerBackend,
    RunQueueBackend,
)
from skriptoteket.ports.execution import ArtifactStore, RunQueue
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.settings import Settings


@asynccontextmanager
async def open_memory(settings: Settings) -> AsyncIterator[UnitOfWorkFactory]:
    yield MemoryStore.seeded()


@hookimpl
def skriptoteket_register_repositories() -> Iterable[RepositoryBackend]:
    yield RepositoryBackend(
        name="memory",
        schemes=("memory",),
        open=open_memory,
        description="In-memory repositories; data is lost when the process ends",
    )


def create_filesystem_store(settings: Settings) -> ArtifactStore:
    return FilesystemArtifactStore(settings.artifacts_dir, settings.output_caps)


def create_inprocess_queue(settings: Settings) -> RunQueue:
    return InProcessRunQueue(
        concurrency=settings.run_concurrency, max_waiting=settings.run_queue_max
    )


@hookimpl
def skriptoteket_register_artifact_stores() -> Iterable[ArtifactStoreBackend]:
    yield ArtifactStoreBackend(
        name="filesystem",
        create=create_filesystem_store,
        description="Files under SKRIPTOTEKET_ARTIFACTS_ROOT (default DATA_DIR/artifacts)",
    )


@hookimpl
def skriptoteket_register_run_queues() -> Iterable[RunQueueBackend]:
    yield RunQueueBackend(
        name="inprocess",
        create=create_inprocess_queue,
        description="Bounded in-process queue (SKRIPTOTEKET_RUN_CONCURRENCY, _RUN_QUEUE_MAX)",
    )


@hookimpl
def skriptoteket_register_runners() -> Iterable[RunnerBackend]:
    yield RunnerBackend(
        name="local",
        create=LocalRunner.from_settings,
        description="A separate Python process per run, isolated by bubblewrap where installed",
    )
