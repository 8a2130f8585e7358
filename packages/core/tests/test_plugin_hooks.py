"""The plugin system: each core hook is exercised with an in-test plugin, duplicates are
rejected, selection by name explains what is installed (DESIGN §1, STYLE habits 1–3)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import pytest
from skriptoteket.bootstrap import bootstrap
from skriptoteket.builtin.memory.uow import MemoryStore
from skriptoteket.domain.runs import Artifact
from skriptoteket.plugins import (
    ArtifactStoreBackend,
    BackendNotFound,
    DuplicateBackend,
    MigrationBranch,
    Plugins,
    RepositoryBackend,
    RunnerBackend,
    RunQueueBackend,
    hookimpl,
    make_plugin_manager,
)
from skriptoteket.ports.execution import (
    ArtifactStream,
    QueueStats,
    RunHandler,
    RunInterrupter,
    RunJob,
    RunnerOutcome,
)
from skriptoteket.ports.repositories import UnitOfWork, UnitOfWorkFactory
from skriptoteket.ports.schema import SchemaMigrations
from skriptoteket.settings import Settings


class EchoRunner:
    async def run(self, job: RunJob) -> RunnerOutcome:
        raise NotImplementedError

    async def check(self) -> None:
        return None

    async def close(self) -> None:
        return None


class NullArtifactStore:
    async def store(self, run_id: UUID, output_dir: Path) -> list[Artifact]:
        return []

    async def read(self, run_id: UUID, artifact: Artifact) -> ArtifactStream:
        raise FileNotFoundError(artifact.path)

    async def prune(self, older_than: datetime) -> int:
        return 0


class NullQueue:
    executes_here = True

    async def start(self, handler: RunHandler, *, interrupt: RunInterrupter | None = None) -> None:
        return None

    async def enqueue(self, uow: UnitOfWork, run_id: UUID) -> None:
        return None

    async def submit(self, run_id: UUID) -> None:
        return None

    async def work(self, *, name: str, concurrency: int, shutdown_seconds: float) -> None:
        return None

    async def position(self, run_id: UUID) -> int | None:
        return None

    async def cancel(self, run_id: UUID) -> bool:
        return False

    async def stats(self) -> QueueStats:
        return QueueStats(waiting=0, running=0, max_waiting=0, concurrency=0)

    async def close(self) -> None:
        return None


@attrs.frozen
class RecordingMigrations:
    """A ``SchemaMigrations`` that only records the plugin branches it was given."""

    branches: tuple[MigrationBranch, ...]

    def upgrade(self, revision: str = "head") -> None:
        return None

    def downgrade(self, revision: str) -> None:
        return None

    def current(self) -> str | None:
        return None

    def head(self) -> str:
        return "1"


class ExamplePlugin:
    """One implementation of every core hook."""

    def __init__(self) -> None:
        self.store = MemoryStore.seeded()

    @hookimpl
    def skriptoteket_register_repositories(self) -> Iterable[RepositoryBackend]:
        @asynccontextmanager
        async def open_store(settings: Settings) -> AsyncIterator[UnitOfWorkFactory]:
            yield self.store.unit_of_work

        def migrations(
            settings: Settings, branches: Sequence[MigrationBranch] = ()
        ) -> SchemaMigrations:
            return RecordingMigrations(tuple(branches))

        yield RepositoryBackend(
            name="example", schemes=("example",), open=open_store, migrations=migrations
        )

    @hookimpl
    def skriptoteket_register_migrations(self) -> Iterable[MigrationBranch]:
        yield MigrationBranch(name="example_queue", version_location=Path("/nowhere/versions"))

    @hookimpl
    def skriptoteket_register_runners(self) -> Iterable[RunnerBackend]:
        yield RunnerBackend(name="echo", create=lambda s: EchoRunner())

    @hookimpl
    def skriptoteket_register_artifact_stores(self) -> Iterable[ArtifactStoreBackend]:
        yield ArtifactStoreBackend(name="null", create=lambda s: NullArtifactStore())

    @hookimpl
    def skriptoteket_register_run_queues(self) -> Iterable[RunQueueBackend]:
        yield RunQueueBackend(name="null", create=lambda s: NullQueue())


def plugins_with(*extra: object) -> Plugins:
    return Plugins(make_plugin_manager(load_entrypoints=False, extra_plugins=extra))


def test_every_core_hook_contributes_records() -> None:
    plugins = plugins_with(ExamplePlugin())
    settings = Settings(
        database_url="example://", runner="echo", artifact_store="null", run_queue="null"
    )
    assert plugins.select_repository(settings).name == "example"
    assert isinstance(plugins.select_runner(settings).create(settings), EchoRunner)
    assert isinstance(plugins.select_artifact_store(settings).create(settings), NullArtifactStore)
    assert isinstance(plugins.select_run_queue(settings).create(settings), NullQueue)
    assert set(plugins.repository_backends()) == {"memory", "example"}


def test_migration_branches_reach_the_database_backends_migrations() -> None:
    """Issue 10: a plugin's own schema (e.g. the Procrastinate queue's) is migrated with the
    database's: ``Plugins.migrations`` hands every registered branch to the backend."""
    plugins = plugins_with(ExamplePlugin())
    branches = plugins.migration_branches()
    assert list(branches) == ["example_queue"]
    migrations = plugins.migrations(Settings(database_url="example://"))
    assert isinstance(migrations, RecordingMigrations)
    assert migrations.branches == (branches["example_queue"],)
    assert plugins.migrations(Settings(database_url="memory://")) is None
    with pytest.raises(DuplicateBackend, match="migration branch backend named 'example_queue'"):
        plugins_with(ExamplePlugin(), ExamplePlugin()).migration_branches()


