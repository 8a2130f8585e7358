"""R5–R7 browsing (CAT-05–CAT-09) and the catalog search ``/katalog?q=&yrke=&kategori=&sida=``.

The "Kör" button links to ``/tools/{slug}/run`` and shows only for runnable tools (CAT-09,
TOOL-08). The search lists ``PAGE_SIZE`` tools a page (``sida`` = page number); the database
filters and pages (issue 4 benchmarks, DESIGN §9: 1,000 tools).
"""

from __future__ import annotations

import urllib.parse

from skriptoteket.application.identity import CurrentSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render

SEARCH_RESULTS_ID = "search-results"
PAGE_SIZE = 50
MAX_PAGE = 10_000


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def _search_url(query: str, profession: str | None, category: str | None, number: int) -> str:
    params = {"q": query, "yrke": profession or "", "kategori": category or ""}
    kept = {k: v for k, v in params.items() if v}
    if number > 1:
        kept["sida"] = str(number)
    return "/katalog" + ("?" + urllib.parse.urlencode(kept) if kept else "")


@page()
async def professions(request: Request, current: CurrentSession) -> Response:
    found = await core(request).list_professions(current.user)
    return render(request, "browse_professions.html", {"professions": found})


@page()
async def categories(request: Request, current: CurrentSession) -> Response:
    found = await core(request).list_categories_for_profession(
        current.user, profession_slug=request.path_params["profession_slug"]
    )
    return render(request, "browse_categories.html", {"found": found})


@page()
async def tools(request: Request, current: CurrentSession) -> Response:
    found = await core(request).list_tools_by_tags(
        current.user,
        profession_slug=request.path_params["profession_slug"],
        category_slug=request.path_params["category_slug"],
    )
    return render(request, "browse_tools.html", {"found": found})


@page()
async def search(request: Request, current: CurrentSession) -> Response:
    params = request.query_params
    query = params.get("q", "").strip()[:200]
    profession = params.get("yrke", "").strip() or None
    category = params.get("kategori", "").strip() or None
    number = _page_number(params.get("sida"))
    app = core(request)
    found = await app.search_catalog(
        current.user,
        query=query,
        profession_slug=profession,
        category_slug=category,
        limit=PAGE_SIZE + 1,  # one more tells whether there is a next page
        offset=(number - 1) * PAGE_SIZE,
    )
    results = found[:PAGE_SIZE]
    first = (number - 1) * PAGE_SIZE + 1
    context = {
        "query": query,
        "profession": profession or "",
        "category": category or "",
        "results": results,
        "paged": number > 1 or len(found) > PAGE_SIZE,
        "first": first,
        "last": first + len(results) - 1,
        "previous_url": _search_url(query, profession, category, number - 1) if number > 1 else "",
        "next_url": (
            _search_url(query, profession, category, number + 1) if len(found) > PAGE_SIZE else ""
        ),
    }
    if request.headers.get("hx-target") == SEARCH_RESULTS_ID:
        return render(request, "partials/search_results.html", context)
    context["professions"] = await app.list_professions(current.user)
    context["categories"] = await app.list_categories(current.user)
    return render(request, "catalog_search.html", context)


routes: list[BaseRoute] = [
    Route("/browse/", professions, methods=["GET"]),
    Route("/browse/{profession_slug}", categories, methods=["GET"]),
    Route("/browse/{profession_slug}/{category_slug}", tools, methods=["GET"]),
    Route("/katalog", search, methods=["GET"]),
]
