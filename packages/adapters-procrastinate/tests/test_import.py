"""Smoke test: the package and its plugin module import with only its declared dependencies."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    "name",
    [
        "skriptoteket_procrastinate",
        "skriptoteket_procrastinate.plugin",
        "skriptoteket_procrastinate.queue",
        "skriptoteket_procrastinate.schema",
    ],
)
def test_module_imports(name: str) -> None:
    assert importlib.import_module(name).__name__ == name
