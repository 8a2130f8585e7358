"""Smoke test: the package and its plugin module import with only its declared dependencies."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("name", ["skriptoteket_s3", "skriptoteket_s3.plugin"])
def test_module_imports(name: str) -> None:
    assert importlib.import_module(name).__name__ == name
