"""The real Skriptoteket server in a subprocess and helpers for driving it with Chromium.

Only loopback addresses are used: the server binds 127.0.0.1 on a free port, and the browser is
Debian's ``chromium`` (``/usr/bin/chromium``), never a Playwright browser download.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import attrs
from skriptoteket.testing.processes import ServerProcess, cli_output, process_env

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

CHROMIUM = Path(os.environ.get("SKRIPTOTEKET_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
HERE = Path(__file__).parent
AXE_JS = HERE / "vendor" / "axe-core-4.14.1.min.js"
REPO_ROOT = HERE.parent.parent
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
AXE_REPORTS = REPO_ROOT / "test-output" / "axe"
TOOLBANK = REPO_ROOT / "packages" / "cli" / "src" / "skriptoteket_cli" / "toolbank"
ACCEPTANCE_DATA = REPO_ROOT / "packages" / "cli" / "tests" / "data" / "acceptance"

DEMO_DOMAIN = "demo.skriptoteket.se"


@attrs.frozen
class Account:
    role: str
    email: str
    password: str


# The demo accounts of ``skriptoteket demo`` (skriptoteket_cli.demo_data), one per role.
ACCOUNTS: dict[str, Account] = {
    role: Account(role, f"{name}@{DEMO_DOMAIN}", f"{name}-demo-2026")
    for role, name in {
        "user": "larare",
        "contributor": "bidragsgivare",
        "admin": "admin",
        "superuser": "rektor",
    }.items()
}


@attrs.define
class Console:
    """Every console error and uncaught exception of every page (and frame) a test opens.

    Any of them fails the test: there is no list of tolerated messages. A test that provokes
    one on purpose (a 4xx answer, a script the sandbox blocks) says which with ``expect``; the
    test then also fails if that error did not happen."""

    errors: list[str] = attrs.Factory(list)
    expected: list[re.Pattern[str]] = attrs.Factory(list)

    def expect(self, pattern: str) -> None:
        """An error matching ``pattern`` (a regular expression) must occur and is allowed."""
        self.expected.append(re.compile(pattern))

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def check(self) -> None:
        missing = [p.pattern for p in self.expected if not any(p.search(e) for e in self.errors)]
        unexpected = [e for e in self.errors if not any(p.search(e) for p in self.expected)]
        assert not missing, f"expected console errors did not occur: {missing} (saw {self.errors})"
        assert not unexpected, f"JavaScript or console errors: {unexpected}"


class Login(Protocol):
    def __call__(self, pg: Page, role: str, *, fresh: bool = False) -> Account: ...


Shoot = Callable[["Page", str], Path]
CheckA11y = Callable[["Page"], list[dict[str, Any]]]


def clean_env(data_dir: Path) -> dict[str, str]:
    """The environment of a ``skriptoteket`` subprocess on ``data_dir``: the caller's without
    its ``SKRIPTOTEKET_*`` settings (``process_env``)."""
    return process_env({"SKRIPTOTEKET_DATA_DIR": str(data_dir)})


def run_cli(server: Server, *args: str) -> str:
    """``skriptoteket ARGS`` on the running server's database (its data directory)."""
    return cli_output(clean_env(server.data_dir), *args)


def import_tool(
    server: Server,
    where: Path,
    *,
    slug: str,
    title: str,
    script: str,
    schema: str = "",
    summary: str = "Ett verktyg för webbläsartesterna.",
) -> None:
    """``skriptoteket tools import DIR --publish`` of a tool folder written under ``where``:
    created, draft → review → published, shown. ``schema`` is appended to ``tool.toml``."""
    folder = where / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tool.toml").write_text(
        f'slug = "{slug}"\ntitle = "{title}"\nsummary = "{summary}"\n'
        'professions = ["larare"]\ncategories = ["administration"]\n' + schema,
        encoding="utf-8",
    )
    (folder / "script.py").write_text(script, encoding="utf-8")
    run_cli(server, "tools", "import", str(folder), "--publish")


def cli_options() -> dict[str, set[str]]:
    """Each ``skriptoteket`` command and its option flags, read from the click group in-process
    (the CLI's commands arrive on other branches: ``serve``, ``demo --no-serve``)."""
    from skriptoteket_cli.main import build_cli, default_plugin_manager

    group = build_cli(default_plugin_manager())
    return {
        name: {
            flag
            for param in command.params
            for flag in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
        }
        for name, command in group.commands.items()
    }


def seed(env: dict[str, str], options: dict[str, set[str]]) -> None:
    """Migrate the fresh database and add the demo accounts and tools (``skriptoteket demo``)."""
    cli_output(env, "db", "upgrade")
    demo = options.get("demo", set())
    if "--no-serve" in demo:
        cli_output(env, "demo", "--no-serve")
    elif "--serve" in demo or "--port" in demo:
        raise RuntimeError("skriptoteket demo would serve and has no --no-serve")
    else:
        cli_output(env, "demo")


@attrs.frozen
class Server:
    base_url: str
    data_dir: Path
    log: Path
    pid: int = 0  # the server process (its /proc/PID/status shows its memory)

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@contextlib.contextmanager
def running_server(
    workdir: Path, *, extra_env: dict[str, str] | None = None, startup_timeout: float = 60
) -> Iterator[Server]:
    """``skriptoteket serve`` on a fresh data directory seeded by ``skriptoteket demo``."""
    data_dir = workdir / "data"
    env = clean_env(data_dir)
    env.update(extra_env or {})
    seed(env, cli_options())
    process = ServerProcess.create(workdir, env)
    process.start()
    try:
        process.wait_healthy(startup_timeout)
        yield Server(base_url=process.base_url, data_dir=data_dir, log=process.log, pid=process.pid)
    finally:
        process.stop(timeout=15)


def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")
