"""Issue 9 item 3 (ID-14, ID-18): a login post must come from this site's own login form —
the form's login token (a double-submit cookie set by ``GET /login``) and a same-origin
request (``Origin``, ``Sec-Fetch-Site``). Otherwise 403, the login page says it has expired,
and no session cookie is set."""

from __future__ import annotations

import pytest
from skriptoteket.domain.identity import Role

from .conftest import COOKIE, EMAILS, LOGIN_TOKEN, PASSWORD, Site, post_login

EXPIRED = "Sidan har gått ut. Ladda om den och försök igen."


def _token(site: Site) -> str:
    page = site.client.get("/login")
    assert page.status_code == 200
    assert "skriptoteket_login=" in page.headers["set-cookie"]
    found = LOGIN_TOKEN.search(page.text)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://angripare.example"},
        {"Origin": "http://testserver.angripare.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_cross_site_login_post_is_refused_without_a_session(
    site: Site, headers: dict[str, str]
) -> None:
    token = _token(site)  # even with the right token: the request comes from another site
    response = site.client.post(
        "/login",
        data={"email": EMAILS[Role.USER], "password": PASSWORD, "login_token": token},
        headers=headers,
    )
    assert response.status_code == 403
    assert f"{COOKIE}=" not in response.headers.get("set-cookie", "")
    assert EXPIRED in response.text


@pytest.mark.parametrize("token", [None, "", "x" * 43])
def test_login_post_without_the_forms_token_is_refused(site: Site, token: str | None) -> None:
    _token(site)
    data = {"email": EMAILS[Role.USER], "password": PASSWORD}
    if token is not None:
        data["login_token"] = token
    response = site.client.post("/login", data=data)
    assert response.status_code == 403
    assert f"{COOKIE}=" not in response.headers.get("set-cookie", "")
    assert EXPIRED in response.text
    # The refused page carries a fresh form: logging in from it works.
    retry = LOGIN_TOKEN.search(response.text)
    assert retry is not None
    data["login_token"] = retry.group(1)
    assert site.client.post("/login", data=data).status_code == 303


def test_token_without_its_cookie_is_refused(site: Site) -> None:
    token = _token(site)
    site.client.cookies.clear()
    response = site.client.post(
        "/login", data={"email": EMAILS[Role.USER], "password": PASSWORD, "login_token": token}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "http://testserver"}, {"Sec-Fetch-Site": "same-origin"}],
)
def test_same_origin_login_with_the_forms_token_works(site: Site, headers: dict[str, str]) -> None:
    token = _token(site)
    response = site.client.post(
        "/login",
        data={"email": EMAILS[Role.USER], "password": PASSWORD, "login_token": token},
        headers=headers,
    )
    assert response.status_code == 303
    assert response.cookies[COOKIE]


def test_token_is_kept_across_login_pages(site: Site) -> None:
    """Two tabs with the login page: both forms carry the same token."""
    assert _token(site) == _token(site)
    assert post_login(site.client, EMAILS[Role.USER], PASSWORD).status_code == 303
