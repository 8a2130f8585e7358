"""Issue 9 item 8 with item 2's body cap: a 200 KB suggestion description is 400 with reason
``text_too_long`` (the API's details name the field and its limit; the page says it in Swedish
next to the field), a 5 MB one is 413 from the body cap before the domain sees it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from skriptoteket.domain.identity import Role
from skriptoteket.domain.text_limits import DESCRIPTION_MAX_LENGTH

from .api_support import CONTRIBUTOR, ApiSite, make_api_site
from .conftest import Site

KB = 1024
SUGGESTION = {"title": "Närvaro", "professions": ["larare"], "categories": ["administration"]}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[ApiSite]:
    yield from make_api_site(tmp_path, execution=False)


def test_api_200_kb_description_is_400_text_too_long(api: ApiSite) -> None:
    response = api.post(
        CONTRIBUTOR, "/suggestions", json={**SUGGESTION, "description": "å" * (200 * KB // 2)}
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"] == {"field": "description", "max_length": DESCRIPTION_MAX_LENGTH}


def test_api_5_mb_description_is_413(api: ApiSite) -> None:
    response = api.post(
        CONTRIBUTOR, "/suggestions", json={**SUGGESTION, "description": "x" * (5 * KB * KB)}
    )
    assert response.status_code == 413
    assert response.json()["error"]["details"]["reason"] == "request_too_large"


def _post_page(site: Site, description: str) -> httpx.Response:
    csrf = site.login(Role.CONTRIBUTOR)
    return site.client.post(
        "/suggestions/new",
        data={
            "csrf_token": csrf,
            "title": "Närvaro",
            "description": description,
            "professions": "larare",
            "categories": "administration",
        },
    )


def test_page_200_kb_description_is_400_in_swedish_next_to_the_field(site: Site) -> None:
    response = _post_page(site, "x" * (200 * KB))
    assert response.status_code == 400
    text = response.text
    message = f"Beskrivning är för lång: högst {DESCRIPTION_MAX_LENGTH} tecken."
    assert f'<span id="error-description" class="field-error" role="alert">{message}</span>' in text
    assert 'aria-invalid="true"' in text


def test_page_5_mb_description_is_413_in_swedish(site: Site) -> None:
    response = _post_page(site, "x" * (5 * KB * KB))
    assert response.status_code == 413
    assert "Förfrågan är för stor: högst 1 MB kan skickas." in response.text


def test_description_at_the_limit_is_accepted(site: Site) -> None:
    response = _post_page(site, "x" * DESCRIPTION_MAX_LENGTH)
    assert response.status_code == 303
