"""User journeys in Chromium: suggest → accept, the catalog in two clicks, live search, and
keyboard-only use of the login page."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from .harness import ACCOUNTS, CheckA11y, Login, Shoot
from .steps import accept_suggestion, focused, suggest

pytestmark = pytest.mark.browser


def test_contributor_suggests_and_admin_accepts(
    page: Page, login: Login, shoot: Shoot, check_a11y: CheckA11y
) -> None:
    title = f"Närvarolista {uuid.uuid4().hex[:6]}"
    login(page, "contributor")
    suggest(page, title, "Gör en närvarolista av en klasslista.\nEn rad per elev.")
    shoot(page, "suggestion-submitted")

    page.context.clear_cookies()
    login(page, "admin")
    page.goto("/admin/suggestions")
    check_a11y(page)
    accept_suggestion(page, title, "Bra idé, vi bygger den.")
    history = page.locator("li.card").filter(has_text="Bra idé, vi bygger den.")
    expect(history).to_contain_text("Acceptera (ev. med ändringar)")
    expect(history).to_contain_text(ACCOUNTS["admin"].email)
    check_a11y(page)
    shoot(page, "suggestion-accepted")

    # The accepted suggestion became a draft tool: in the test area, not yet publishable.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Testyta").click()
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text("Ej publicerad")
    expect(row.get_by_role("button", name="Publicera")).to_be_disabled()
    expect(row).to_contain_text("Ingen aktiv version")

    # …and a teacher does not see it in the catalog.
    page.context.clear_cookies()
    login(page, "user")
    page.goto("/katalog?q=" + title)
    expect(page.locator("#search-results")).to_contain_text("0 verktyg hittades.")


def test_teacher_reaches_a_tool_from_the_catalog_in_two_clicks(
    page: Page, login: Login, shoot: Shoot
) -> None:
    login(page, "user")
    # The home page is the catalog's first level: profession cards with their categories.
    lararen = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Lärare", exact=True)
    )
    lararen.get_by_role("link", name="Administration").click()  # click 1
    expect(page.get_by_role("heading", name="Lärare / Administration")).to_be_visible()
    shoot(page, "catalog-larare-administration")
    tool = page.locator("li.tool-card").filter(
        has=page.get_by_role("heading", name="Mejladresser till vårdnadshavare")
    )
    tool.get_by_role("link", name="Kör").click()  # click 2
    expect(page).to_have_url(re.compile(r"/tools/vardnadshavare-mejl/run$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mejladresser till vårdnadshavare")
    expect(page.locator("#run-form input[type=file]").first).to_be_visible()
    expect(page.get_by_role("button", name="Kör", exact=True)).to_be_enabled()


def test_catalog_search_filters_while_typing(page: Page, login: Login, shoot: Shoot) -> None:
    login(page, "user")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Katalog").click()
    page.get_by_role("link", name="Sök bland alla verktyg").click()
    expect(page.get_by_role("heading", name="Sök verktyg")).to_be_visible()
    results = page.locator("#search-results")
    expect(results.locator("li.tool-card")).not_to_have_count(0)
    page.get_by_label("Sök", exact=True).press_sequentially("lix", delay=30)
    expect(results.locator("li.tool-card")).to_have_count(1)
    expect(results).to_contain_text("Läsbarhet (LIX)")
    expect(page).to_have_url(re.compile(r"/katalog\?q=lix"))  # hx-push-url keeps it linkable
    page.get_by_label("Sök", exact=True).fill("")
    page.get_by_label("Yrke").select_option(label="Rektor")
    expect(page).to_have_url(re.compile(r"yrke=rektor"))
    shoot(page, "catalog-search-filtered")


def test_login_page_works_with_the_keyboard_only(page: Page) -> None:
    account = ACCOUNTS["user"]
    page.goto("/login")
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(focused(page))
    assert order == [
        "a 'Hoppa till innehållet'",
        "a 'Skriptoteket'",
        "button 'English'",  # the header's language choice (issue 11)
        "input#email",
        "input#password",
        "button 'Logga in'",
    ]
    # The skip link moves focus to the main content.
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
    assert focused(page) == "a 'Hoppa till innehållet'"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.keyboard.press("Tab")
    assert focused(page) == "input#email"
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")  # Enter in a field submits the form
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    expect(page.get_by_text(f"Inloggad som {account.email}")).to_be_visible()

    # Focus is visible: the focused control gets an outline from the stylesheet.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
