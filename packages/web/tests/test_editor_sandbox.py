"""R25–R27, ED-08–ED-11, ED-13: "Testkör" in the editor, polled like the run page, with
stdout ("Utdata"), stderr ("Felutdata"), the HTML preview and the artifacts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from skriptoteket.domain.identity import Role

from .conftest import post_login
from .runsite import (
    CRASH,
    HX,
    WITH_FILE,
    RunSite,
    assert_result_frame_headers,
    make_run_site,
    toast_of,
)


@pytest.fixture
def rsite(tmp_path: Path) -> Iterator[RunSite]:
    yield from make_run_site(tmp_path)


def run_id_of(text: str) -> str:
    found = re.search(r'id="run-([0-9a-f-]{36})"', text)
    assert found, text
    return found.group(1)


def test_sandbox_run_shows_logs_preview_and_artifacts(rsite: RunSite) -> None:
    tool = rsite.tool("Rapport")
    contributor = rsite.users[Role.CONTRIBUTOR]
    draft = rsite.call(
        rsite.core.create_draft_version, contributor, tool_id=tool.id, source_code=WITH_FILE
    )
    csrf = rsite.login(Role.CONTRIBUTOR)
    page = rsite.client.get(f"/admin/tool-versions/{draft.id}").text
    assert f'hx-post="/admin/tool-versions/{draft.id}/run-sandbox"' in page
    assert ">Testkör</button>" in page
    assert 'id="sandbox-result" class="result-container" aria-live="polite"' in page
    started = rsite.client.post(
        f"/admin/tool-versions/{draft.id}/run-sandbox",
        data={"csrf_token": csrf, "tool_id": str(tool.id)},
        files={"file": ("lista.csv", b"ada\n")},
        headers=HX,
    )
    assert started.status_code == 200, started.text
    run_id = run_id_of(started.text)
    assert f'hx-get="/admin/tool-runs/{run_id}"' in started.text
    done = rsite.wait_final(f"/admin/tool-runs/{run_id}")
    for text in (
        "Körning: Lyckades",
        "Testläge",
        "Testkörning lyckades.",
        "HTML-förhandsvisning",
        "Utdata",
        "Felutdata",
        "skrivet till stdout",
        "Artefakter",
        "(4 byte)",
    ):
        assert text in done.text, text
    assert toast_of(done.text) == "success: Testkörning lyckades."  # ED-08
    preview = f"/admin/tool-runs/{run_id}/result.html"
    assert f'<iframe class="result-frame" sandbox="" src="{preview}"' in done.text
    assert "Klar" not in done.text
    link = f"/admin/tool-runs/{run_id}/artifacts/output_rapport_txt"
    assert link in done.text
    got = rsite.client.get(link)
    assert got.content == b"ADA\n"
    assert got.headers["content-disposition"] == 'attachment; filename="rapport.txt"'
    full = rsite.client.get(f"/admin/tool-runs/{run_id}")  # without htmx: a page
    assert "<html" in full.text
    rsite.login(Role.USER)
    assert rsite.client.get(link).status_code == 403
    other = rsite.add_user(Role.CONTRIBUTOR, "annan@skolan.se")
    rsite.call(
        rsite.core.assign_maintainer, rsite.users[Role.ADMIN], tool_id=tool.id, email=other.email
    )
    rsite.client.cookies.clear()
    response = post_login(rsite.client, other.email, "Gröna-äpplen-42")
    assert response.status_code == 303
    assert rsite.client.get(f"/admin/tool-runs/{run_id}").status_code == 404  # not theirs
    assert rsite.client.get(link).status_code == 404


def test_sandbox_result_document_ED_10(rsite: RunSite) -> None:
    """The HTML preview's document has the run's own rule (ED-10 as the run page: the requester
    or an admin, anyone else 404; a user 403 by role) and the result frame's headers."""
    tool = rsite.tool("Förhandsvisning")
    contributor = rsite.users[Role.CONTRIBUTOR]
    draft = rsite.call(
        rsite.core.create_draft_version, contributor, tool_id=tool.id, source_code=WITH_FILE
    )
    csrf = rsite.login(Role.CONTRIBUTOR)
    started = rsite.client.post(
        f"/admin/tool-versions/{draft.id}/run-sandbox",
        data={"csrf_token": csrf},
        files={"file": ("lista.csv", b"ada\n")},
        headers=HX,
    )
    run_id = run_id_of(started.text)
    rsite.wait_final(f"/admin/tool-runs/{run_id}")
    url = f"/admin/tool-runs/{run_id}/result.html"
    own = rsite.client.get(url)
    assert_result_frame_headers(own)
    assert own.text == "<!DOCTYPE html>\n<p>Klar</p>"
    for role in (Role.ADMIN, Role.SUPERUSER):
        rsite.login(role)
        assert_result_frame_headers(rsite.client.get(url))
    rsite.login(Role.USER)
    assert rsite.client.get(url).status_code == 403
    other = rsite.add_user(Role.CONTRIBUTOR, "annan@skolan.se")
    rsite.call(
        rsite.core.assign_maintainer, rsite.users[Role.ADMIN], tool_id=tool.id, email=other.email
    )
    rsite.client.cookies.clear()
    response = post_login(rsite.client, other.email, "Gröna-äpplen-42")
    assert response.status_code == 303
    assert rsite.client.get(url).status_code == 404  # a maintainer, but not their run
    rsite.anonymous()
    anonymous = rsite.client.get(url)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login"


