"""The web app shell: /health and plugin routes (skriptoteket_register_web_routes).

No runner backend is installed in this package's tests, so the app runs with execution off."""

from __future__ import annotations

import gc
import logging
import os
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import pytest
from skriptoteket.plugins import hookimpl, make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket.testing.trees import make_deep_tree
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


def test_serve_starts_over_a_leftover_deep_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 9 item 1: a killed server's 1,200-level workspace is removed at start-up, and one
    that cannot be removed is logged — the server starts either way."""
    work = tmp_path / "work"
    removable, stuck = work / str(uuid.uuid4()), work / str(uuid.uuid4())
    make_deep_tree(removable, 1200)
    make_deep_tree(stuck, 1200)
    (stuck / "immutable.txt").write_text("chattr +i")
    an_hour_ago = time.time() - 3600  # a killed server's leftovers (younger ones are spared)
    for leftover in (removable, stuck):
        os.utime(leftover, (an_hour_ago, an_hour_ago))
    real_unlink = os.unlink

    def unlink(path: str, *, dir_fd: int | None = None) -> None:
        if path == "immutable.txt":
            raise PermissionError(1, "Operation not permitted (immutable)")
        real_unlink(path, dir_fd=dir_fd)

    monkeypatch.setattr(os, "unlink", unlink)
    settings = Settings(database_url="memory://", data_dir=tmp_path)
    with caplog.at_level(logging.WARNING), TestClient(create_app(settings)) as client:
        assert client.get("/health").json() == {"status": "ok"}
    assert not removable.exists()
    assert sorted(p.name for p in stuck.iterdir()) == ["immutable.txt"]
    (warning,) = [r.getMessage() for r in caplog.records if str(stuck) in r.getMessage()]
    assert "immutable.txt: " in warning
    assert len(warning) < 5000  # a 1,200-level path is not logged in full
