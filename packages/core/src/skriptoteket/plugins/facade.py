"""One typed facade over ``pm.hook``: collects records, rejects duplicates, selects by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import metadata
from typing import Protocol, TypeVar

import attrs
import pluggy

from skriptoteket.plugins.records import (
    ArtifactStoreBackend,
    MigrationBranch,
    RepositoryBackend,
    RunnerBackend,
    RunQueueBackend,
)
from skriptoteket.ports.schema import SchemaMigrations
from skriptoteket.settings import Settings, url_scheme


class PluginError(Exception):
    """A configuration problem with plugins; the message says what to install or set."""


class DuplicateBackend(PluginError):
    pass


class BackendNotFound(PluginError):
    pass


class _Named(Protocol):
    @property
    def name(self) -> str: ...


R = TypeVar("R", bound=_Named)

# Which package to install for a backend that is not there, for the error message.
KNOWN_PACKAGES = {
    "sql": "skriptoteket-sql",
    "sqlite": "skriptoteket-sql",
    "postgresql": "skriptoteket-sql",
    "docker": "skriptoteket-docker",
    "procrastinate": "skriptoteket-procrastinate",
}


@attrs.frozen
class PluginInfo:
    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]


def _collect(kind: str, results: Iterable[Iterable[R]]) -> dict[str, R]:
    found: dict[str, R] = {}
    for contribution in results:
        for record in contribution:
            if record.name in found:
                raise DuplicateBackend(
                    f"Two plugins register a {kind} backend named {record.name!r}; "
                    "uninstall one of them"
                )
            found[record.name] = record
    return found


def _not_found(kind: str, wanted: str, setting: str, installed: Iterable[str]) -> BackendNotFound:
    names = ", ".join(sorted(installed)) or "none"
    hint = ""
    if package := KNOWN_PACKAGES.get(wanted):
        hint = f"; install it with: pip install {package}"
    return BackendNotFound(
        f"No {kind} backend named {wanted!r} ({setting}); installed: {names}{hint}"
    )


class Plugins:
    """Typed access to what the installed plugins contribute."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm

    def repository_backends(self) -> Mapping[str, RepositoryBackend]:
        return _collect("repository", self.pm.hook.skriptoteket_register_repositories())

    def runner_backends(self) -> Mapping[str, RunnerBackend]:
        return _collect("runner", self.pm.hook.skriptoteket_register_runners())

    def artifact_store_backends(self) -> Mapping[str, ArtifactStoreBackend]:
        return _collect("artifact store", self.pm.hook.skriptoteket_register_artifact_stores())

    def run_queue_backends(self) -> Mapping[str, RunQueueBackend]:
        return _collect("run queue", self.pm.hook.skriptoteket_register_run_queues())

    def migration_branches(self) -> Mapping[str, MigrationBranch]:
        return _collect("migration branch", self.pm.hook.skriptoteket_register_migrations())

    def migrations(self, settings: Settings) -> SchemaMigrations | None:
        """The selected database backend's migrations with every plugin's branch; None for a
        backend with no schema (memory)."""
        backend = self.select_repository(settings)
        if backend.migrations is None:
            return None
        return backend.migrations(settings, tuple(self.migration_branches().values()))

    def select_repository(self, settings: Settings) -> RepositoryBackend:
        scheme = url_scheme(settings.database_url)
        backends = self.repository_backends()
        for backend in backends.values():
            if scheme in backend.schemes:
                return backend
        installed = [f"{b.name} ({', '.join(b.schemes)})" for b in backends.values()]
        raise _not_found("repository", scheme, "SKRIPTOTEKET_DATABASE_URL", installed)

    def select_runner(self, settings: Settings) -> RunnerBackend:
        return self._select(
            "runner", self.runner_backends(), settings.runner, "SKRIPTOTEKET_RUNNER"
        )

    def select_artifact_store(self, settings: Settings) -> ArtifactStoreBackend:
        return self._select(
            "artifact store",
            self.artifact_store_backends(),
            settings.artifact_store,
            "SKRIPTOTEKET_ARTIFACT_STORE",
        )

    def select_run_queue(self, settings: Settings) -> RunQueueBackend:
        return self._select(
            "run queue", self.run_queue_backends(), settings.run_queue, "SKRIPTOTEKET_RUN_QUEUE"
        )

    @staticmethod
    def _select(kind: str, backends: Mapping[str, R], name: str, setting: str) -> R:
        try:
            return backends[name]
        except KeyError:
            raise _not_found(kind, name, setting, backends) from None

    def plugin_infos(self) -> list[PluginInfo]:
        dists = {id(plugin): dist for plugin, dist in self.pm.list_plugin_distinfo()}
        infos = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:
                continue
            dist = dists.get(id(plugin))
            hooks = tuple(sorted(h.name for h in self.pm.get_hookcallers(plugin) or ()))
            infos.append(
                PluginInfo(
                    name=name,
                    distribution=dist.project_name if dist else _dist_of(name),
                    version=dist.version if dist else _version_of(name),
                    hooks=hooks,
                )
            )
        return sorted(infos, key=lambda i: i.name)


def _dist_of(module_name: str) -> str | None:
    """The distribution that ships a module (editable installs included)."""
    top = module_name.split(".", 1)[0]
    for candidate in (top, top.replace("_", "-"), *metadata.packages_distributions().get(top, [])):
        try:
            return metadata.distribution(candidate).metadata["Name"]
        except metadata.PackageNotFoundError:
            continue
    return None


def _version_of(module_name: str) -> str | None:
    dist = _dist_of(module_name)
    return metadata.version(dist) if dist else None
