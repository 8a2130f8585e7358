"""Security headers and CSP on every response (pages, redirects, errors, static files, 500s),
ERR-08 correlation ids, and ERR-03/ERR-04 error shapes (Swedish HTML, JSON for /api/)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol

import pytest
from skriptoteket.domain.errors import forbidden
from skriptoteket.domain.identity import Role
from skriptoteket.plugins import hookimpl, make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket.testing.fakes import FakePasswordHasher
from skriptoteket_web import hookspecs
from skriptoteket_web.app import CoreServices, create_app
from skriptoteket_web.middleware.security_headers import content_security_policy
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.testclient import TestClient

from .conftest import Site


class HasHeaders(Protocol):
    @property
    def headers(self) -> Mapping[str, str]: ...


# No inline script or style; the one exception is a per-request nonce for <style> elements
# (CodeMirror's theme, DESIGN §6). Framing: only this app's own result frames (frame-src).
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; "
    "img-src 'self' data:; frame-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
NONCE = r"[A-Za-z0-9_-]{24}"


def csp_nonce(response: HasHeaders) -> str:
    """The nonce of a page's CSP, which must be exactly the expected policy."""
    pattern = re.escape(EXPECTED_CSP).replace(re.escape("{nonce}"), f"({NONCE})")
    found = re.fullmatch(pattern, response.headers["content-security-policy"])
    assert found, response.headers["content-security-policy"]
    return found.group(1)


def assert_security_headers(response: HasHeaders) -> None:
    headers = response.headers
    csp_nonce(response)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"]
    assert headers["permissions-policy"]
    assert headers["x-correlation-id"]


def test_csp_is_the_required_policy() -> None:
    assert content_security_policy("abc") == EXPECTED_CSP.format(nonce="abc")


def test_each_response_has_its_own_nonce_and_the_page_carries_it(site: Site) -> None:
    """CodeMirror's <style> (editor.js) takes the nonce from <meta name="csp-nonce">, which
    must be the one of the page's own policy; a nonce is never reused."""
    site.login(Role.USER)
    nonces = []
    for _ in range(3):
        page = site.client.get("/")
        nonce = csp_nonce(page)
        assert f'<meta name="csp-nonce" nonce="{nonce}">' in page.text
        assert page.text.count(nonce) == 1
        nonces.append(nonce)
    assert len(set(nonces)) == 3


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/",
        "/health",
        "/ready",
        "/static/css/app.css",
        "/static/vendor/htmx-2.0.11.min.js",
        "/finns-inte",
        "/static/finns-inte.css",
    ],
)
def test_headers_on_anonymous_responses(site: Site, path: str) -> None:
    assert_security_headers(site.client.get(path))


@pytest.mark.parametrize(
    "path", ["/", "/admin/users", "/browse/finns-inte", "/admin/suggestions/x", "/katalog"]
)
def test_headers_on_pages_and_errors(site: Site, path: str) -> None:
    site.login(Role.USER)
    response = site.client.get(path)
    assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"


def test_no_inline_script_or_style_in_pages(site: Site) -> None:
    site.login(Role.SUPERUSER)
    for path in ("/", "/login", "/admin/users", "/katalog", "/profile"):
        html = site.client.get(path).text
        assert "<script>" not in html
        assert "<style" not in html  # the nonce is only for CodeMirror, which adds its own
        assert " style=" not in html
        assert " on" + "click=" not in html
        assert "https://" not in html  # nothing from a CDN or Google Fonts


def test_correlation_id_is_echoed_or_generated_ERR_08(site: Site) -> None:
    echoed = site.client.get("/health", headers={"X-Correlation-ID": "abc-123"})
    assert echoed.headers["x-correlation-id"] == "abc-123"
    generated = site.client.get("/health", headers={"X-Correlation-ID": "<script>"})
    assert generated.headers["x-correlation-id"] not in ("<script>", "")
    site.login(Role.USER)
    too_long = site.client.get("/health", headers={"X-Correlation-ID": "a" * 200})
    assert len(too_long.headers["x-correlation-id"]) == 32
    error = site.client.get("/browse/finns-inte", headers={"X-Correlation-ID": "spar-1"})
    assert error.status_code == 404
    assert "spar-1" in error.text


class Failing:
    @hookimpl
    def skriptoteket_register_web_routes(self) -> Iterable[BaseRoute]:
        async def crash(request: Request) -> Response:
            raise RuntimeError("hemlig detalj /etc/passwd")

        async def denied(request: Request) -> Response:
            raise forbidden("Insufficient permissions", required="admin")

        yield Route("/krasch", crash)
        yield Route("/api/v1/nekad", denied)


@pytest.fixture
def failing_client() -> Iterator[TestClient]:
    pm = make_plugin_manager(
        load_entrypoints=False, extra_specs=[hookspecs], extra_plugins=[Failing()]
    )
    app = create_app(
        Settings(database_url="memory://"),
        pm,
        execution=False,
        services=CoreServices(hasher=FakePasswordHasher()),
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_unhandled_error_is_a_swedish_500_without_details_ERR_04(
    failing_client: TestClient,
) -> None:
    response = failing_client.get("/krasch", headers={"X-Correlation-ID": "fel-42"})
    assert response.status_code == 500
    assert_security_headers(response)
    assert "Internt serverfel." in response.text
    assert "hemlig" not in response.text
    assert "Traceback" not in response.text
    assert "fel-42" in response.text
    as_json = failing_client.get("/krasch", headers={"Accept": "application/json"})
    assert as_json.json()["error"] == {
        "code": "INTERNAL_ERROR",
        "message": "Internal server error",
        "details": {},
    }


def test_api_paths_get_json_errors_ERR_03(failing_client: TestClient) -> None:
    response = failing_client.get("/api/v1/nekad", headers={"X-Correlation-ID": "id-7"})
    assert response.status_code == 403
    assert_security_headers(response)
    assert response.json() == {
        "error": {
            "code": "FORBIDDEN",
            "message": "Insufficient permissions",
            "details": {"required": "admin"},
        },
        "correlation_id": "id-7",
    }
    missing = failing_client.get("/api/v1/finns-inte")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"
