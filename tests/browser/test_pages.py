"""Each role's navigation (UI-02) and the main pages in Chromium: they render in Swedish, pass
axe-core without serious or critical violations, and are saved as screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .harness import CheckA11y, Console, Login, Shoot

pytestmark = pytest.mark.browser


NAV: dict[str, list[str]] = {
    "user": ["Katalog", "Mina körningar", "Profil"],
    "contributor": ["Katalog", "Mina körningar", "Mina verktyg", "Föreslå skript", "Profil"],
    "admin": [
        "Katalog",
        "Mina körningar",
        "Mina verktyg",
        "Föreslå skript",
        "Förslag",
        "Testyta",
        "Användare",
        "Nomineringar",
        "Händelselogg",
        "Profil",
    ],
}
NAV["superuser"] = NAV["admin"]
ROLE_LABEL = {
    "user": "Användare",
    "contributor": "Bidragsgivare",
    "admin": "Administratör",
    "superuser": "Superanvändare",
}


@pytest.mark.parametrize("role", ["user", "contributor", "admin", "superuser"])
def test_each_role_sees_its_navigation(page: Page, login: Login, shoot: Shoot, role: str) -> None:
    account = login(page, role, fresh=True)
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link")).to_have_text(NAV[role])
    expect(page.get_by_role("main")).to_contain_text(
        f"Inloggad som {account.email} ({ROLE_LABEL[role]})."
    )
    expect(page.get_by_role("link", name="Skriptoteket", exact=True)).to_have_attribute("href", "/")
    shoot(page, f"home-{role}")

    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_have_count(0)
    page.goto("/")
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    assert page.url.endswith("/login")


def test_wrong_password_shows_the_swedish_error(page: Page, shoot: Shoot, console: Console) -> None:
    # The answer is 400 (ID-13, the route matrix), which Chromium and htmx both log as errors.
    console.expect(r"status of 400 \(Bad Request\) \(http://[^)]+/login\)")
    console.expect(r"Response Status Error Code 400 from /login")
    page.goto("/login")
    page.get_by_label("E-post").fill("larare@demo.skriptoteket.se")
    page.get_by_label("Lösenord").fill("fel-lösenord")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_text("Fel e-post eller lösenord.")).to_be_visible()
    shoot(page, "login-error")


# (role, path, main heading, screenshot name)
PAGES: list[tuple[str, str, str, str]] = [
    ("anon", "/login", "Logga in", "login"),
    ("user", "/", "Skriptoteket", "home"),
    ("user", "/browse/", "Välj yrke", "browse-professions"),
    ("user", "/browse/larare", "Lärare", "browse-categories"),
    ("user", "/browse/larare/administration", "Lärare / Administration", "browse-tools"),
    ("user", "/katalog?q=klasslista", "Sök verktyg", "catalog-search"),
    ("user", "/profile", "Profil", "profile"),
    ("user", "/tools/rakna-rader/run", "Räkna rader och tecken", "run-page"),
    ("user", "/my-runs", "Mina körningar", "my-runs"),
    ("contributor", "/suggestions/new", "Föreslå ett skript", "suggestion-form"),
    ("contributor", "/my-tools", "Mina verktyg", "my-tools"),
    ("admin", "/admin/suggestions", "Förslag", "admin-suggestions"),
    ("admin", "/admin/tools", "Testyta", "admin-tools"),
    ("admin", "/admin/users", "Användare", "admin-users"),
    (
        "admin",
        "/admin/users/deactivate?email=larare%40demo.skriptoteket.se",
        "Inaktivera användare",
        "admin-users-deactivate",
    ),
    ("admin", "/admin/nominations", "Nomineringar till administratör", "admin-nominations"),
    ("admin", "/admin/audit", "Händelselogg", "admin-audit"),
    ("superuser", "/admin/nominations", "Nomineringar till administratör", "superuser-nominations"),
]


@pytest.mark.parametrize(
    ("role", "path", "heading", "name"), PAGES, ids=[f"{p[0]}:{p[1]}" for p in PAGES]
)
def test_main_pages_are_accessible(
    page: Page,
    login: Login,
    shoot: Shoot,
    check_a11y: CheckA11y,
    role: str,
    path: str,
    heading: str,
    name: str,
) -> None:
    if role != "anon":
        login(page, role)
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path}: HTTP {response.status}"
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    check_a11y(page)
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{path} scrolls sideways at 1280 px: {widths}"
    shoot(page, name)


def test_profile_token_is_shown_once_and_can_be_revoked(
    page: Page, login: Login, shoot: Shoot, check_a11y: CheckA11y
) -> None:
    login(page, "contributor")
    page.goto("/profile")
    page.get_by_label("Namn").fill("webbläsartest")
    page.get_by_role("button", name="Skapa API-nyckel").click()
    expect(page.get_by_role("heading", name="Din nya API-nyckel")).to_be_visible()
    secret = page.get_by_label("API-nyckel", exact=True)
    expect(secret).to_have_value(re.compile(r"^skt_"))
    check_a11y(page)
    shoot(page, "profile-token-issued")

    row = page.get_by_role("row").filter(has_text="webbläsartest")
    row.get_by_role("button", name="Återkalla").click()
    expect(page.get_by_text("API-nyckeln är återkallad.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="webbläsartest")).to_contain_text("Återkallad")
    page.reload()
    expect(page.get_by_label("API-nyckel", exact=True)).to_have_count(0)


def test_the_axe_check_catches_a_real_violation(
    page: Page, login: Login, check_a11y: CheckA11y
) -> None:
    """Guards the harness itself: axe really runs on the app's pages despite the CSP."""
    page.goto("/login?axe-selftest")
    # (An inline style="" would be dropped by the CSP; the CSSOM is allowed.)
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.insertAdjacentHTML("beforeend", '<input id="unlabelled"><p id="faint">svag</p>');
            document.getElementById("faint").style.color = "#eeeeee";
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        check_a11y(page)
    assert "[critical] label" in str(failure.value)
    assert "[serious] color-contrast" in str(failure.value)


NARROW_PAGES = [
    ("anon", "/login"),
    ("user", "/"),
    ("user", "/katalog?q=klasslista"),
    ("user", "/tools/rakna-rader/run"),
    ("user", "/my-runs"),
    ("admin", "/admin/tools"),
    ("admin", "/admin/users"),
]


@pytest.mark.parametrize(("role", "path"), NARROW_PAGES, ids=[f"{r}:{p}" for r, p in NARROW_PAGES])
def test_pages_reflow_on_a_phone(
    page: Page, login: Login, shoot: Shoot, check_a11y: CheckA11y, role: str, path: str
) -> None:
    """WCAG 1.4.10: at 320 CSS px wide nothing but data tables may scroll sideways."""
    page.set_viewport_size({"width": 320, "height": 640})
    if role != "anon":
        login(page, role)
    page.goto(path)
    overflow = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter(el => !el.closest("table, .visually-hidden, .skip-link"))
            .filter(el => el.getBoundingClientRect().right
                          > document.documentElement.clientWidth + 1)
            .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                       + (el.className ? "." + String(el.className).split(" ").join(".") : ""))"""
    )
    assert not overflow, f"{path} is wider than a 320 px screen: {overflow[:8]}"
    check_a11y(page)
    shoot(page, "phone-" + (path.strip("/").split("?")[0].replace("/", "-") or "home"))
