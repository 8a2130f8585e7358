"""R30–R33, EXE-01–EXE-13: the teacher's run page, the polled status partial, cancel, my runs
and downloads, on the local runner."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from skriptoteket.domain.identity import Role

from .runsite import HELLO, HX, RunSite, make_run_site


@pytest.fixture
def rsite(tmp_path: Path) -> Iterator[RunSite]:
    yield from make_run_site(tmp_path)


def run_id_of(text: str) -> str:
    found = re.search(r'id="run-([0-9a-f-]{36})"', text)
    assert found, text
    return found.group(1)


def test_smoke_run(rsite: RunSite) -> None:
    tool = rsite.versioned_tool("Hälsning", HELLO)
    csrf = rsite.login(Role.USER)
    page = rsite.client.get(f"/tools/{tool.slug}/run")
    assert page.status_code == 200, page.text
    assert "Ladda upp fil" in page.text
    started = rsite.client.post(
        f"/tools/{tool.slug}/run",
        data={"csrf_token": csrf},
        files={"file": ("lista.csv", b"a;b\n")},
        headers=HX,
    )
    assert started.status_code == 200, started.text
    run_id = run_id_of(started.text)
    done = rsite.wait_final(f"/my-runs/{run_id}/status")
    assert "Lyckades" in done.text
    assert html.escape("<p>Hej från verktyget</p>") in done.text
