"""The one plugin-manager factory. Nothing is loaded at import time."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from types import ModuleType

import pluggy

from skriptoteket.plugins import hookspecs
from skriptoteket.plugins.markers import PROJECT_NAME

ENTRY_POINT_GROUP = "skriptoteket"
DISABLE_ENV = "SKRIPTOTEKET_DISABLE_PLUGINS"
DEFAULT_PLUGINS: tuple[str, ...] = ("skriptoteket.builtin.plugin",)


def make_plugin_manager(
    *,
    load_entrypoints: bool = True,
    extra_specs: Iterable[ModuleType] = (),
    extra_plugins: Iterable[object] = (),
    environ: Mapping[str, str] | None = None,
) -> pluggy.PluginManager:
    """Build a manager with the core specs, the built-in plugins and installed entry points.

    ``extra_specs`` are host hookspec modules (web routes, CLI commands). External plugins are
    skipped when ``load_entrypoints`` is false or ``SKRIPTOTEKET_DISABLE_PLUGINS=1`` is set.
    """
    env = os.environ if environ is None else environ
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for spec in extra_specs:
        pm.add_hookspecs(spec)
    for dotted in DEFAULT_PLUGINS:
        module = __import__(dotted, fromlist=["_"])
        pm.register(module, name=dotted)
    if load_entrypoints and env.get(DISABLE_ENV, "") not in ("1", "true", "yes"):
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in extra_plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm
