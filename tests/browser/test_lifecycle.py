"""The whole life of a tool in one browser session (SPEC §0, §8–§10): a contributor suggests it,
an admin accepts it, writes the script in the editor (CodeMirror), test-runs it on a real class
list, sends it for review, publishes the version and shows the tool in the catalog; a teacher
finds it in two clicks, runs it (queue position, then the result in the sandboxed iframe),
downloads the file and finds the run under "Mina körningar"; a superuser rolls back."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from .harness import ACCEPTANCE_DATA, CheckA11y, Login, Shoot
from .steps import accept_suggestion, focused, suggest

pytestmark = pytest.mark.browser


CLASS_LIST = ACCEPTANCE_DATA / "klasslista_7b_utf8_bom_semikolon.csv"
RUN_TIMEOUT_MS = 60_000

SCRIPT = '''\
def run_tool(input_path: str, output_dir: str) -> str:
    """Närvarolista: en rad per elev ur en klasslista (CSV med semikolon)."""
    import csv
    import os
    import time

    time.sleep(2)  # long enough for a second run to wait in the queue behind this one
    with open(input_path, encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.reader(handle, delimiter=";") if row]
    names = [row[0] for row in rows[1:]]
    with open(os.path.join(output_dir, "narvarolista.csv"), "w", encoding="utf-8") as out:
        out.write("Elev;Närvarande\\n")
        for name in names:
            out.write(f"{name};\\n")
    return f"<h1>Närvarolista</h1><p id='antal'>{len(names)} elever</p>"
'''


SCRIPT_V2 = SCRIPT.replace("time.sleep(2)", "time.sleep(0)").replace(
    "elever</p>", "elever (version 2)</p>"
)


def student_count() -> int:
    lines = CLASS_LIST.read_text(encoding="utf-8-sig").splitlines()
    return len([line for line in lines[1:] if line.strip()])


def type_into_code_editor(page: Page, source: str) -> None:
    """Replace the editor's text the way a user pastes it (CodeMirror when it has loaded)."""
    content = page.locator(".cm-content")
    expect(content).to_be_visible()  # editor.js enhanced the textarea
    expect(content).to_have_attribute("aria-label", "Källkod")
    content.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(source)
    # The textarea stays the form field: CodeMirror writes every change back into it.
    expect(page.locator("textarea#source_code")).to_have_value(source)


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths} on {page.url}"


def expect_run_toast(page: Page, text: str) -> Locator:
    """EXE-04, ED-08: the toast a final run brings, a status message in the page's polite live
    region (there from the start, so screen readers announce what is swapped into it)."""
    region = page.locator("#toast-region")
    expect(region).to_have_attribute("aria-live", "polite")
    toast = region.get_by_role("status")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text(text)
    return toast


def wait_for_final_run(page: Page, container: str) -> None:
    expect(page.locator(f"{container} section.run-result")).to_have_attribute(
        "data-run-status",
        re.compile(r"^(succeeded|failed|timed_out|cancelled)$"),
        timeout=RUN_TIMEOUT_MS,
    )


def test_tool_lifecycle_from_suggestion_to_rollback(
    page: Page, login: Login, shoot: Shoot, check_a11y: CheckA11y
) -> None:
    suffix = uuid.uuid4().hex[:6]
    title, slug = f"Närvarolista {suffix}", f"narvarolista-{suffix}"
    n = student_count()

    # 1. A contributor suggests the tool.
    login(page, "contributor")
    suggest(page, title, "Gör en närvarolista av klasslistan, en rad per elev.")

    # 2. An admin accepts it and opens the draft tool in the script editor.
    page.context.clear_cookies()
    login(page, "admin")
    accept_suggestion(page, title, "Bra, vi bygger den.")
    page.locator("dt", has_text="Utkast-tool").locator(
        "xpath=following-sibling::dd[1]"
    ).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Skripteditorn: {title}")
    expect(page.get_by_text("Nytt utkast")).to_be_visible()
    expect(page.get_by_text("Spara ett utkast innan du testkör.")).to_be_visible()
    check_a11y(page)
    shoot(page, "editor-new-draft")
    # CodeMirror's own theme is in effect: its <style> carries the page's CSP nonce (DESIGN
    # §6); without it the CSP would block the element (and the page fixture fails on the
    # console error). display:flex on .cm-editor comes only from that theme.
    expect(page.locator(".cm-editor")).to_have_css("display", "flex")
    assert page.evaluate(
        "[...document.querySelectorAll('head style')].some(s => s.sheet && s.sheet.cssRules.length)"
    )

    # 3. …writes the script in CodeMirror and saves it as a draft.
    type_into_code_editor(page, SCRIPT)
    page.get_by_label("Ändringssammanfattning").fill("Första versionen")
    page.get_by_role("button", name="Skapa utkast").click()
    expect(page.get_by_role("status").filter(has_text="Utkast skapat.")).to_be_visible()
    expect(page.get_by_text("Redigerar v1")).to_be_visible()
    expect(page.locator("textarea#source_code")).to_have_value(SCRIPT)
    # After the save, CodeMirror (not the raw textarea) is the editor again: one editor, the
    # textarea hidden from sight and from assistive technology, no sideways scrolling.
    expect(page.locator(".cm-editor")).to_have_count(1)
    expect(page.locator("textarea#source_code")).to_have_class(re.compile(r"visually-hidden"))
    expect(page.locator("textarea#source_code")).to_have_attribute("aria-hidden", "true")
    assert_no_horizontal_scroll(page)

    # 4. …test-runs it on a real class list (UTF-8 with BOM, semicolons).
    page.locator("#sandbox-heading ~ form").get_by_label("Ladda upp fil").set_input_files(
        CLASS_LIST
    )
    page.get_by_role("button", name="Testkör").click()
    wait_for_final_run(page, "#sandbox-result")
    result = page.locator("#sandbox-result")
    expect(result.get_by_role("heading", name="Körning: Lyckades")).to_be_visible()
    expect_run_toast(page, "Testkörning lyckades.")  # ED-08: the one success notice
    expect(result.locator(".notice-success")).to_have_count(0)  # not said twice (issue 11)
    expect(result).to_contain_text("Testläge")
    frame = result.locator("iframe.result-frame")
    expect(frame).to_have_attribute("sandbox", "")  # no allow-scripts (UI-07)
    expect(frame.content_frame.locator("#antal")).to_have_text(f"{n} elever")
    expect(result.get_by_role("link", name="narvarolista.csv")).to_be_visible()
    check_a11y(page)
    shoot(page, "editor-sandbox-result")

    # 5. …sends it for review, publishes the version and shows the tool in the catalog.
    page.get_by_label("Notis till granskare").fill("Klar att granska")
    page.get_by_role("button", name="Skicka för granskning").click()
    expect(page.get_by_role("status").filter(has_text="Skickat för granskning.")).to_be_visible()
    review = page.locator("section").filter(has=page.get_by_role("heading", name="Granskning"))
    review.get_by_role("button", name="Publicera").click()
    expect(page.get_by_role("status").filter(has_text="Publicerad.")).to_be_visible()
    # The suggestion's draft tool still has its temporary address (AMB-20): the catalog button
    # waits until the admin gives it one of its own.
    catalog = page.locator("section").filter(
        has=page.get_by_role("heading", name="Katalog", exact=True)
    )
    expect(catalog.get_by_role("button", name="Visa i katalogen")).to_be_disabled()
    expect(catalog).to_contain_text("Verktyget har fortfarande en tillfällig adress (draft-…)")
    page.get_by_label("Adress (slug)").fill(slug)
    page.get_by_role("button", name="Spara metadata").click()
    expect(page.get_by_role("status").filter(has_text="Metadata sparad.")).to_be_visible()
    page.get_by_role("button", name="Visa i katalogen").click()
    expect(page.get_by_text("Verktyget visas i katalogen.")).to_be_visible()
    shoot(page, "editor-published")

    # 6. A teacher finds it in two clicks from the catalog.
    page.context.clear_cookies()
    login(page, "user")
    page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Lärare", exact=True)
    ).get_by_role("link", name="Administration").click()
    page.locator("li.tool-card").filter(has=page.get_by_role("heading", name=title)).get_by_role(
        "link", name="Kör"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    check_a11y(page)
    run_url = page.url
    assert run_url.endswith(f"/tools/{slug}/run")  # its own address, never draft-…

    # 7. Two runs at once: the first occupies the only worker, the second shows its place in
    #    the queue, then its result.
    page.get_by_label("Ladda upp fil").set_input_files(CLASS_LIST)
    page.get_by_role("button", name="Kör", exact=True).click()
    expect(page.locator("#result-container section.run-result")).to_be_visible()
    second = page.context.new_page()
    second.goto(run_url)
    second.get_by_label("Ladda upp fil").set_input_files(CLASS_LIST)
    second.get_by_role("button", name="Kör", exact=True).click()
    expect(second.locator("#result-container")).to_contain_text(re.compile(r"Plats i kön: \d"))
    shoot(second, "run-queued")
    wait_for_final_run(second, "#result-container")
    out = second.locator("#result-container")
    expect(out.get_by_role("heading", name="Körning: Lyckades")).to_be_visible()
    expect_run_toast(second, "Körning lyckades.")  # EXE-04: the one success notice
    expect(out.locator(".notice-success")).to_have_count(0)  # not said twice (issue 11)
    expect(out.get_by_role("heading", name="Resultat")).to_be_visible()
    frame = out.locator("iframe.result-frame")
    expect(frame).to_have_attribute("sandbox", "")
    expect(frame.content_frame.locator("#antal")).to_have_text(f"{n} elever")
    expect(out).not_to_contain_text("Utdata")  # users never see stdout/stderr (EXE-04)
    check_a11y(second)
    shoot(second, "run-result")
    second.close()
    wait_for_final_run(page, "#result-container")
    expect(page.locator("#result-container")).to_contain_text("Körning: Lyckades")
    toast = expect_run_toast(page, "Körning lyckades.")
    toast.get_by_role("button", name="Stäng").click()  # static/js/app.js, no inline script
    expect(toast).to_have_count(0)

    # 8. …downloads the file.
    with page.expect_download() as download_info:
        page.locator("#result-container").get_by_role("link", name="narvarolista.csv").click()
    download = download_info.value
    assert download.suggested_filename == "narvarolista.csv"
    downloaded = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert downloaded[0] == "Elev;Närvarande"
    assert len(downloaded) == n + 1

    # 9. …and finds the runs under "Mina körningar".
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Mina körningar"
    ).click()
    rows = page.get_by_role("row").filter(has_text=title)
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Lyckades")
    check_a11y(page)
    shoot(page, "my-runs")
    rows.first.get_by_role("link", name="Visa").click()
    expect(page).to_have_url(re.compile(r"/my-runs/[0-9a-f-]+$"))
    expect(page.locator("iframe.result-frame").content_frame.locator("#antal")).to_have_text(
        f"{n} elever"
    )
    shoot(page, "my-run-detail")

    # 10. The admin publishes a second version with a different result text…
    page.context.clear_cookies()
    login(page, "admin")
    page.goto("/admin/tools")
    page.get_by_role("row").filter(has_text=title).get_by_role("link", name="Redigera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Skripteditorn: {title}")
    type_into_code_editor(page, SCRIPT_V2)
    page.get_by_role("button", name="Skapa utkast").click()
    expect(page.get_by_role("status").filter(has_text="Utkast skapat.")).to_be_visible()
    page.get_by_role("button", name="Skicka för granskning").click()
    expect(page.get_by_role("status").filter(has_text="Skickat för granskning.")).to_be_visible()
    page.locator("section").filter(has=page.get_by_role("heading", name="Granskning")).get_by_role(
        "button", name="Publicera"
    ).click()
    expect(page.get_by_role("status").filter(has_text="Publicerad.")).to_be_visible()
    assert run_once(page, run_url) == f"{n} elever (version 2)"

    # 11. …and a superuser rolls back to the first version (history: newest first).
    page.context.clear_cookies()
    login(page, "superuser")
    page.goto("/admin/tools")
    page.get_by_role("row").filter(has_text=title).get_by_role("link", name="Redigera").click()
    versions = page.locator("#version-list li.version-item")
    expect(versions.filter(has_text="Publicerad")).to_have_count(1)
    first = versions.filter(has=page.get_by_role("link", name="#1", exact=True))
    expect(first).to_contain_text("Arkiverad")
    page.once("dialog", lambda dialog: dialog.accept())  # "Återställ denna version som ny …?"
    first.get_by_role("button", name="Återställ").click()
    expect(page.get_by_role("status").filter(has_text="Versionen återställd.")).to_be_visible()
    expect(versions.filter(has_text="Publicerad")).to_have_count(1)
    expect(versions.first).to_contain_text("Publicerad")  # the restored copy is the newest
    check_a11y(page)
    shoot(page, "editor-rolled-back")
    # Runs get the first version's result again, at once (here the superuser's own run).
    assert run_once(page, run_url) == f"{n} elever"


