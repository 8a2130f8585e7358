"""``skriptoteket tools import/export/list``: tools as folders through the governance path."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.versions import VersionState

from .conftest import CliResult, SharedMemoryPlugin

Cli = Callable[..., CliResult]
PASSWORD = "Kanelbulle-42"
TOML = """\
slug = "gruppindelning"
title = "Gruppindelning"
summary = "Delar in en klass i grupper."
professions = ["larare"]
categories = ["lektionsplanering", "mentorskap"]
contract = 2

[[input_schema.files]]
name = "klasslista"
label = "Klasslista"
accept = [".csv", ".xlsx"]

[[input_schema.fields]]
name = "gruppstorlek"
label = "Gruppstorlek"
kind = "number"
integer = true
default = 4
min = 2
"""
SCRIPT = "def run_tool(input_dir, output_dir, inputs):\n    return '<p>Grupper</p>'\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    tool = tmp_path / "gruppindelning"
    (tool / "examples").mkdir(parents=True)
    (tool / "tool.toml").write_text(TOML, encoding="utf-8")
    (tool / "script.py").write_text(SCRIPT, encoding="utf-8")
    return tool


def test_import_goes_through_governance_and_is_idempotent(
    cli: Cli, store_plugin: SharedMemoryPlugin, folder: Path
) -> None:
    cli("bootstrap-superuser", "--email", "rektor@skolan.se", "--password", PASSWORD)
    first = cli("tools", "import", str(folder), "--publish")
    assert first.exit_code == 0, first.err
    assert first.out == ("Imported tool: gruppindelning (created; v2 published; in the catalog)\n")
    state = store_plugin.store.state
    (tool,) = state.tools.values()
    assert tool.is_published
    versions = sorted(state.versions.values(), key=lambda v: v.version_number)
    assert [v.state for v in versions] == [VersionState.ARCHIVED, VersionState.ACTIVE]
    assert versions[1].input_schema is not None
    assert versions[1].input_schema.fields[0].default == 4
    actions = [e.action for e in state.audit]
    for action in (
        AuditAction.TOOL_CREATED,
        AuditAction.VERSION_CREATED,
        AuditAction.VERSION_SUBMITTED,
        AuditAction.VERSION_PUBLISHED,
        AuditAction.TOOL_PUBLISHED,
    ):
        assert action in actions
    again = cli("tools", "import", str(folder))
    assert again.out == (
        "Imported tool: gruppindelning (updated; code unchanged; in the catalog)\n"
    )
    assert len(state.versions) == 2
    (folder / "script.py").write_text(SCRIPT.replace("Grupper", "Nya grupper"), "utf-8")
    changed = cli("tools", "import", str(folder))
    assert "v4 published" in changed.out
    listed = cli("tools", "list")
    assert "gruppindelning" in listed.out
    assert "published" in listed.out
    assert "v4" in listed.out


def test_export_round_trips(cli: Cli, folder: Path, tmp_path: Path) -> None:
    cli("bootstrap-superuser", "--email", "rektor@skolan.se", "--password", PASSWORD)
    cli("tools", "import", str(folder))
    out = tmp_path / "export"
    result = cli("tools", "export", "gruppindelning", str(out))
    assert result.exit_code == 0, result.err
    data = tomllib.loads((out / "tool.toml").read_text("utf-8"))
    original = tomllib.loads(TOML)
    for key in ("slug", "title", "summary", "professions", "categories", "contract"):
        assert data[key] == original[key]
    assert data["input_schema"]["fields"][0]["default"] == 4
    assert (out / "script.py").read_text("utf-8") == SCRIPT
    assert cli("tools", "import", str(out)).out.endswith(
        "code unchanged; hidden from the catalog)\n"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('slug = "gruppindelning"\n', ""), "tool.toml lacks: slug"),
        (lambda t: t.replace("contract = 2", "contract = 3"), "'contract' must be 1 or 2"),
        (lambda t: 'farg = "blå"\n' + t, "unknown keys: farg"),
        (lambda t: t.replace('kind = "number"', 'kind = "slider"'), "'kind' must be"),
        (lambda t: t.replace('"larare"', '"okand"'), "Unknown profession"),
        (lambda t: t.replace("[[input", "[[[input"), "not valid TOML"),
    ],
)
def test_bad_folders_fail_with_one_line(
    cli: Cli, folder: Path, change: Callable[[str], str], message: str
) -> None:
    cli("bootstrap-superuser", "--email", "rektor@skolan.se", "--password", PASSWORD)
    toml = folder / "tool.toml"
    toml.write_text(change(toml.read_text("utf-8")), encoding="utf-8")
    result = cli("tools", "import", str(folder))
    assert result.exit_code == 1
    assert message in result.err
    assert result.err.count("\n") == 1


def test_import_needs_an_admin(cli: Cli, folder: Path) -> None:
    cli("bootstrap-superuser", "--email", "rektor@skolan.se", "--password", PASSWORD)
    cli("users", "add", "--email", "larare@skolan.se", "--password", PASSWORD)
    denied = cli("tools", "import", str(folder), "--actor", "larare@skolan.se")
    assert denied.exit_code == 1
    assert denied.err == "Error: Insufficient permissions\n"


def test_import_without_any_superuser_says_what_to_do(cli: Cli, folder: Path) -> None:
    result = cli("tools", "import", str(folder))
    assert result.exit_code == 1
    assert "run skriptoteket bootstrap-superuser" in result.err


def test_import_publish_refuses_a_draft_slug_before_writing_AMB_20(
    cli: Cli, store_plugin: SharedMemoryPlugin, folder: Path
) -> None:
    """``tools import --publish`` of a folder whose slug is still a ``draft-…`` placeholder
    (an exported suggestion tool) fails with one line and leaves nothing behind; without
    ``--publish`` it imports as a hidden tool."""
    cli("bootstrap-superuser", "--email", "rektor@skolan.se", "--password", PASSWORD)
    toml = folder / "tool.toml"
    toml.write_text(
        toml.read_text("utf-8").replace('"gruppindelning"', '"draft-gruppindelning"'), "utf-8"
    )
    audit_before = len(store_plugin.store.state.audit)
    refused = cli("tools", "import", str(folder), "--publish")
    assert refused.exit_code == 1
    assert refused.err == (
        "Error: The slug is still a placeholder (draft-…); change it before publishing\n"
    )
    assert store_plugin.store.state.tools == {}
    assert len(store_plugin.store.state.audit) == audit_before
    hidden = cli("tools", "import", str(folder))
    assert hidden.exit_code == 0, hidden.err
    (tool,) = store_plugin.store.state.tools.values()
    assert (tool.slug, tool.is_published) == ("draft-gruppindelning", False)
