"""The run page follows a run through its event stream (issue 10): with EventSource the section
listens to ``/api/v1/runs/{id}/events`` and stops polling once the run is running, so the
result appears when the run ends, not at the next poll; without EventSource it polls every
second as before. Either way the teacher sees the same page: progress, result, "Kör igen"."""

from __future__ import annotations

import re
import time
import uuid

import attrs
import pytest
from playwright.sync_api import Page, Request, expect
from skriptoteket_web.pages.run_support import EARLY_POLL_SECONDS

from .harness import Login, Server, Shoot, import_tool

pytestmark = pytest.mark.browser

RUN_SECONDS = 6
RUN_TIMEOUT_MS = 60_000
SCHEMA = """\
contract = 2

[[input_schema.fields]]
name = "hej"
label = "Hälsning"
kind = "text"
default = "hej"
"""
SCRIPT = f"""\
import time


def run_tool(input_dir: str, output_dir: str, inputs: dict) -> str:
    time.sleep({RUN_SECONDS})
    return "<p>Utvilad</p>"
"""


@pytest.fixture(scope="module")
def slow_tool(server: Server, tmp_path_factory: pytest.TempPathFactory) -> str:
    slug = f"sov-{uuid.uuid4().hex[:6]}"
    import_tool(
        server,
        tmp_path_factory.mktemp("slow"),
        slug=slug,
        title=f"Sov {slug[-6:]}",
        script=SCRIPT,
        schema=SCHEMA,
        summary="Sover en stund.",
    )
    return slug


@attrs.define
class Requests:
    """The status polls and event streams the page asks for, with when."""

    polls: list[float] = attrs.Factory(list)
    streams: list[str] = attrs.Factory(list)
    late: int = 0  # polls once the run was past its first EARLY_POLL_SECONDS

    def on_request(self, request: Request) -> None:
        if re.search(r"/my-runs/[^/]+/status", request.url):
            self.polls.append(time.monotonic())
        elif re.search(r"/api/v1/runs/[^/]+/events$", request.url):
            self.streams.append(request.resource_type)


def _run_and_watch(page: Page, slug: str) -> Requests:
    """Start a run, see it through; the status requests once the run was past its first
    ``EARLY_POLL_SECONDS`` (while young, the page also looks every 200 ms on its own)."""
    seen = Requests()
    page.on("request", lambda request: seen.on_request(request))
    page.goto(f"/tools/{slug}/run")
    page.get_by_role("button", name="Kör", exact=True).click()
    clicked = time.monotonic()
    result = page.locator("#result-container section.run-result")
    expect(result).to_have_attribute("data-run-status", "running", timeout=RUN_TIMEOUT_MS)
    expect(result).to_contain_text("Verktyget körs")
    expect(result).to_have_attribute("data-run-status", "succeeded", timeout=RUN_TIMEOUT_MS)
    late = [t for t in seen.polls if t > clicked + EARLY_POLL_SECONDS + 0.5]
    expect(result.get_by_role("heading", name="Körning: Lyckades")).to_be_visible()
    expect(result.locator("iframe.result-frame")).to_be_visible()
    expect(page.frame_locator("iframe.result-frame").get_by_text("Utvilad")).to_be_visible()
    expect(result.get_by_role("link", name="Kör igen")).to_be_visible()
    seen.late = len(late)
    return seen


def test_run_page_shows_the_result_through_the_event_stream(
    page: Page, login: Login, slow_tool: str, shoot: Shoot
) -> None:
    login(page, "user")
    seen = _run_and_watch(page, slow_tool)
    assert "eventsource" in seen.streams
    # Past its first seconds the page did not poll: one reload when the stream said done.
    assert seen.late <= 1, seen.polls
    shoot(page, "run-events-succeeded")


def test_run_page_polls_without_event_source(page: Page, login: Login, slow_tool: str) -> None:
    page.add_init_script("delete window.EventSource;")
    login(page, "user")
    seen = _run_and_watch(page, slow_tool)
    assert seen.streams == []
    assert seen.late >= 2, seen.polls  # every second, as before
