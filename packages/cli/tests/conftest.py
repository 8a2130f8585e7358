"""CLI tests run the real ``main()`` in-process against a shared in-memory store.

A test plugin registers a ``testmem`` database backend whose store outlives each command, so
successive commands see each other's writes (the llm pattern: in-test plugin classes)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

import attrs
import pluggy
import pytest
from skriptoteket.builtin.memory.uow import MemoryStore
from skriptoteket.plugins import RepositoryBackend, hookimpl, make_plugin_manager
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.settings import Settings
from skriptoteket_cli import hookspecs
from skriptoteket_cli.main import main


@attrs.frozen
class CliResult:
    exit_code: int
    out: str
    err: str


class SharedMemoryPlugin:
    def __init__(self) -> None:
        self.store = MemoryStore.seeded()

    @hookimpl
    def skriptoteket_register_repositories(self) -> Iterable[RepositoryBackend]:
        @asynccontextmanager
        async def open_shared(settings: Settings) -> AsyncIterator[UnitOfWorkFactory]:
            yield self.store.unit_of_work

        yield RepositoryBackend(
            name="testmem",
            schemes=("testmem",),
            open=open_shared,
            description="shared in-memory store for CLI tests",
        )


@pytest.fixture
def store_plugin() -> SharedMemoryPlugin:
    return SharedMemoryPlugin()


@pytest.fixture
def cli(
    store_plugin: SharedMemoryPlugin,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., CliResult]:
    monkeypatch.setenv("SKRIPTOTEKET_DATABASE_URL", "testmem://")
    monkeypatch.setenv("SKRIPTOTEKET_DISABLE_PLUGINS", "1")

    def pm_factory() -> pluggy.PluginManager:
        return make_plugin_manager(extra_specs=[hookspecs], extra_plugins=[store_plugin])

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        with pytest.raises(SystemExit) as done:
            main(list(args), pm_factory=pm_factory)
        captured = capsys.readouterr()
        code = done.value.code
        return CliResult(
            exit_code=code if isinstance(code, int) else 1, out=captured.out, err=captured.err
        )

    return run


def unique_email(prefix: str = "person") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@skolan.se"
