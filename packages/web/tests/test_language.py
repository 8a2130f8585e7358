"""Issue 11 (first Teachers bullet), UI-01: pages are Swedish unless the person chose English.
``Accept-Language`` alone never switches; the choice is made in the header or on the profile
page, remembered in the ``skriptoteket_lang`` cookie and, for a logged-in user, on the account
(so a new login on another device, without the cookie, keeps it)."""

from __future__ import annotations

import re

import pytest
from skriptoteket.domain.identity import Role

from .conftest import COOKIE as SESSION_COOKIE
from .conftest import EMAILS, PASSWORD, Site, post_login

LANG_COOKIE = "skriptoteket_lang"
ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}
SWITCH = re.compile(
    r'<form class="language-form" method="post" action="/language" hx-boost="false"'
    r' aria-label="([^"]+)">.*?name="next" value="([^"]*)".*?'
    r'<button type="submit" class="button button-quiet" name="language" value="(\w+)"'
    r' lang="(\w+)">(\w+)</button>',
    re.S,
)


def switch(page: str) -> tuple[str, str, str, str, str]:
    """(form label, next, offered language, its lang attribute, button text)."""
    found = SWITCH.search(page)
    assert found is not None, page
    label, next_path, value, lang, text = found.groups()
    return label, next_path, value, lang, text


def choose(site: Site, language: str, *, next_path: str = "/", csrf: str = "") -> str:
    """Post the header form; returns where it sends the browser."""
    data = {"language": language, "next": next_path}
    if csrf:
        data["csrf_token"] = csrf
    response = site.client.post("/language", data=data)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_an_english_browser_gets_swedish_pages(site: Site) -> None:
    page = site.client.get("/login", headers=ENGLISH_BROWSER)
    assert '<html lang="sv">' in page.text
    assert "<h1>Logga in</h1>" in page.text
    assert switch(page.text) == ("Språk", "/login", "en", "en", "English")
    site.login(Role.USER)
    home = site.client.get("/", headers=ENGLISH_BROWSER)
    assert '<html lang="sv">' in home.text
    assert ">Katalog</a>" in home.text


def test_the_header_switch_sets_the_cookie_and_the_next_page_is_english(site: Site) -> None:
    assert choose(site, "en", next_path="/login?x=1") == "/login?x=1"
    cookie = site.client.cookies.get(LANG_COOKIE)
    assert cookie == "en"
    page = site.client.get("/login")
    assert '<html lang="en">' in page.text
    assert "<h1>Log in</h1>" in page.text
    assert switch(page.text) == ("Language", "/login", "sv", "sv", "Svenska")
    # ... and back to Swedish, even with an English browser.
    assert choose(site, "sv") == "/"
    assert site.client.cookies.get(LANG_COOKIE) == "sv"
    again = site.client.get("/login", headers=ENGLISH_BROWSER)
    assert '<html lang="sv">' in again.text


def test_the_cookie_is_a_year_long_lax_and_http_only(site: Site) -> None:
    response = site.client.post("/language", data={"language": "en", "next": "/"})
    header = response.headers["set-cookie"]
    assert header.startswith(f"{LANG_COOKIE}=en;")
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"httponly", "max-age", "path"} <= attributes
    assert f"Max-Age={365 * 24 * 3600}" in header
    assert "SameSite=lax" in header
    assert "Path=/" in header


def test_a_logged_in_choice_persists_across_sessions_and_devices(site: Site) -> None:
    csrf = site.login(Role.CONTRIBUTOR)
    assert choose(site, "en", next_path="/profile", csrf=csrf) == "/profile"
    assert site.client.cookies.get(LANG_COOKIE) == "en"  # the login page after logout too
    stored = site.call(site.core.find_active_user, EMAILS[Role.CONTRIBUTOR])
    assert stored is not None
    assert stored.preferred_language == "en"
    profile = site.client.get("/profile")
    assert '<html lang="en">' in profile.text
    assert '<h2 id="language-heading">Language</h2>' in profile.text
    assert 'value="en" checked>' in profile.text

    # Another device: no cookies at all, a new login, a Swedish browser.
    site.client.cookies.clear()
    response = post_login(site.client, EMAILS[Role.CONTRIBUTOR], PASSWORD)
    assert response.status_code == 303
    assert site.client.cookies.get(LANG_COOKIE) is None
    home = site.client.get("/", headers={"Accept-Language": "sv"})
    assert '<html lang="en">' in home.text
    assert ">Catalog</a>" in home.text

    # The account wins over the cookie of this browser.
    site.client.cookies.set(LANG_COOKIE, "sv")
    assert '<html lang="en">' in site.client.get("/").text