def test_sandbox_failure_shows_details_to_authors(rsite: RunSite) -> None:
    tool = rsite.tool("Kraschar")
    admin = rsite.users[Role.ADMIN]
    draft = rsite.call(rsite.core.create_draft_version, admin, tool_id=tool.id, source_code=CRASH)
    csrf = rsite.login(Role.ADMIN)
    started = rsite.client.post(
        f"/admin/tool-versions/{draft.id}/run-sandbox",
        data={"csrf_token": csrf},
        files={"file": ("a.txt", b"x")},
        headers=HX,
    )
    done = rsite.wait_final(f"/admin/tool-runs/{run_id_of(started.text)}")
    assert "Testkörning misslyckades." in done.text
    assert toast_of(done.text) == "error: Testkörning misslyckades."
    assert "Verktyget misslyckades. (KeyError)" in done.text
    assert "Traceback" in done.text  # stderr, for the author (NFR-06)
    assert "Inga artefakter." in done.text
    broken = rsite.call(
        rsite.core.create_draft_version, admin, tool_id=tool.id, source_code="def run_tool(:\n"
    )
    syntax = rsite.client.post(
        f"/admin/tool-versions/{broken.id}/run-sandbox",
        data={"csrf_token": csrf},
        files={"file": ("a.txt", b"x")},
    )
    assert syntax.status_code == 200
    assert "<html" in syntax.text  # without htmx: the editor with the result
    assert "SyntaxError" in syntax.text


def test_sandbox_rules_ED_13(rsite: RunSite) -> None:
    tool = rsite.versioned_tool("Publicerat", WITH_FILE)
    active = next(
        v
        for v in rsite.call(rsite.core.list_versions, rsite.users[Role.ADMIN], tool_id=tool.id)
        if v.state.value == "active"
    )
    csrf = rsite.login(Role.CONTRIBUTOR)
    page = rsite.client.get(f"/admin/tool-versions/{active.id}").text
    assert "Skapa ett utkast innan du testkör." in page
    assert "run-sandbox" not in page
    refused = rsite.client.post(
        f"/admin/tool-versions/{active.id}/run-sandbox",
        data={"csrf_token": csrf},
        files={"file": ("a.txt", b"x")},
        headers=HX,
    )
    assert refused.status_code == 403
    assert "Du saknar behörighet för detta." in refused.text
    empty = rsite.client.post(
        f"/admin/tool-versions/{active.id}/run-sandbox", data={"csrf_token": csrf}
    )
    assert empty.status_code == 403
