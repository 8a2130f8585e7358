"""Meta-test (the datasette habit): every hookspec is documented with its exact signature in
docs/plugin-hooks.md and implemented by at least one test."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest
from skriptoteket.plugins import hookspecs as core_hookspecs
from skriptoteket_cli import hookspecs as cli_hookspecs
from skriptoteket_web import hookspecs as web_hookspecs

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "plugin-hooks.md").read_text(encoding="utf-8")
SPEC_MODULES: tuple[ModuleType, ...] = (core_hookspecs, cli_hookspecs, web_hookspecs)


def hookspecs() -> list[tuple[str, str]]:
    found = []
    for module in SPEC_MODULES:
        for name, func in vars(module).items():
            if name.startswith("skriptoteket_") and inspect.isfunction(func):
                sig = inspect.signature(func)
                params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
                found.append((name, f"def {name}({params}) -> {sig.return_annotation}"))
    return sorted(found)


def test_there_are_hooks() -> None:
    assert len(hookspecs()) == 7


@pytest.mark.parametrize(("name", "signature"), hookspecs())
def test_hook_is_documented_with_exact_signature(name: str, signature: str) -> None:
    assert f"### {name}\n" in DOC, f"docs/plugin-hooks.md has no section for {name}"
    section = DOC.split(f"### {name}\n", 1)[1]
    first_block = re.search(r"```python\n(.*?)\n```", section, re.S)
    assert first_block is not None
    assert first_block.group(1).strip() == signature


def test_no_documented_hook_is_unknown() -> None:
    documented = set(re.findall(r"^### (skriptoteket_\w+)$", DOC, re.M))
    assert documented == {name for name, _ in hookspecs()}


@pytest.mark.parametrize(("name", "signature"), hookspecs())
def test_hook_is_implemented_by_a_test(name: str, signature: str) -> None:
    test_files = [*ROOT.glob("packages/*/tests/**/*.py"), *ROOT.glob("tests/**/*.py")]
    implemented = [p for p in test_files if re.search(rf"def {name}\(", p.read_text("utf-8"))]
    assert implemented, f"no test implements the hook {name}"
