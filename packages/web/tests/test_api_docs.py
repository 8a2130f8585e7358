"""R35: ``/docs`` and ``/openapi.json`` only with ``SKRIPTOTEKET_ENABLE_DOCS`` on (who may see
them is in test_route_matrix.py). ``/docs`` is one server-rendered page, no script of its own,
that shows every operation of the document with its parameters, body and responses."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from skriptoteket_web.web_settings import WebSettings

from .conftest import Site, make_site


@pytest.fixture
def docs_site() -> Iterator[Site]:
    yield from make_site(web_settings=WebSettings(default_language="sv", enable_docs=True))


def operation_sections(page: str) -> dict[str, str]:
    """operationId → the HTML of its ``<article>``."""
    found = {}
    for part in page.split('<article class="api-operation"')[1:]:
        match = re.search(r'id="op-([A-Za-z]+)"', part)
        assert match is not None
        found[match.group(1)] = html.unescape(part.split("</article>")[0])
    return found


def test_enable_docs_setting_is_on_unless_turned_off() -> None:
    assert WebSettings().enable_docs is True  # SPEC §12: ENABLE_DOCS defaults to true
    assert WebSettings.from_env({}).enable_docs is True
    assert WebSettings.from_env({"SKRIPTOTEKET_ENABLE_DOCS": "1"}).enable_docs is True
    assert WebSettings.from_env({"SKRIPTOTEKET_ENABLE_DOCS": "false"}).enable_docs is False


def test_root_openapi_json_is_the_api_document(docs_site: Site) -> None:
    root = docs_site.client.get("/openapi.json")
    assert root.status_code == 200
    assert root.json() == docs_site.client.get("/api/v1/openapi.json").json()


def test_docs_page_shows_every_operation_with_parameters_body_and_responses(
    docs_site: Site,
) -> None:
    document: dict[str, Any] = docs_site.client.get("/openapi.json").json()
    response = docs_site.client.get("/docs")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert "<h1>API-dokumentation</h1>" in page  # the chrome is Swedish
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []  # no inline script
    sections = operation_sections(page)
    operations = [
        (path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()
    ]
    assert set(sections) == {op["operationId"] for _, _, op in operations}
    for path, method, op in operations:
        section = sections[op["operationId"]]
        assert f"{method.upper()}</span> <code>{path}</code>" in section
        assert op["summary"] in section
        for parameter in op.get("parameters", ()):
            assert f"<code>{parameter['name']}</code>" in section
        if "requestBody" in op:
            (content_type,) = op["requestBody"]["content"]
            assert f"<code>{content_type}</code>" in section
        else:
            assert 'Anropets innehåll</h4>\n    <p class="muted">Inga.' in section
        for status in op["responses"]:
            assert f"<td><code>{status}</code></td>" in section, (op["operationId"], status)
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert 'href="#schema-RunOut"' in sections["startRun"]


def test_docs_page_in_english(docs_site: Site) -> None:
    docs_site.client.cookies.set("skriptoteket_lang", "en")  # the person chose English
    page = docs_site.client.get("/docs").text
    assert "<h1>API documentation</h1>" in page
    assert "Request body" in page
