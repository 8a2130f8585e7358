"""Meta-test: every command, option and ``SKRIPTOTEKET_*`` variable in docs/deploy.md exists
(issue 10: the deployment guide must stay precise). Commands are the guide's ``skt …`` lines
and its units' ``…/bin/skriptoteket …`` lines, checked against the real CLI (plugins included)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import attrs
import click
import pytest
from skriptoteket.settings import PREFIX, Settings
from skriptoteket_cli.main import build_cli, default_plugin_manager
from skriptoteket_web.web_settings import WebSettings

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
# Being added by issue 10 in parallel branches; the guide marks them "(issue 10)". Remove an entry
# once the CLI has it (the test then checks it like every other).
PENDING: set[tuple[str, str]] = set()  # commands or options the guide names before they exist
COMMAND_LINE = re.compile(r"^(?:skt|\S*/bin/skriptoteket|ExecStart=\S*/bin/skriptoteket) (.+)$")


def _code_lines() -> list[str]:
    blocks = re.findall(r"```[a-z]*\n(.*?)```", DOC, re.S)
    return [line.strip() for block in blocks for line in block.splitlines()]


def command_lines() -> list[str]:
    found = []
    for line in _code_lines():
        line = line.removeprefix("ExecStart=")
        match = COMMAND_LINE.match(line)
        if match:
            found.append(match.group(1).split("#", 1)[0].strip())
    return found


def test_the_guide_has_commands() -> None:
    lines = command_lines()
    assert any(line.startswith("db upgrade") for line in lines)
    assert any(line.startswith("worker ") for line in lines)
    assert any(line.startswith("serve ") for line in lines)


@pytest.mark.parametrize("line", command_lines())
def test_command_exists(line: str) -> None:
    command: click.Command = build_cli(default_plugin_manager())
    path: list[str] = []
    words = shlex.split(line)
    while words and isinstance(command, click.Group) and not words[0].startswith("-"):
        name = words.pop(0)
        if name not in command.commands:
            pending = not path and name in {c for c, _ in PENDING}
            assert pending, f"no command {name!r}"
            return
        command = command.commands[name]
        path.append(name)
    options = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    for word in words:
        if word.startswith("-"):
            option = word.split("=", 1)[0]
            pending = (" ".join(path), option) in PENDING
            assert option in options or pending, f"{' '.join(path)} has no option {option}"


def known_variables() -> set[str]:
    names = {PREFIX + field.name.upper() for field in attrs.fields(Settings)}
    names |= {PREFIX + field.name.upper() for field in attrs.fields(WebSettings)}
    for source in ROOT.glob("packages/*/src/**/*.py"):
        names |= set(re.findall(r"SKRIPTOTEKET_[A-Z0-9_]+", source.read_text(encoding="utf-8")))
    return names


def test_every_variable_exists() -> None:
    used = set(re.findall(r"SKRIPTOTEKET_[A-Z0-9_]+\b", DOC))
    assert "SKRIPTOTEKET_DATABASE_URL" in used
    assert used - known_variables() == set()


def test_the_guide_is_linked_from_the_readme() -> None:
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
