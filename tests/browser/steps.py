"""Steps that several browser tests share."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def suggest(page: Page, title: str, description: str) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Föreslå skript"
    ).click()
    expect(page.get_by_role("heading", name="Föreslå ett skript")).to_be_visible()
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Beskrivning").fill(description)
    page.get_by_role("group", name="Yrken").get_by_label("Lärare").check()
    page.get_by_role("group", name="Kategorier").get_by_label("Administration").check()
    page.get_by_role("button", name="Skicka förslag").click()
    expect(page.get_by_role("status")).to_have_text(
        "Förslaget är skickat och ligger i granskningskön."
    )
    assert page.url.endswith("/suggestions/new?submitted=1")


def accept_suggestion(page: Page, title: str, rationale: str) -> str:
    """Accept the suggestion titled ``title`` on the review pages; returns its URL."""
    page.goto("/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Förslag").click()
    card = page.locator("li.card").filter(has=page.get_by_role("heading", name=title))
    expect(card).to_contain_text("bidragsgivare@demo.skriptoteket.se")
    card.get_by_role("link", name="Öppna").click()
    expect(page.get_by_role("heading", name="Granska förslag")).to_be_visible()
    page.get_by_role("group", name="Typ").get_by_label("Acceptera (ev. med ändringar)").check()
    page.get_by_label("Motivering").fill(rationale)
    page.get_by_role("button", name="Spara beslut").click()
    expect(page.get_by_role("status")).to_have_text("Beslut sparat.")
    expect(page.get_by_text("Förslaget är redan granskat.")).to_be_visible()
    return page.url


def focused(page: Page) -> str:
    """A short description of the focused element: tag#id, or tag 'text'."""
    desc: str = page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el) return "";
            const tag = el.tagName.toLowerCase();
            return el.id ? `${tag}#${el.id}` : `${tag} '${(el.textContent || "").trim()}'`;
        }"""
    )
    return desc
