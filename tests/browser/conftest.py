"""Fixtures for the real-browser tests: one server (SQLite, demo data) and one Chromium per
session, a fresh browser context (cookies, Swedish locale) per test."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    sync_playwright,
)
from skriptoteket.testing.services import service_missing

from .harness import (
    ACCOUNTS,
    AXE_REPORTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    Account,
    Console,
    Login,
    Server,
    axe_source,
    running_server,
)

DEFAULT_TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_REPORT_KEY] = report
    return report


_REPORT_KEY = pytest.StashKey[pytest.TestReport]()


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real app (``skriptoteket serve``) on 127.0.0.1 and a free
    port. One run at a time, so a second run visibly waits in the queue."""
    with running_server(
        tmp_path_factory.mktemp("browser-server"),
        extra_env={"SKRIPTOTEKET_RUN_CONCURRENCY": "1"},
    ) as srv:
        yield srv


# Package scope, not session: Playwright's sync API keeps an event loop running in this thread
# while it is open, which would break every asyncio test collected after the browser tests.
@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.is_file():
        service_missing("browser", f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    try:
        launched = playwright_instance.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
    except Exception as error:  # playwright raises its own Error type
        service_missing("browser", f"Chromium did not start: {error}")
        raise
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def axe_js() -> str:
    return axe_source()


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def context(browser: Browser, server: Server, console: Console) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        base_url=server.base_url,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    ctx.set_default_timeout(DEFAULT_TIMEOUT_MS)
    # On the context, so that a second page of the same test is watched too.
    ctx.on("console", lambda message: console.on_console(message))
    ctx.on("weberror", lambda error: console.errors.append(f"uncaught: {error.error}"))
    yield ctx
    ctx.close()


@pytest.fixture
def page(
    context: BrowserContext, console: Console, request: pytest.FixtureRequest
) -> Generator[Page]:
    pg = context.new_page()
    yield pg
    report = request.node.stash.get(_REPORT_KEY, None)
    if report is not None and report.failed and not pg.is_closed():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        pg.screenshot(path=str(SCREENSHOTS / f"FAILED-{name}.png"), full_page=True)
    console.check()


@pytest.fixture(scope="package")
def _session_cookies() -> dict[str, list[Any]]:
    return {}


@pytest.fixture
def login(server: Server, _session_cookies: dict[str, list[Any]]) -> Login:
    """Log ``page`` in as the demo account of ``role``.

    The first login per role goes through the form; later ones reuse that session's cookie
    (password hashing makes each form login cost about half a second). ``fresh=True`` always
    uses the form and keeps the session out of the cache (for tests that log out).
    """

    def do_login(pg: Page, role: str, *, fresh: bool = False) -> Account:
        account = ACCOUNTS[role]
        if not fresh and role in _session_cookies:
            pg.context.add_cookies(_session_cookies[role])
            pg.goto("/")
            if pg.get_by_role("button", name="Logga ut").count() == 1:
                return account
            pg.context.clear_cookies()
        pg.goto("/login")
        pg.get_by_label("E-post").fill(account.email)
        pg.get_by_label("Lösenord").fill(account.password)
        pg.get_by_role("button", name="Logga in").click()
        pg.wait_for_url(server.url("/"))
        pg.get_by_role("button", name="Logga ut").wait_for()
        if not fresh:
            _session_cookies[role] = list(pg.context.cookies())
        return account

    return do_login


@pytest.fixture
def shoot() -> Callable[[Page, str], Path]:
    """Save a full-page screenshot under test-output/screenshots/."""

    def do_shoot(pg: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return do_shoot


@pytest.fixture
def check_a11y(axe_js: str) -> Callable[[Page], list[dict[str, Any]]]:
    """Run axe-core on the page; fail on serious or critical violations, return the rest
    (every page's full list is written to test-output/axe/ for review).

    The app's CSP forbids inline scripts, so axe goes in through ``page.evaluate`` (a devtools
    evaluation, not subject to the page's CSP) rather than a ``<script>`` tag.
    """

    def run(pg: Page) -> list[dict[str, Any]]:
        if not pg.evaluate("typeof window.axe !== 'undefined'"):
            pg.evaluate(axe_js)
        violations: list[dict[str, Any]] = pg.evaluate(
            """async () => {
                const result = await axe.run(document, {
                    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                     "wcag22aa", "best-practice"]},
                });
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary),
                }));
            }"""
        )
        AXE_REPORTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", pg.url.split("//", 1)[-1].split("/", 1)[-1])
        (AXE_REPORTS / f"{name or 'root'}.json").write_text(
            json.dumps({"url": pg.url, "violations": violations}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"axe-core on {pg.url}: " + "\n".join(
            f"[{v['impact']}] {v['id']}: {v['help']}\n  " + "\n  ".join(v["nodes"][:5]) for v in bad
        )
        return violations

    return run
