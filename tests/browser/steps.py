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


def type_code(page: Page, source: str) -> None:
    """Replace the script editor's text the way a user pastes it into CodeMirror."""
    content = page.locator(".cm-content")
    expect(content).to_be_visible()
    content.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(source)
    expect(page.locator("textarea#source_code")).to_have_value(source)


def login_with(page: Page, email: str, password: str) -> None:
    """Log in through the form as any account (not only the cached demo ones)."""
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("button", name="Logga ut").wait_for()


def open_editor(page: Page, title: str, *, via: str = "Testyta") -> None:
    """Open the script editor of the tool titled ``title`` from "Testyta" (admins) or
    "Mina verktyg" (maintainers)."""
    page.goto("/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=via).click()
    if via == "Testyta":
        row = page.get_by_role("row").filter(has_text=title)
    else:
        row = page.locator("li.tool-card").filter(has=page.get_by_role("heading", name=title))
    row.get_by_role("link", name="Redigera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Skripteditorn: {title}")
