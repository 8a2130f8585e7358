"""The built-in plugin: registers the in-memory repository backend (tests and embedding) and the
``local`` runner."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from skriptoteket.builtin.local_runner import LocalRunner
from skriptoteket.builtin.memory.uow import MemoryStore
from skriptoteket.plugins.markers import hookimpl
from skriptoteket.plugins.records import RepositoryBackend, RunnerBackend
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.settings import Settings


@asynccontextmanager
async def open_memory(settings: Settings) -> AsyncIterator[UnitOfWorkFactory]:
    yield MemoryStore.seeded().unit_of_work


@hookimpl
def skriptoteket_register_repositories() -> Iterable[RepositoryBackend]:
    yield RepositoryBackend(
        name="memory",
        schemes=("memory",),
        open=open_memory,
        description="In-memory repositories; data is lost when the process ends",
    )


@hookimpl
def skriptoteket_register_runners() -> Iterable[RunnerBackend]:
    yield RunnerBackend(
        name="local",
        create=LocalRunner.from_settings,
        description="A separate Python process per run, isolated by bubblewrap where installed",
    )
