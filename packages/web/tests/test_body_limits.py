"""Issue 9 item 2, in process: forms have caps on their parts, and JSON nested too deeply is
400 wherever the web parses JSON (an API body, a multipart ``inputs`` part, the toast cookie).
The streaming caps themselves are tested on a real server (tests/test_request_limits.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from skriptoteket_web.json_text import parse_json
from skriptoteket_web.middleware.body_limit import MAX_FORM_FIELDS

from .api_support import USER, ApiSite, make_api_site

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def api(tmp_path: Path) -> Iterator[ApiSite]:
    yield from make_api_site(tmp_path, execution=False)


def test_parse_json_turns_deep_nesting_into_a_decode_error() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_json(DEEP)


def test_deep_json_body_is_400(api: ApiSite) -> None:
    response = api.post(USER, "/tokens", content=DEEP, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_deep_json_inputs_part_is_400(api: ApiSite) -> None:
    tool = api.published_tool()
    response = api.post(USER, f"/tools/{tool.slug}/runs", files={"inputs": (None, DEEP)})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_too_many_form_fields_is_400(api: ApiSite) -> None:
    tool = api.published_tool()
    parts = [("inputs", (None, "{}"))] * (MAX_FORM_FIELDS + 1)
    response = api.post(USER, f"/tools/{tool.slug}/runs", files=parts)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"] == "The form could not be read"


def test_declared_length_over_the_cap_is_413_before_reading(api: ApiSite) -> None:
    response = api.post(
        USER,
        "/tokens",
        content=b"{}" + b" " * (1024 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["connection"] == "close"
    assert response.json()["error"]["details"] == {
        "reason": "request_too_large",
        "max_bytes": 1024 * 1024,
    }