def run_once(page: Page, run_url: str) -> str:
    """Run the tool at ``run_url`` on the class list; the result iframe's count text."""
    page.goto(run_url)
    page.get_by_label("Ladda upp fil").set_input_files(CLASS_LIST)
    page.get_by_role("button", name="Kör", exact=True).click()
    wait_for_final_run(page, "#result-container")
    frame = page.locator("#result-container iframe.result-frame").content_frame
    return frame.locator("#antal").inner_text()


def test_run_page_works_with_the_keyboard_only(page: Page, login: Login) -> None:
    login(page, "user")
    page.goto("/tools/rakna-rader/run")
    page.locator("main").focus()
    order = []
    for _ in range(3):
        page.keyboard.press("Tab")
        order.append(focused(page))
    assert order == ["a '← Tillbaka till katalog'", "input#input-file", "button#run-button"]
    # A file chooser cannot be driven headless: pick the file, then go on with the keyboard.
    page.locator("#input-file").set_input_files(ACCEPTANCE_DATA / "lektionsplanering_fotosyntes.md")
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "input#input-file"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wait_for_final_run(page, "#result-container")
    expect(page.locator("#result-container")).to_contain_text("Körning: Lyckades")
    # "Kör igen" is reachable too and leads back to the form: the next Tab is in the form.
    again = page.get_by_role("link", name="Kör igen")
    again.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page) == "input#input-file"
