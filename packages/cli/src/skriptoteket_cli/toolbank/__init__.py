"""The demo tool bank: one folder per tool with ``tool.toml``, ``script.py`` and ``examples/``.

``load_toolbank()`` reads every folder (see README.md beside this file for the format). It checks
the shape of ``tool.toml`` only; a contract-2 ``input_schema`` is returned as the JSON-like data
that ``skriptoteket.domain.input_schema.parse_input_schema`` takes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOOLBANK_DIR = Path(__file__).parent
PROFESSIONS = frozenset({"larare", "specialpedagog", "skoladministrator", "rektor", "gemensamt"})
CATEGORIES = frozenset({"lektionsplanering", "mentorskap", "administration", "ovrigt"})
REQUIRED_KEYS = ("slug", "title", "summary", "professions", "categories")
KNOWN_KEYS = frozenset({*REQUIRED_KEYS, "entrypoint", "contract", "input_schema"})


class ToolbankError(ValueError):
    """A tool folder that does not follow the format."""


@dataclass(frozen=True)
class BankTool:
    slug: str
    title: str
    summary: str
    professions: tuple[str, ...]
    categories: tuple[str, ...]
    entrypoint: str
    contract: int
    input_schema: dict[str, Any] | None
    folder: Path

    @property
    def script_path(self) -> Path:
        return self.folder / "script.py"

    def source(self) -> str:
        return self.script_path.read_text(encoding="utf-8")

    def examples(self) -> list[Path]:
        examples = self.folder / "examples"
        if not examples.is_dir():
            return []
        return sorted(p for p in examples.iterdir() if p.is_file())


def _str_list(
    data: dict[str, Any], key: str, allowed: frozenset[str], where: str
) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ToolbankError(f"{where}: '{key}' must be a non-empty list of slugs")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ToolbankError(f"{where}: unknown {key}: {', '.join(unknown)}")
    return tuple(value)


def load_tool(folder: Path) -> BankTool:
    where = str(folder / "tool.toml")
    with (folder / "tool.toml").open("rb") as handle:
        data = tomllib.load(handle)
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise ToolbankError(f"{where}: unknown key(s) {', '.join(unknown)}")
    for key in ("slug", "title", "summary"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ToolbankError(f"{where}: '{key}' must be non-empty text")
    if data["slug"] != folder.name:
        raise ToolbankError(f"{where}: slug {data['slug']!r} differs from the folder name")
    contract = data.get("contract", 1)
    if contract not in (1, 2) or isinstance(contract, bool):
        raise ToolbankError(f"{where}: 'contract' must be 1 or 2")
    schema = data.get("input_schema")
    if contract == 2 and not isinstance(schema, dict):
        raise ToolbankError(f"{where}: a contract-2 tool needs an [input_schema] table")
    if contract == 1 and schema is not None:
        raise ToolbankError(f"{where}: only contract-2 tools have an input schema")
    entrypoint = data.get("entrypoint", "run_tool")
    if not isinstance(entrypoint, str) or not entrypoint.isidentifier():
        raise ToolbankError(f"{where}: 'entrypoint' must be a Python name")
    if not (folder / "script.py").is_file():
        raise ToolbankError(f"{folder}: script.py is missing")
    return BankTool(
        slug=data["slug"],
        title=data["title"].strip(),
        summary=" ".join(data["summary"].split()),
        professions=_str_list(data, "professions", PROFESSIONS, where),
        categories=_str_list(data, "categories", CATEGORIES, where),
        entrypoint=entrypoint,
        contract=contract,
        input_schema=schema,
        folder=folder,
    )


def load_toolbank(root: Path = TOOLBANK_DIR) -> list[BankTool]:
    """Every tool folder under ``root``, sorted by slug."""
    return [
        load_tool(folder)
        for folder in sorted(root.iterdir())
        if folder.is_dir() and (folder / "tool.toml").is_file()
    ]
