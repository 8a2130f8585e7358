"""The web app shell: /health and plugin routes (skriptoteket_register_web_routes).

No runner backend is installed in this package's tests, so the app runs with execution off."""

from __future__ import annotations

import gc
from collections.abc import Iterable

from skriptoteket.plugins import hookimpl, make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket_web import hookspecs
from skriptoteket_web.app import create_app
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Route
from starlette.testclient import TestClient


async def hej(request: Request) -> PlainTextResponse:
    return PlainTextResponse("Hej!")


class GreetingPlugin:
    @hookimpl
    def skriptoteket_register_web_routes(self) -> Iterable[BaseRoute]:
        yield Route("/hej", hej)


def test_health_and_plugin_route() -> None:
    pm = make_plugin_manager(
        load_entrypoints=False, extra_specs=[hookspecs], extra_plugins=[GreetingPlugin()]
    )
    app = create_app(Settings(database_url="memory://"), pm, execution=False)
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get("/hej").text == "Hej!"


def test_freeze_heap_moves_the_start_up_heap_out_of_the_collectors_reach() -> None:
    """``serve`` freezes the heap once started, so full collections skip it (catalog p99)."""
    gc.unfreeze()
    try:
        with TestClient(create_app(Settings(database_url="memory://"), execution=False)):
            assert gc.get_freeze_count() == 0  # tests and embedders keep a normal collector
        app = create_app(Settings(database_url="memory://"), execution=False, freeze_heap=True)
        with TestClient(app) as client:
            assert gc.get_freeze_count() > 10_000
            assert client.get("/health").status_code == 200
    finally:
        gc.unfreeze()