async def test_bootstrap_uses_the_selected_repository_backend() -> None:
    plugin = ExamplePlugin()
    pm = make_plugin_manager(load_entrypoints=False, extra_plugins=[plugin])
    async with bootstrap(Settings(database_url="example://"), pm) as app:
        su = await app.bootstrap_superuser(email="rektor@skolan.se", password="Kanelbulle-42")
    assert su.id in plugin.store.state.users


def test_duplicate_backend_names_are_rejected() -> None:
    plugins = plugins_with(ExamplePlugin(), ExamplePlugin())
    with pytest.raises(DuplicateBackend, match="named 'echo'"):
        plugins.runner_backends()


def test_unknown_backend_names_what_is_installed() -> None:
    plugins = plugins_with(ExamplePlugin())
    with pytest.raises(BackendNotFound) as repo:
        plugins.select_repository(Settings(database_url="postgresql://x/y"))
    assert str(repo.value) == (
        "No repository backend named 'postgresql' (SKRIPTOTEKET_DATABASE_URL); installed: "
        "example (example), memory (memory); install it with: pip install skriptoteket-sql"
    )
    with pytest.raises(BackendNotFound) as runner:
        plugins.select_runner(Settings(runner="docker"))
    assert str(runner.value) == (
        "No runner backend named 'docker' (SKRIPTOTEKET_RUNNER); installed: echo, local; "
        "install it with: pip install skriptoteket-docker"
    )
    with pytest.raises(BackendNotFound) as store:
        plugins.select_artifact_store(Settings(artifact_store="s3"))
    assert str(store.value) == (
        "No artifact store backend named 's3' (SKRIPTOTEKET_ARTIFACT_STORE); installed: "
        "filesystem, null"
    )
    with pytest.raises(BackendNotFound, match="installed: inprocess, null"):
        plugins.select_run_queue(Settings(run_queue="procrastinate"))


def test_nothing_external_loads_when_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    pm = make_plugin_manager(environ={"SKRIPTOTEKET_DISABLE_PLUGINS": "1"})
    names = {name for name, _ in pm.list_name_plugin()}
    assert names == {"skriptoteket.builtin.plugin"}


def test_plugin_infos_name_distribution_and_hooks() -> None:
    infos = {i.name: i for i in plugins_with(ExamplePlugin()).plugin_infos()}
    builtin = infos["skriptoteket.builtin.plugin"]
    assert builtin.hooks == (
        "skriptoteket_register_artifact_stores",
        "skriptoteket_register_repositories",
        "skriptoteket_register_run_queues",
        "skriptoteket_register_runners",
    )
    assert builtin.distribution == "skriptoteket"


def test_importing_core_loads_no_plugins() -> None:
    """No import-time side effects: importing the package creates no plugin manager."""
    import importlib

    module: Any = importlib.import_module("skriptoteket.plugins.manager")
    assert not [name for name in vars(module) if name == "pm"]
