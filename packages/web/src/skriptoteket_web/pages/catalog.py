"""R5–R7 browsing (CAT-05–CAT-09) and the catalog search ``/katalog?q=&yrke=&kategori=``.

The "Kör" button links to ``/tools/{slug}/run`` (the run pages arrive later) and shows only
for runnable tools (CAT-09, TOOL-08).
"""

from __future__ import annotations

from skriptoteket.application.identity import CurrentSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render

SEARCH_RESULTS_ID = "search-results"


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
    app = core(request)
    results = await app.search_catalog(
        current.user, query=query, profession_slug=profession, category_slug=category
    )
    context = {
        "query": query,
        "profession": profession or "",
        "category": category or "",
        "results": results,
        "professions": await app.list_professions(current.user),
        "categories": await app.list_categories(current.user),
    }
    if request.headers.get("hx-target") == SEARCH_RESULTS_ID:
        return render(request, "partials/search_results.html", context)
    return render(request, "catalog_search.html", context)


routes: list[BaseRoute] = [
    Route("/browse/", professions, methods=["GET"]),
    Route("/browse/{profession_slug}", categories, methods=["GET"]),
    Route("/browse/{profession_slug}/{category_slug}", tools, methods=["GET"]),
    Route("/katalog", search, methods=["GET"]),
]
