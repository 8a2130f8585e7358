"""Issue 11 (first Teachers bullet) in Chromium: an English browser still gets Swedish pages;
the header's language switch (keyboard and mouse) turns the pages English and back, at desktop
width and at 375 px; a logged-in choice follows the account to another device; the profile
page has the same choice. Screenshots under test-output/screenshots/language-*."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from .harness import CheckA11y, Server, Shoot, run_cli

pytestmark = pytest.mark.browser

PASSWORD = "Gröna-äpplen-42"
ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}


def new_account(server: Server) -> str:
    """A fresh account: the demo accounts' cached sessions must stay Swedish for other tests."""
    email = f"sprak-{uuid.uuid4().hex[:8]}@skolan.se"
    run_cli(server, "users", "add", "--email", email, "--password", PASSWORD)
    return email


def language_cookie(page: Page) -> str | None:
    found = [c for c in page.context.cookies() if c.get("name") == "skriptoteket_lang"]
    return found[0].get("value") if found else None


def switch(page: Page, label: str, button: str) -> None:
    """Press the header's language button (``label`` names the form in the page's language)."""
    target = page.get_by_role("banner").get_by_role("form", name=label)
    target.get_by_role("button", name=button, exact=True).click()


def assert_fits(page: Page) -> None:
    """Nothing in the header sticks out of the screen (375 px: the switch must be reachable)."""
    width = page.evaluate("document.documentElement.clientWidth")
    right = page.locator(".language-form button").evaluate("b => b.getBoundingClientRect().right")
    assert right <= width


@pytest.mark.parametrize("width", [1280, 375])
def test_the_header_switch_and_the_account_choice(
    page: Page,
    browser: Browser,
    server: Server,
    shoot: Shoot,
    check_a11y: CheckA11y,
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.context.set_extra_http_headers(ENGLISH_BROWSER)
    html = page.locator("html")

    # An English browser alone: Swedish.
    page.goto("/login")
    expect(html).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    english = page.get_by_role("banner").get_by_role("button", name="English", exact=True)
    expect(english).to_have_attribute("lang", "en")
    assert_fits(page)
    shoot(page, f"language-login-sv-{width}")

    # The switch by keyboard: Tab reaches it, Enter chooses.
    english.focus()
    page.keyboard.press("Enter")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.url.endswith("/login")
    assert language_cookie(page) == "en"
    shoot(page, f"language-login-en-{width}")

    # Logging in keeps English; switching back by mouse, then English again for the account.
    email = new_account(server)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    switch(page, "Language", "Svenska")
    expect(html).to_have_attribute("lang", "sv")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    assert language_cookie(page) == "sv"
    switch(page, "Språk", "English")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    assert_fits(page)
    check_a11y(page)
    shoot(page, f"language-home-en-{width}")

    # Another device: no cookie, a Swedish browser, a new login: English from the account.
    other = browser.new_context(
        base_url=server.base_url, locale="sv-SE", viewport={"width": width, "height": 800}
    )
    try:
        phone = other.new_page()
        phone.goto("/login")
        expect(phone.locator("html")).to_have_attribute("lang", "sv")
        phone.get_by_label("E-post").fill(email)
        phone.get_by_label("Lösenord").fill(PASSWORD)
        phone.get_by_role("button", name="Logga in").click()
        expect(phone.get_by_role("button", name="Log out")).to_be_visible()
        expect(phone.locator("html")).to_have_attribute("lang", "en")
    finally:
        other.close()

    # The profile page: back to Swedish.
    page.goto("/profile")
    choice = page.get_by_role("main").get_by_role("form", name="Language")
    expect(choice.get_by_role("radio", name="English")).to_be_checked()
    choice.get_by_role("radio", name="Svenska").check()
    choice.get_by_role("button", name="Save language").click()
    expect(html).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", name="Profil", exact=True)).to_be_visible()
    again = page.get_by_role("main").get_by_role("form", name="Språk")
    expect(again.get_by_role("radio", name="Svenska")).to_be_checked()
    check_a11y(page)
    shoot(page, f"language-profile-sv-{width}")
