"""Tools as folders (``tools import`` / ``tools export``): ``tool.toml`` + ``script.py`` +
``examples/``. The format is documented in docs/tool-format.md."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from skriptoteket.application.tool_import import ToolPackage
from skriptoteket.domain.errors import validation_error
from skriptoteket.domain.input_schema import parse_input_schema, schema_to_data
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import ToolVersion

REQUIRED = ("slug", "title", "summary", "professions", "categories")
KNOWN = {*REQUIRED, "entrypoint", "contract", "input_schema"}


def _string_list(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise validation_error(f"tool.toml: '{key}' must be a list of slugs", field=key)
    return tuple(value)


def read_tool_folder(folder: Path) -> ToolPackage:
    """Read and check a tool folder; every problem is one VALIDATION_ERROR naming the key."""
    toml_path, script_path = folder / "tool.toml", folder / "script.py"
    if not toml_path.is_file():
        raise validation_error(f"{folder} has no tool.toml", path=str(folder))
    if not script_path.is_file():
        raise validation_error(f"{folder} has no script.py", path=str(folder))
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise validation_error(f"tool.toml is not valid TOML: {error}") from None
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise validation_error(f"tool.toml lacks: {', '.join(missing)}", fields=missing)
    unknown = sorted(set(data) - KNOWN)
    if unknown:
        raise validation_error(f"tool.toml has unknown keys: {', '.join(unknown)}", fields=unknown)
    for key in ("slug", "title", "summary"):
        if not isinstance(data[key], str):
            raise validation_error(f"tool.toml: '{key}' must be text", field=key)
    contract = data.get("contract", 1)
    if contract not in (1, 2):
        raise validation_error("tool.toml: 'contract' must be 1 or 2", field="contract")
    schema = data.get("input_schema")
    if contract == 2 and schema is None:
        raise validation_error(
            "tool.toml: contract 2 needs an [input_schema]", field="input_schema"
        )
    if contract == 1 and schema is not None:
        raise validation_error("tool.toml: [input_schema] needs contract = 2", field="contract")
    if schema is not None:
        parse_input_schema(schema)  # fail early, naming the path
    entrypoint = data.get("entrypoint", "run_tool")
    if not isinstance(entrypoint, str):
        raise validation_error("tool.toml: 'entrypoint' must be text", field="entrypoint")
    return ToolPackage(
        slug=data["slug"],
        title=data["title"],
        summary=data["summary"] or None,
        professions=_string_list(data, "professions"),
        categories=_string_list(data, "categories"),
        source_code=script_path.read_text(encoding="utf-8"),
        entrypoint=entrypoint,
        input_schema=schema,
    )


def write_tool_folder(tool: Tool, version: ToolVersion, folder: Path) -> list[Path]:
    """Write ``tool.toml`` and ``script.py`` (the version's code) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "examples").mkdir(exist_ok=True)
    data: dict[str, Any] = {
        "slug": tool.slug,
        "title": tool.title,
        "summary": tool.summary or "",
        "professions": list(tool.professions),
        "categories": list(tool.categories),
        "entrypoint": version.entrypoint,
        "contract": version.contract_version,
    }
    if version.input_schema is not None:
        data["input_schema"] = _without_none(schema_to_data(version.input_schema))
    written = [folder / "tool.toml", folder / "script.py"]
    written[0].write_text(tomli_w.dumps(data), encoding="utf-8")
    written[1].write_text(version.source_code, encoding="utf-8")
    return written


def _without_none(value: Any) -> Any:
    """TOML has no null: drop keys whose value is None."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value
