"""Smoke test: the package imports with only its declared dependencies."""

from __future__ import annotations

import importlib


def test_package_imports() -> None:
    assert importlib.import_module("skriptoteket_cli").__name__ == "skriptoteket_cli"
