"""The plugin system: pluggy hookspecs, backend records, the manager factory and a typed facade."""

from skriptoteket.plugins.facade import BackendNotFound, DuplicateBackend, PluginError, Plugins
from skriptoteket.plugins.manager import make_plugin_manager
from skriptoteket.plugins.markers import hookimpl, hookspec
from skriptoteket.plugins.records import (
    ArtifactStoreBackend,
    MigrationBranch,
    RepositoryBackend,
    RunnerBackend,
    RunQueueBackend,
)

__all__ = [
    "ArtifactStoreBackend",
    "BackendNotFound",
    "DuplicateBackend",
    "MigrationBranch",
    "PluginError",
    "Plugins",
    "RepositoryBackend",
    "RunQueueBackend",
    "RunnerBackend",
    "hookimpl",
    "hookspec",
    "make_plugin_manager",
]
