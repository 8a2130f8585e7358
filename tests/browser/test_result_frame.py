"""A tool's HTML result in Chromium (UI-07, DESIGN §6): the iframe loads it from its own URL
with its own CSP, so the tool's ``<style>`` rules, ``style=""`` attributes and ``data:`` images
apply, while a ``<script>`` in it never runs (sandboxed iframe without allow-scripts, and a
CSP without script sources and with ``sandbox``)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .harness import ACCEPTANCE_DATA, Console, Login, Server, Shoot, run_cli

pytestmark = pytest.mark.browser

# A 1×1 PNG.
PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgaGD4"
    "DwAChAGA+gVWHQAAAABJRU5ErkJggg=="
)
SCRIPT = f"""\
def run_tool(input_path: str, output_dir: str) -> str:
    return (
        "<style>#stil {{ color: rgb(0, 100, 0); border-left: 4px solid rgb(107, 28, 46); }}</style>"
        '<h1 id="stil">Formaterat resultat</h1>'
        '<p id="fet" style="font-weight: 700">Fet text</p>'
        '<img id="bild" alt="En grön punkt" src="data:image/png;base64,{PIXEL}">'
        '<p id="skript">Inget skript har körts.</p>'
        "<script>document.getElementById('skript').textContent = 'Skriptet körde!';</script>"
    )
"""
TOOL_TOML = """\
slug = "{slug}"
title = "Formaterat resultat {suffix}"
summary = "Visar ett resultat med egen stil."
professions = ["larare"]
categories = ["ovrigt"]
"""


def import_tool(server: Server, folder: Path) -> str:
    """A published tool with ``SCRIPT`` (``skriptoteket tools import --publish``)."""
    suffix = uuid.uuid4().hex[:6]
    slug = f"formaterat-{suffix}"
    folder.mkdir()
    (folder / "tool.toml").write_text(TOOL_TOML.format(slug=slug, suffix=suffix), "utf-8")
    (folder / "script.py").write_text(SCRIPT, "utf-8")
    run_cli(server, "tools", "import", str(folder), "--publish")
    return slug


def test_tool_html_is_styled_but_its_script_never_runs(
    page: Page, login: Login, server: Server, shoot: Shoot, console: Console, tmp_path: Path
) -> None:
    slug = import_tool(server, tmp_path / "verktyg")
    # The only console error: Chromium's note that the sandbox blocked the tool's script.
    console.expect(r"Blocked script execution in 'http://[^']+/my-runs/[0-9a-f-]+/result\.html'")
    login(page, "user")
    page.goto(f"/tools/{slug}/run")
    page.get_by_label("Ladda upp fil").set_input_files(
        ACCEPTANCE_DATA / "klasslista_7b_utf8_bom_semikolon.csv"
    )
    page.get_by_role("button", name="Kör", exact=True).click()
    out = page.locator("#result-container")
    expect(out.locator("section.run-result")).to_have_attribute(
        "data-run-status", "succeeded", timeout=60_000
    )
    iframe = out.locator("iframe.result-frame")
    expect(iframe).to_have_attribute("sandbox", "")
    expect(iframe).to_have_attribute("src", re.compile(r"^/my-runs/[0-9a-f-]+/result\.html$"))
    expect(iframe).to_have_attribute("title", "Resultat")
    frame = iframe.content_frame
    expect(frame.locator("#stil")).to_have_text("Formaterat resultat")
    expect(frame.locator("#stil")).to_have_css("color", "rgb(0, 100, 0)")  # the <style> rule
    expect(frame.locator("#stil")).to_have_css("border-left-color", "rgb(107, 28, 46)")
    expect(frame.locator("#fet")).to_have_css("font-weight", "700")  # style="" attribute
    expect(frame.locator("#bild")).to_have_js_property("naturalWidth", 1)  # a data: image
    expect(frame.locator("#skript")).to_have_text("Inget skript har körts.")
    shoot(page, "run-result-styled")
    # The same document straight from its URL, as a tab would open it: still no script.
    src = iframe.get_attribute("src")
    assert src is not None
    response = page.goto(src)
    assert response is not None
    assert response.status == 200
    headers = response.headers
    assert "sandbox" in headers["content-security-policy"]
    assert "frame-ancestors 'self'" in headers["content-security-policy"]
    expect(page.locator("#stil")).to_have_css("color", "rgb(0, 100, 0)")
    expect(page.locator("#skript")).to_have_text("Inget skript har körts.")