def test_switching_back_to_swedish_on_the_profile_page(site: Site) -> None:
    csrf = site.login(Role.USER)
    choose(site, "en", csrf=csrf)
    page = site.client.get("/profile")
    assert 'value="en" checked>' in page.text
    assert choose(site, "sv", next_path="/profile", csrf=csrf) == "/profile"
    stored = site.call(site.core.find_active_user, EMAILS[Role.USER])
    assert stored is not None
    assert stored.preferred_language == "sv"
    site.client.cookies.delete(LANG_COOKIE)
    swedish = site.client.get("/profile", headers=ENGLISH_BROWSER)
    assert '<html lang="sv">' in swedish.text
    assert 'value="sv" checked>' in swedish.text
    assert ">Spara språk</button>" in swedish.text


@pytest.mark.parametrize("language", ["de", "", "EN", "sv-SE", "en\n"])
def test_an_unknown_language_is_refused(site: Site, language: str) -> None:
    refused = site.client.post("/language", data={"language": language, "next": "/"})
    assert refused.status_code == 400
    assert "Okänt språk." in refused.text
    assert LANG_COOKIE not in refused.headers.get("set-cookie", "")
    csrf = site.login(Role.USER)
    logged_in = site.client.post(
        "/language", data={"language": language, "next": "/", "csrf_token": csrf}
    )
    assert logged_in.status_code == 400
    stored = site.call(site.core.find_active_user, EMAILS[Role.USER])
    assert stored is not None
    assert stored.preferred_language is None


def test_a_forged_cookie_value_is_ignored(site: Site) -> None:
    site.client.cookies.set(LANG_COOKIE, "de")
    assert '<html lang="sv">' in site.client.get("/login").text


def test_the_choice_is_csrf_protected(site: Site) -> None:
    csrf = site.login(Role.USER)
    no_token = site.client.post("/language", data={"language": "en", "next": "/"})
    assert no_token.status_code == 403
    wrong = site.client.post(
        "/language", data={"language": "en", "next": "/", "csrf_token": csrf + "x"}
    )
    assert wrong.status_code == 403
    stored = site.call(site.core.find_active_user, EMAILS[Role.USER])
    assert stored is not None
    assert stored.preferred_language is None
    site.anonymous()
    cross_site = site.client.post(
        "/language",
        data={"language": "en", "next": "/"},
        headers={"Origin": "https://elak.example"},
    )
    assert cross_site.status_code == 403
    assert site.client.cookies.get(LANG_COOKIE) is None
    fetch = site.client.post(
        "/language", data={"language": "en"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert fetch.status_code == 403


@pytest.mark.parametrize(
    ("next_path", "location"),
    [
        ("/my-runs?before=x", "/my-runs?before=x"),
        ("//elak.example/", "/"),
        ("/\\elak.example", "/"),
        ("https://elak.example/", "/"),
        ("", "/"),
    ],
)
def test_it_returns_only_to_a_page_of_this_site(site: Site, next_path: str, location: str) -> None:
    assert choose(site, "en", next_path=next_path) == location


def test_logging_out_keeps_the_login_page_in_the_chosen_language(site: Site) -> None:
    csrf = site.login(Role.USER)
    choose(site, "en", csrf=csrf)
    out = site.client.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303
    site.client.cookies.delete(SESSION_COOKIE)
    assert "<h1>Log in</h1>" in site.client.get("/login").text
