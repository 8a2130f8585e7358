"""R4: the home page — who is logged in, and the catalog one click away: every profession with
its categories (each a link to its tool list) and a search box (CAT-11, NFR-07)."""

from __future__ import annotations

from skriptoteket.application.identity import CurrentSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from skriptoteket_web.auth import page
from skriptoteket_web.runtime import core
from skriptoteket_web.templating import render


@page()
async def home(request: Request, current: CurrentSession) -> Response:
    overview = await core(request).get_catalog_overview(current.user)
    return render(request, "home.html", {"overview": overview})


routes: list[BaseRoute] = [Route("/", home, methods=["GET"])]
