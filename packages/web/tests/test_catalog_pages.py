"""R4–R7 and the catalog search: texts, order, "Kör" only for runnable tools (CAT-05–CAT-11,
TOOL-06, TOOL-08), 404 for unknown slugs, and a tool two clicks from the home page."""

from __future__ import annotations

import re

from skriptoteket.domain.identity import Role
from skriptoteket_web.pages.catalog import PAGE_SIZE

from .conftest import Site


def test_professions_in_order_CAT_05(site: Site) -> None:
    site.login(Role.USER)
    page = site.client.get("/browse/")
    assert "Välj yrke" in page.text
    labels = re.findall(r'href="/browse/[a-z]+">([^<]+)</a>', page.text)
    assert labels == ["Lärare", "Specialpedagog", "Skoladministratör", "Rektor", "Gemensamt"]


def test_categories_and_unknown_profession_CAT_06(site: Site) -> None:
    site.login(Role.USER)
    page = site.client.get("/browse/rektor")
    assert "← Tillbaka till yrken" in page.text
    assert re.findall(r'href="/browse/rektor/[a-z]+">([^<]+)</a>', page.text) == [
        "Lektionsplanering",
        "Mentorskap",
        "Administration",
        "Övrigt",
    ]
    missing = site.client.get("/browse/finns-inte")
    assert missing.status_code == 404
    assert "Hittades inte." in missing.text
    assert "Profession not found" not in missing.text


def test_tool_list_only_published_with_run_button_CAT_07_CAT_09(site: Site) -> None:
    shown = site.published_tool("Bra verktyg", summary="Gör listor")
    hidden = site.tool("Dolt utkast")
    site.login(Role.USER)
    page = site.client.get("/browse/larare/administration")
    assert "Lärare / Administration" in page.text
    assert "← Tillbaka till kategorier" in page.text
    assert "Bra verktyg" in page.text
    assert "Gör listor" in page.text
    assert f'href="/tools/{shown.slug}/run">Kör</a>' in page.text
    assert hidden.title not in page.text
    empty = site.client.get("/browse/larare/mentorskap")
    assert "Inga verktyg ännu." in empty.text
    assert site.client.get("/browse/larare/finns-inte").status_code == 404


def test_depublished_tool_disappears_TOOL_06(site: Site) -> None:
    tool = site.published_tool("Försvinner")
    site.call(
        site.core.set_tool_published, site.users[Role.ADMIN], tool_id=tool.id, published=False
    )
    site.login(Role.USER)
    assert "Försvinner" not in site.client.get("/browse/larare/administration").text
    assert "Försvinner" not in site.client.get("/katalog").text


def test_a_tool_is_two_clicks_from_home_CAT_11(site: Site) -> None:
    tool = site.published_tool("Namnskyltar", categories=("mentorskap",))
    site.login(Role.USER)
    home = site.client.get("/")
    link = "/browse/larare/mentorskap"
    assert f'href="{link}"' in home.text  # click 1: a category straight from home
    assert f'href="/tools/{tool.slug}/run"' in site.client.get(link).text  # click 2: Kör
    assert 'action="/katalog"' in home.text


def test_search_by_words_and_filters(site: Site) -> None:
    site.published_tool("Mejllista vårdnadshavare", summary="BCC till Outlook")
    site.published_tool("Namnskyltar", professions=("rektor",), categories=("ovrigt",))
    site.tool("Mejl utkast")
    site.login(Role.USER)
    found = site.client.get("/katalog", params={"q": "outlook mejl"})
    assert "Mejllista vårdnadshavare" in found.text
    assert "Namnskyltar" not in found.text
    assert "Mejl utkast" not in found.text
    assert "1 verktyg hittades." in found.text
    by_tag = site.client.get("/katalog", params={"yrke": "rektor", "kategori": "ovrigt"})
    assert "Namnskyltar" in by_tag.text
    assert "Mejllista" not in by_tag.text
    assert '<option value="rektor" selected>' in by_tag.text
    none = site.client.get("/katalog", params={"q": "finns inte"})
    assert "Inga verktyg matchar sökningen." in none.text
    assert site.client.get("/katalog", params={"yrke": "okant"}).status_code == 404


def test_htmx_search_returns_only_the_results(site: Site) -> None:
    site.published_tool("Mejllista")
    site.login(Role.USER)
    partial = site.client.get(
        "/katalog",
        params={"q": "mejl"},
        headers={"HX-Request": "true", "HX-Target": "search-results"},
    )
    assert "Mejllista" in partial.text
    assert "<html" not in partial.text


def test_search_pages_through_many_tools(site: Site) -> None:
    """Issue 4 / DESIGN §9: the catalog lists PAGE_SIZE tools a page, in title order, with
    links to the previous and next page that keep the search."""
    for n in range(PAGE_SIZE + 5):
        site.published_tool(f"Verktyg {n:02d} för åk 7")
    site.login(Role.USER)
    first = site.client.get("/katalog", params={"q": "ÅK"})
    assert "Visar verktyg 1–50." in first.text
    assert first.text.count(">Kör</a>") == PAGE_SIZE
    assert "Verktyg 00 för åk 7" in first.text
    assert "Verktyg 50 för åk 7" not in first.text
    assert 'href="/katalog?q=%C3%85K&amp;sida=2" rel="next">Nästa sida</a>' in first.text
    assert "Föregående sida" not in first.text
    second = site.client.get("/katalog", params={"q": "ÅK", "sida": "2"})
    assert "Visar verktyg 51–55." in second.text
    assert second.text.count(">Kör</a>") == 5
    assert "Verktyg 54 för åk 7" in second.text
    assert 'href="/katalog?q=%C3%85K" rel="prev">Föregående sida</a>' in second.text
    assert "Nästa sida" not in second.text
    assert "Visar verktyg 1–50." in site.client.get("/katalog?sida=inte-ett-tal").text
    beyond = site.client.get("/katalog", params={"sida": "9"})
    assert "Inga verktyg matchar sökningen." in beyond.text
    assert 'href="/katalog?sida=8" rel="prev"' in beyond.text


def test_health_and_ready(site: Site) -> None:
    assert site.client.get("/health").json() == {"status": "ok"}
    ready = site.client.get("/ready").json()
    assert ready["status"] == "ready"
    assert ready["checks"]["database"] == "ok"
