"""ID-20, AMB-13: every state-changing request of a cookie session needs the session's CSRF
token (form field ``csrf_token`` or header ``X-CSRF-Token``); missing or wrong → 403."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from skriptoteket.domain.identity import Role

from .conftest import Site, make_site
from .test_route_matrix import MATRIX, build_scene

POSTS = sorted(key for key in MATRIX if key[0] != "GET")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """Execution on: the scene includes runs (the run pages and the editor's sandbox)."""
    yield from make_site(data_dir=tmp_path)


@pytest.mark.parametrize(("method", "path"), POSTS)
@pytest.mark.parametrize("token", [None, "fel-token"])
def test_missing_or_wrong_token_is_403_on_every_post(
    site: Site, method: str, path: str, token: str | None
) -> None:
    scene = build_scene(site, "superuser")
    site.login(Role.SUPERUSER)
    expect = MATRIX[(method, path)]
    data = dict(expect.body(scene) if expect.body else {})
    if token is not None:
        data["csrf_token"] = token
    response = site.client.request(method, path.format(**scene.values), data=data)
    assert response.status_code == 403
    assert "Sidan har gått ut. Ladda om den och försök igen." in response.text


def test_header_token_is_accepted_and_wrong_header_refused(site: Site) -> None:
    csrf = site.login(Role.CONTRIBUTOR)
    body = {
        "title": "Via htmx",
        "description": "Skickat med hx-headers",
        "professions": "larare",
        "categories": "ovrigt",
    }
    ok = site.client.post("/suggestions/new", data=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 303
    bad = site.client.post(
        "/suggestions/new", data={**body, "csrf_token": csrf}, headers={"X-CSRF-Token": "x"}
    )
    assert bad.status_code == 403


def test_json_body_without_header_is_refused(site: Site) -> None:
    site.login(Role.USER)
    response = site.client.post("/profile/tokens", json={"csrf_token": "x"})
    assert response.status_code == 403


def test_multipart_form_token_is_accepted(site: Site) -> None:
    csrf = site.login(Role.USER)
    response = site.client.post(
        "/profile/tokens",
        data={"csrf_token": csrf, "name": "fil"},
        files={"bilaga": ("a.txt", b"hej", "text/plain")},
    )
    assert response.status_code == 201


def test_pages_carry_the_token_in_forms_and_htmx_headers(site: Site) -> None:
    csrf = site.login(Role.ADMIN)
    page = site.client.get("/admin/users")
    assert f'name="csrf_token" value="{csrf}"' in page.text
    assert f'hx-headers=\'{{"X-CSRF-Token": "{csrf}"}}\'' in page.text
    assert 'hx-boost="true"' in page.text


def test_anonymous_posts_need_no_token_but_go_to_login(site: Site) -> None:
    response = site.client.post("/suggestions/new", data={"title": "x"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
