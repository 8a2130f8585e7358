"""Behaviour of the JSON API (DESIGN §6): authentication (bearer, cookie + CSRF, AMB-13),
errors (ERR-02/03/07/08), strict bodies, each area's endpoints with their side effects seen
through another endpoint, and one full automation flow."""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from skriptoteket.domain.identity import Role

from .api_support import (
    ADMIN,
    ANON,
    API,
    CONTRIBUTOR,
    MAINTAINER,
    PASSWORD,
    SOURCE,
    SUPERUSER,
    USER,
    ApiSite,
    make_api_site,
)
from .conftest import post_login

SCHEMA_SOURCE = (
    "import os\n"
    "def run_tool(input_dir, output_dir, inputs):\n"
    "    names = inputs['lista']\n"
    "    rows = open(names[0], encoding='utf-8').read().split()\n"
    "    size = inputs['storlek']\n"
    "    groups = [rows[i:i + size] for i in range(0, len(rows), size)]\n"
    "    with open(os.path.join(output_dir, 'grupper.txt'), 'w', encoding='utf-8') as f:\n"
    "        f.write('\\n'.join(', '.join(g) for g in groups))\n"
    "    print('grupper', len(groups))\n"
    "    return '<p>' + str(len(groups)) + ' grupper (' + inputs['rubrik'] + ')</p>'\n"
)
INPUT_SCHEMA = {
    "files": [{"name": "lista", "label": "Klasslista", "accept": [".txt"]}],
    "fields": [
        {
            "name": "storlek",
            "label": "Gruppstorlek",
            "kind": "number",
            "integer": True,
            "default": 2,
            "min": 1,
        },
        {"name": "rubrik", "label": "Rubrik", "kind": "text", "required": True},
    ],
}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[ApiSite]:
    yield from make_api_site(tmp_path)


def error_code(response: Any) -> str:
    body = response.json()
    assert set(body) == {"error", "correlation_id"}
    assert body["correlation_id"] == response.headers["x-correlation-id"]
    code: str = body["error"]["code"]
    return code


# --- the full automation flow ---


def test_automation_flow_admin_builds_publishes_user_runs_and_downloads(api: ApiSite) -> None:
    tool = api.ok(
        ADMIN,
        "POST",
        "/admin/tools",
        201,
        json={
            "slug": "gruppindelning",
            "title": "Gruppindelning",
            "summary": "Delar in klassen",
            "professions": ["larare"],
            "categories": ["administration"],
        },
    )
    assert tool["is_published"] is False
    assert tool["active_version_id"] is None
    version = api.ok(
        ADMIN,
        "POST",
        f"/admin/tools/{tool['id']}/versions",
        201,
        json={
            "source_code": SCHEMA_SOURCE,
            "input_schema": INPUT_SCHEMA,
            "change_summary": "Första",
        },
    )
    assert (version["state"], version["version_number"], version["contract_version"]) == (
        "draft",
        1,
        2,
    )
    submitted = api.ok(
        ADMIN,
        "POST",
        f"/admin/versions/{version['id']}/submit-review",
        json={"review_note": "Klar"},
    )
    assert submitted["state"] == "in_review"
    published = api.ok(ADMIN, "POST", f"/admin/versions/{version['id']}/publish", json={})
    assert set(published) == {
        "tool_id",
        "previous_active_version_id",
        "new_active_version_id",
        "archived_version_ids",
    }
    assert published["previous_active_version_id"] is None
    assert published["archived_version_ids"] == [version["id"]]
    listed = api.ok(ADMIN, "POST", f"/admin/tools/{tool['id']}/publish")
    assert listed["is_published"] is True
    assert listed["active_version_id"] == published["new_active_version_id"]

    # a user, with a token of their own
    token = api.ok(USER, "POST", "/tokens", 201, json={"name": "skript"})
    user_headers = {"Authorization": f"Bearer {token['secret']}"}
    found = api.ok(ANON, "GET", "/tools/gruppindelning", headers=user_headers)
    assert found["input_schema"]["files"][0]["name"] == "lista"
    assert [f["name"] for f in found["input_schema"]["fields"]] == ["storlek", "rubrik"]
    started = api.client.post(
        f"{API}/tools/gruppindelning/runs",
        headers=user_headers,
        files=[("files", ("klass.txt", b"Ada Bo Cy Di Ed", "text/plain"))],
        data={"inputs": json.dumps({"storlek": 2, "rubrik": "7B"})},
    )
    assert started.status_code == 202, started.text
    assert started.json()["context"] == "production"
    assert started.json()["worker"] is None  # issue 10: null while queued
    run = api.wait_final(USER, started.json()["id"])
    assert run["status"] == "succeeded", run
    assert run["html_output"] == "<p>3 grupper (7B)</p>"
    # the in-process queue: this process executed it, named hostname:pid
    assert run["worker"] == f"{socket.gethostname()}:{os.getpid()}"
    assert "stdout" not in run  # production logs are for admins only
    assert run["input_files"] == [{"name": "klass.txt", "bytes": 15, "field": "lista"}]
    (artifact,) = run["artifacts"]
    download = api.client.get(artifact["download_url"], headers=user_headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "grupper.txt" in download.headers["content-disposition"]
    assert download.content.decode() == "Ada, Bo\nCy, Di\nEd"
    assert artifact["bytes"] == len(download.content)
    history = api.ok(USER, "GET", "/runs")
    assert [r["id"] for r in history["items"]] == [run["id"]]
    assert api.ok(ADMIN, "GET", f"/runs/{run['id']}")["stdout"].strip() == "grupper 3"


# --- authentication, CSRF, errors ---


def test_anonymous_gets_401_json_with_a_bearer_challenge(api: ApiSite) -> None:
    response = api.get(ANON, "/me")
    assert response.status_code == 401
    assert error_code(response) == "UNAUTHORIZED"
    # RFC 6750 §3.1: no credentials sent, so a challenge without an error code.
    assert response.headers["www-authenticate"] == 'Bearer realm="skriptoteket"'
    unsafe = api.post(ANON, "/tokens", json={})
    assert unsafe.status_code == 401
    assert unsafe.headers["www-authenticate"].startswith("Bearer")


def test_bad_or_revoked_token_is_401_even_with_a_session_cookie(api: ApiSite) -> None:
    challenges = {
        "Bearer skt_nope": 'Bearer realm="skriptoteket", error="invalid_token"',
        "Basic abc": 'Bearer realm="skriptoteket"',
        "Bearer ": 'Bearer realm="skriptoteket"',
    }
    for header, challenge in challenges.items():
        response = api.client.get(f"{API}/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["www-authenticate"] == challenge, header
    token = api.ok(USER, "POST", "/tokens", 201, json={})
    api.ok(USER, "POST", f"/tokens/{token['token']['id']}/revoke")
    response = api.client.get(f"{API}/me", headers={"Authorization": f"Bearer {token['secret']}"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    tokens = api.ok(USER, "GET", "/tokens")["items"]
    assert next(t for t in tokens if t["id"] == token["token"]["id"])["revoked_at"] is not None


def _login(api: ApiSite, email: str) -> None:
    api.client.cookies.clear()
    response = post_login(api.client, email, PASSWORD)
    assert response.status_code == 303
    assert api.client.cookies.get("skriptoteket_session") is not None


def test_cookie_session_works_and_needs_csrf_on_unsafe_methods(api: ApiSite) -> None:
    """A cookie client reads its CSRF token from GET /me (issue 4 §5) and sends it as the
    X-CSRF-Token header on unsafe methods."""
    _login(api, "larare@skolan.se")
    me = api.client.get(f"{API}/me").json()
    assert me["email"] == "larare@skolan.se"
    csrf = me["csrf_token"]
    session = api.client.cookies.get("skriptoteket_session")
    assert session is not None
    current = api.call(api.core.resolve_session, uuid.UUID(session))
    assert current is not None
    assert csrf == current.session.csrf_token
    refused = api.client.post(f"{API}/tokens", json={"name": "x"})
    assert refused.status_code == 403
    assert error_code(refused) == "FORBIDDEN"
    wrong = api.client.post(f"{API}/tokens", json={"name": "x"}, headers={"X-CSRF-Token": "fel"})
    assert wrong.status_code == 403
    made = api.client.post(f"{API}/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201


def test_bearer_requests_are_exempt_from_csrf_and_ignore_the_cookie(api: ApiSite) -> None:
    _login(api, "larare@skolan.se")  # the client keeps a user's session cookie
    response = api.client.post(
        f"{API}/admin/tools",
        headers=api.headers(ADMIN),
        json={
            "slug": "via-token",
            "title": "T",
            "professions": ["larare"],
            "categories": ["administration"],
        },
    )
    assert response.status_code == 201  # as the admin, no CSRF token needed
    me = api.client.get(f"{API}/me", headers=api.headers(ADMIN)).json()
    assert me["role"] == "admin"
    assert me["csrf_token"] is None  # a bearer client has no session, so no CSRF token


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"slug": "a", "title": "T", "extra": 1}, "extra fields found (extra)"),
        ({"slug": "a", "title": 5}, "expected str @ body.title"),
        ({"title": "T"}, "required field missing @ body.slug"),
        ({"slug": "a", "title": "T", "professions": "larare"}, "body.professions"),
    ],
)
def test_bodies_are_validated_strictly(api: ApiSite, body: dict[str, Any], problem: str) -> None:
    response = api.post(ADMIN, "/admin/tools", json=body)
    assert response.status_code == 400
    assert error_code(response) == "VALIDATION_ERROR"
    assert any(problem in e for e in response.json()["error"]["details"]["errors"])
    assert "Traceback" not in response.text


def test_malformed_json_query_and_path_values(api: ApiSite) -> None:
    bad_json = api.post(
        ADMIN, "/admin/tools", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert (bad_json.status_code, error_code(bad_json)) == (400, "VALIDATION_ERROR")
    not_object = api.post(ADMIN, "/admin/tools", json=[1, 2])
    assert not_object.status_code == 400
    bad_limit = api.get(USER, "/runs?limit=0")
    assert (bad_limit.status_code, error_code(bad_limit)) == (400, "VALIDATION_ERROR")
    bad_cursor = api.get(USER, "/runs?cursor=zzz")
    assert bad_cursor.status_code == 400
    not_uuid = api.get(USER, "/runs/inte-ett-id")
    assert (not_uuid.status_code, error_code(not_uuid)) == (404, "NOT_FOUND")
    unknown = api.get(USER, "/finns-inte")
    assert (unknown.status_code, error_code(unknown)) == (404, "NOT_FOUND")
    wrong_method = api.request(USER, "DELETE", "/me")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "VALIDATION_ERROR"


def test_correlation_id_is_echoed_in_the_error(api: ApiSite) -> None:
    response = api.get(ANON, "/me", headers={"X-Correlation-ID": "abc-123"})
    assert response.json()["correlation_id"] == "abc-123"


# --- catalog ---


def test_catalog_lists_only_runnable_tools_with_filters(api: ApiSite) -> None:
    shown = api.published_tool("synlig")
    hidden = api.tool("dold")
    api.activate(hidden)
    items = api.ok(USER, "GET", "/tools")["items"]
    assert [t["slug"] for t in items] == ["synlig"]
    assert api.ok(USER, "GET", "/tools?profession=larare&category=administration")["items"]
    assert api.ok(USER, "GET", "/tools?q=finnsinte")["items"] == []
    assert api.get(USER, "/tools?profession=okand").status_code == 404
    assert api.get(USER, "/tools/dold").status_code == 404
    assert api.get(USER, "/tools/saknas").status_code == 404
    one = api.ok(USER, "GET", "/tools/synlig")
    assert one["id"] == str(shown.id)
    assert one["contract_version"] == 1
    assert one["input_schema"]["files"][0]["name"] == "file"
    professions = api.ok(USER, "GET", "/professions")["items"]
    assert "larare" in [p["slug"] for p in professions]
    linked = api.ok(USER, "GET", "/categories?profession=larare")["items"]
    every = api.ok(USER, "GET", "/categories")["items"]
    assert {c["slug"] for c in linked} <= {c["slug"] for c in every}
    me = api.ok(USER, "GET", "/me")
    assert (me["email"], me["role"]) == ("larare@skolan.se", "user")


def test_catalog_pages_with_limit_and_offset(api: ApiSite) -> None:
    for slug in ("a-verktyg", "b-verktyg", "c-verktyg"):
        api.published_tool(slug)
    slugs = [t["slug"] for t in api.ok(USER, "GET", "/tools")["items"]]
    first = api.ok(USER, "GET", "/tools?limit=2")["items"]
    rest = api.ok(USER, "GET", "/tools?limit=2&offset=2")["items"]
    assert [t["slug"] for t in first + rest] == slugs
    assert len(first) == 2
    assert api.get(USER, "/tools?limit=0").status_code == 400
    assert api.get(USER, "/tools?offset=-1").status_code == 400


# --- tools and versions ---


def test_tool_metadata_patch_and_publish_rules(api: ApiSite) -> None:
    tool = api.ok(
        ADMIN,
        "POST",
        "/admin/tools",
        201,
        json={
            "slug": "forsta",
            "title": "Första",
            "summary": "S",
            "professions": ["larare"],
            "categories": ["administration"],
        },
    )
    path = f"/admin/tools/{tool['id']}"
    patched = api.ok(
        ADMIN, "PATCH", path, json={"title": "Andra", "slug": "andra", "categories": ["ovrigt"]}
    )
    assert (patched["title"], patched["slug"], patched["categories"]) == (
        "Andra",
        "andra",
        ["ovrigt"],
    )
    assert patched["summary"] == "S"
    cleared = api.ok(ADMIN, "PATCH", path, json={"summary": None})
    assert cleared["summary"] is None
    assert api.ok(ADMIN, "GET", path)["title"] == "Andra"
    no_version = api.post(ADMIN, path + "/publish")
    assert (no_version.status_code, error_code(no_version)) == (400, "VALIDATION_ERROR")
    duplicate = api.post(
        ADMIN,
        "/admin/tools",
        json={"slug": "andra", "title": "X", "professions": ["larare"], "categories": ["ovrigt"]},
    )
    assert duplicate.status_code == 409
    slugs = [t["slug"] for t in api.ok(ADMIN, "GET", "/admin/tools")["items"]]
    assert "andra" in slugs
    actions = [e["action"] for e in api.ok(ADMIN, "GET", "/admin/audit")["items"]]
    assert "tool.slug_changed" in actions


def test_version_workflow_save_conflicts_request_changes_and_rollback(api: ApiSite) -> None:
    tool = api.published_tool("arbetsflode")
    base = f"/admin/tools/{tool.id}"
    draft = api.ok(
        MAINTAINER,
        "POST",
        base + "/versions",
        201,
        json={"source_code": "def run_tool(i, o):\n    return 'v'\n", "input_schema": INPUT_SCHEMA},
    )
    assert draft["input_schema"]["files"][0]["name"] == "lista"
    vid = draft["id"]
    mismatch = api.post(
        MAINTAINER,
        f"/admin/versions/{vid}/save",
        json={"source_code": "x = 1\n", "expected_parent_version_id": str(tool.id)},
    )
    assert mismatch.status_code == 400
    saved = api.ok(
        MAINTAINER,
        "POST",
        f"/admin/versions/{vid}/save",
        201,
        json={
            "source_code": "def run_tool(i, o, v):\n    return 'v2'\n",
            "expected_parent_version_id": vid,
        },
    )
    assert saved["derived_from_version_id"] == vid
    assert saved["input_schema"] == draft["input_schema"]  # kept when not given
    stale = api.post(
        MAINTAINER,
        f"/admin/versions/{vid}/save",
        json={"source_code": "x = 1\n", "expected_parent_version_id": vid},
    )
    assert (stale.status_code, error_code(stale)) == (409, "CONFLICT")
    other = api.post(CONTRIBUTOR, f"/admin/versions/{saved['id']}/submit-review", json={})
    assert other.status_code == 403
    api.ok(MAINTAINER, "POST", f"/admin/versions/{saved['id']}/submit-review", json={})
    assert (
        api.post(MAINTAINER, f"/admin/versions/{saved['id']}/publish", json={}).status_code == 403
    )
    new_draft = api.ok(
        ADMIN, "POST", f"/admin/versions/{saved['id']}/request-changes", json={"message": "Rätta"}
    )
    assert new_draft["state"] == "draft"
    assert new_draft["created_by"] == str(api.users[MAINTAINER].id)
    assert new_draft["change_summary"] == "Rätta"
    visible = api.ok(MAINTAINER, "GET", base + "/versions")["items"]
    assert new_draft["id"] in [v["id"] for v in visible]
    assert all("source_code" not in v for v in visible)
    source = api.ok(MAINTAINER, "GET", f"/admin/versions/{new_draft['id']}")["source_code"]
    assert "v2" in source
    archived = next(
        v
        for v in api.ok(ADMIN, "GET", base + "/versions")["items"]
        if v["state"] == "archived" and v["published_by"]
    )
    assert (
        api.post(ADMIN, base + "/rollback", json={"from_version_id": archived["id"]}).status_code
        == 403
    )
    rolled = api.ok(SUPERUSER, "POST", base + "/rollback", json={"from_version_id": archived["id"]})
    assert rolled["previous_active_version_id"] == str(tool.active_version_id)
    assert api.ok(ADMIN, "GET", base)["active_version_id"] == rolled["new_active_version_id"]


def test_maintainers_add_and_remove(api: ApiSite) -> None:
    tool = api.tool("underhall")
    path = f"/admin/tools/{tool.id}/maintainers"
    assert [x["email"] for x in api.ok(ADMIN, "GET", path)["items"]] == ["bidrag@skolan.se"]
    added = api.ok(ADMIN, "POST", path, json={"email": "annan@skolan.se"})["items"]
    assert {x["email"] for x in added} == {"bidrag@skolan.se", "annan@skolan.se"}
    assert api.get(CONTRIBUTOR, f"/admin/tools/{tool.id}/versions").status_code == 200
    user_id = api.users[CONTRIBUTOR].id
    left = api.ok(ADMIN, "DELETE", f"{path}/{user_id}")["items"]
    assert [x["email"] for x in left] == ["bidrag@skolan.se"]
    assert api.get(CONTRIBUTOR, f"/admin/tools/{tool.id}/versions").status_code == 403
    not_contributor = api.post(ADMIN, path, json={"email": "larare@skolan.se"})
    assert not_contributor.status_code == 400
    unknown = api.post(ADMIN, path, json={"email": "ingen@skolan.se"})
    assert unknown.status_code == 404


# --- runs ---


def test_sandbox_run_logs_visible_to_author_production_logs_only_to_admins(
    api: ApiSite,
) -> None:
    tool = api.published_tool("loggar")
    draft = api.draft(tool)
    upload = [("files", ("a.txt", b"abc", "text/plain"))]
    started = api.post(MAINTAINER, f"/admin/versions/{draft.id}/sandbox-runs", files=upload)
    assert started.status_code == 202, started.text
    run = api.wait_final(MAINTAINER, started.json()["id"])
    assert run["context"] == "sandbox"
    assert run["stdout"].strip() == "läste 3"
    assert api.get(USER, f"/runs/{run['id']}").status_code == 404
    production = api.post(MAINTAINER, f"/tools/{tool.slug}/runs", files=upload).json()
    final = api.wait_final(MAINTAINER, production["id"])
    assert "stdout" not in final
    assert "stdout" in api.ok(ADMIN, "GET", f"/runs/{production['id']}")


def test_run_input_errors(api: ApiSite) -> None:
    tool = api.published_tool("indata")
    path = f"/tools/{tool.slug}/runs"
    no_file = api.post(USER, path, files=[("other", ("a.txt", b"x"))])
    assert no_file.status_code == 400
    assert "other" in no_file.json()["error"]["details"]["fields"]
    bad_json = api.post(USER, path, files=[("files", ("a.txt", b"x"))], data={"inputs": "{"})
    assert bad_json.status_code == 400
    fields_for_contract_1 = api.post(
        USER, path, files=[("files", ("a.txt", b"x"))], data={"inputs": '{"a": 1}'}
    )
    assert fields_for_contract_1.status_code == 400
    stray = api.post(
        USER, path, files=[("files", ("a.txt", b"x"))], data={"file_fields": '{"b.txt": "file"}'}
    )
    assert stray.status_code == 400
    as_json = api.post(USER, path, json={"files": []})
    assert as_json.status_code == 400
    depublished = api.post(ADMIN, f"/admin/tools/{tool.id}/depublish")
    assert depublished.json()["is_published"] is False
    gone = api.post(USER, path, files=[("files", ("a.txt", b"x"))])
    assert gone.status_code == 404


def test_file_fields_name_the_schema_field(api: ApiSite) -> None:
    tool = api.tool("tva-filer")
    schema = {"files": [{"name": "a", "label": "A"}, {"name": "b", "label": "B"}]}
    source = "def run_tool(d, o, inputs):\n    return inputs['b'][0].rsplit('/', 1)[-1]\n"
    version = api.ok(
        ADMIN,
        "POST",
        f"/admin/tools/{tool.id}/versions",
        201,
        json={"source_code": source, "input_schema": schema},
    )
    files = [("files", ("x.txt", b"1")), ("files", ("y.txt", b"2"))]
    unsaid = api.post(ADMIN, f"/admin/versions/{version['id']}/sandbox-runs", files=files)
    assert unsaid.status_code == 400
    said = api.post(
        ADMIN,
        f"/admin/versions/{version['id']}/sandbox-runs",
        files=files,
        data={"file_fields": json.dumps({"x.txt": "a", "y.txt": "b"})},
    )
    assert said.status_code == 202, said.text
    run = api.wait_final(ADMIN, said.json()["id"])
    assert run["html_output"] == "y.txt"


def test_run_history_pages_with_a_cursor_and_cancel(api: ApiSite, tmp_path: Path) -> None:
    tool = api.published_tool("historik")
    made = [api.stored_run(tool, USER) for _ in range(5)]
    api.stored_run(tool, MAINTAINER)
    first = api.ok(USER, "GET", "/runs?limit=2")
    assert len(first["items"]) == 2
    assert first["next"]
    seen = [r["id"] for r in first["items"]]
    cursor = first["next"]
    while cursor:
        page = api.ok(USER, "GET", f"/runs?limit=2&cursor={cursor}")
        seen += [r["id"] for r in page["items"]]
        cursor = page["next"]
    assert sorted(seen) == sorted(str(r.id) for r in made)
    assert len(set(seen)) == 5
    assert api.ok(USER, "GET", "/runs?context=sandbox")["items"] == []
    queued = api.stored_run(tool, USER, finished=False)
    assert api.post(MAINTAINER, f"/runs/{queued.id}/cancel").status_code == 404
    cancelled = api.ok(USER, "POST", f"/runs/{queued.id}/cancel")
    assert cancelled["status"] == "cancelled"
    again = api.post(USER, f"/runs/{queued.id}/cancel")
    assert (again.status_code, error_code(again)) == (409, "CONFLICT")
    finished = api.stored_run(tool, USER, artifact=b"data", tmp=tmp_path)
    artifact_id = finished.artifacts[0].artifact_id
    assert api.get(CONTRIBUTOR, f"/runs/{finished.id}/artifacts/{artifact_id}").status_code == 404
    assert api.get(USER, f"/runs/{finished.id}/artifacts/saknas").status_code == 404
    assert api.get(USER, f"/runs/{finished.id}/artifacts/{artifact_id}").content == b"data"


# --- suggestions, users, tokens, nominations, audit ---


def test_suggestion_accept_creates_a_draft_tool(api: ApiSite) -> None:
    made = api.ok(
        MAINTAINER,
        "POST",
        "/suggestions",
        201,
        json={
            "title": "Närvaro",
            "description": "Räkna frånvaro",
            "professions": ["larare"],
            "categories": ["administration"],
        },
    )
    assert made["status"] == "pending_review"
    assert api.post(USER, "/suggestions", json={}).status_code == 403
    queue = api.ok(ADMIN, "GET", "/admin/suggestions")["items"]
    assert [s["id"] for s in queue] == [made["id"]]
    unknown_decision = api.post(
        ADMIN,
        f"/admin/suggestions/{made['id']}/decision",
        json={"decision": "maybe", "rationale": "x"},
    )
    assert unknown_decision.status_code == 400
    decided = api.ok(
        ADMIN,
        "POST",
        f"/admin/suggestions/{made['id']}/decision",
        json={"decision": "accept", "rationale": "Bra", "title": "Närvarokoll"},
    )
    tool_id = decided["suggestion"]["draft_tool_id"]
    assert decided["decision"]["created_tool_id"] == tool_id
    detail = api.ok(ADMIN, "GET", f"/admin/suggestions/{made['id']}")
    assert detail["suggestion"]["status"] == "accepted"
    assert len(detail["decisions"]) == 1
    tool = api.ok(MAINTAINER, "GET", f"/admin/tools/{tool_id}")
    assert (tool["title"], tool["is_published"]) == ("Närvarokoll", False)
    twice = api.post(
        ADMIN,
        f"/admin/suggestions/{made['id']}/decision",
        json={"decision": "deny", "rationale": "x"},
    )
    assert twice.status_code == 409


def test_draft_slug_tool_cannot_be_published_until_renamed_AMB_20(api: ApiSite) -> None:
    """A suggestion's draft tool (``draft-<id>``): its version can be published, the tool
    cannot (400 VALIDATION_ERROR, ERR-02, naming the slug) until a PATCH gives it a real slug."""
    made = api.ok(
        MAINTAINER,
        "POST",
        "/suggestions",
        201,
        json={
            "title": "Närvaro",
            "description": "Räkna frånvaro",
            "professions": ["larare"],
            "categories": ["administration"],
        },
    )
    decided = api.ok(
        ADMIN,
        "POST",
        f"/admin/suggestions/{made['id']}/decision",
        json={"decision": "accept", "rationale": "Bra"},
    )
    tool_id = decided["suggestion"]["draft_tool_id"]
    path = f"/admin/tools/{tool_id}"
    assert api.ok(ADMIN, "GET", path)["slug"] == f"draft-{made['id']}"
    version = api.ok(MAINTAINER, "POST", path + "/versions", 201, json={"source_code": SOURCE})
    api.ok(MAINTAINER, "POST", f"/admin/versions/{version['id']}/submit-review", json={})
    api.ok(ADMIN, "POST", f"/admin/versions/{version['id']}/publish", json={})
    refused = api.post(ADMIN, path + "/publish")
    assert (refused.status_code, error_code(refused)) == (400, "VALIDATION_ERROR")
    error = refused.json()["error"]
    assert "placeholder" in error["message"]
    assert error["details"] == {"field": "slug", "slug": f"draft-{made['id']}"}
    assert api.ok(ADMIN, "GET", path)["is_published"] is False
    assert api.get(USER, f"/tools/draft-{made['id']}").status_code == 404
    api.ok(ADMIN, "PATCH", path, json={"slug": "narvaro"})
    shown = api.ok(ADMIN, "POST", path + "/publish")
    assert (shown["slug"], shown["is_published"]) == ("narvaro", True)
    assert api.ok(USER, "GET", "/tools/narvaro")["slug"] == "narvaro"


def test_users_create_role_deactivate(api: ApiSite) -> None:
    made = api.ok(
        ADMIN, "POST", "/admin/users", 201, json={"email": "Ny@Skolan.se", "password": PASSWORD}
    )
    assert (made["email"], made["role"]) == ("ny@skolan.se", "user")
    no_admins = api.post(
        ADMIN, "/admin/users", json={"email": "b@skolan.se", "password": PASSWORD, "role": "admin"}
    )
    assert no_admins.status_code == 403
    twice = api.post(ADMIN, "/admin/users", json={"email": "ny@skolan.se", "password": PASSWORD})
    assert (twice.status_code, error_code(twice)) == (409, "DUPLICATE_ENTRY")
    changed = api.ok(
        ADMIN, "POST", "/admin/users/role", json={"email": "ny@skolan.se", "role": "contributor"}
    )
    assert changed["role"] == "contributor"
    user = api.call(api.core.find_active_user, "ny@skolan.se")
    token = api.token_for(user)
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get(f"{API}/me", headers=headers).status_code == 200
    gone = api.ok(ADMIN, "POST", "/admin/users/deactivate", json={"email": "ny@skolan.se"})
    assert gone["is_active"] is False
    assert api.client.get(f"{API}/me", headers=headers).status_code == 401
    listed = {u["email"]: u for u in api.ok(ADMIN, "GET", "/admin/users")["items"]}
    assert listed["ny@skolan.se"]["is_active"] is False
    assert len(api.ok(ADMIN, "GET", "/admin/users?limit=2")["items"]) == 2


def test_tokens_are_the_callers_own(api: ApiSite) -> None:
    issued = api.ok(USER, "POST", "/tokens", 201, json={"name": "bärbar"})
    assert issued["secret"].startswith(issued["token"]["prefix"])
    mine = [t["id"] for t in api.ok(USER, "GET", "/tokens")["items"]]
    assert issued["token"]["id"] in mine
    theirs = [t["id"] for t in api.ok(ADMIN, "GET", "/tokens")["items"]]
    assert issued["token"]["id"] not in theirs
    assert api.post(ADMIN, f"/tokens/{issued['token']['id']}/revoke").status_code == 404


def test_nominations_and_audit(api: ApiSite) -> None:
    nominee = api.add_user(Role.CONTRIBUTOR, "blivande@skolan.se")
    made = api.ok(
        ADMIN,
        "POST",
        "/admin/nominations",
        201,
        json={"email": nominee.email, "rationale": "Kunnig"},
    )
    assert made["status"] == "pending"
    pending = api.ok(ADMIN, "GET", "/admin/nominations?status=pending")["items"]
    assert [n["id"] for n in pending] == [made["id"]]
    assert (
        api.post(
            ADMIN, f"/admin/nominations/{made['id']}/decision", json={"decision": "approve"}
        ).status_code
        == 403
    )
    decided = api.ok(
        SUPERUSER,
        "POST",
        f"/admin/nominations/{made['id']}/decision",
        json={"decision": "approve", "rationale": "Ja"},
    )
    assert decided["status"] == "approved"
    users = {u["email"]: u["role"] for u in api.ok(ADMIN, "GET", "/admin/users")["items"]}
    assert users[nominee.email] == "admin"
    approved = api.ok(ADMIN, "GET", "/admin/audit?action=nomination.approved")["items"]
    assert [e["subject_id"] for e in approved] == [made["id"]]
    by_actor = api.ok(ADMIN, "GET", f"/admin/audit?actor_user_id={api.users[SUPERUSER].id}")
    assert {e["actor_user_id"] for e in by_actor["items"]} == {str(api.users[SUPERUSER].id)}
    assert api.get(ADMIN, "/admin/audit?action=nope").status_code == 400


def test_set_password_and_reactivate_by_api(api: ApiSite) -> None:
    """issue 9 item 8: POST /admin/users/password and /admin/users/reactivate, audited."""
    target = api.add_user(Role.CONTRIBUTOR, "mal@skolan.se")
    new = "Blåbärspaj-2027"
    done = api.ok(
        ADMIN, "POST", "/admin/users/password", json={"email": "mal@skolan.se", "password": new}
    )
    assert done["email"] == "mal@skolan.se"
    assert api.call(api.core.login, email="mal@skolan.se", password=new).user.id == target.id
    above = api.post(
        ADMIN, "/admin/users/password", json={"email": api.users[SUPERUSER].email, "password": new}
    )
    assert (above.status_code, error_code(above)) == (403, "FORBIDDEN")
    weak = api.post(
        ADMIN, "/admin/users/password", json={"email": "mal@skolan.se", "password": "kort"}
    )
    assert (weak.status_code, error_code(weak)) == (400, "VALIDATION_ERROR")
    api.ok(ADMIN, "POST", "/admin/users/deactivate", json={"email": "mal@skolan.se"})
    back = api.ok(ADMIN, "POST", "/admin/users/reactivate", json={"email": "mal@skolan.se"})
    assert back["is_active"] is True
    log = api.ok(ADMIN, "GET", "/admin/audit")["items"]
    actions = [e["action"] for e in log]
    assert "user.password_set" in actions
    assert "user.reactivated" in actions
    assert new not in json.dumps(log)


def test_change_own_password_by_api_bearer_and_cookie(api: ApiSite) -> None:
    """POST /me/password: 400 on a wrong current password; with a bearer token every session
    ends; a cookie session (with its CSRF header) that changes it stays logged in."""
    new, newer = "Blåbärspaj-2027", "Hallonsylt-2028"
    email = api.users[USER].email
    wrong = api.post(
        USER, "/me/password", json={"current_password": "fel-1234", "new_password": new}
    )
    assert (wrong.status_code, error_code(wrong)) == (400, "VALIDATION_ERROR")
    assert wrong.json()["error"]["details"] == {"field": "current_password"}
    session = api.call(api.core.login, email=email, password=PASSWORD).session
    done = api.ok(
        USER, "POST", "/me/password", json={"current_password": PASSWORD, "new_password": new}
    )
    assert done["email"] == email
    assert api.call(api.core.resolve_session, session.id) is None
    assert api.ok(USER, "GET", "/me")["email"] == email  # the token still works
    api.client.cookies.clear()
    login = post_login(api.client, email, new)
    assert login.status_code == 303
    csrf = api.client.get(f"{API}/me").json()["csrf_token"]
    changed = api.client.post(
        f"{API}/me/password",
        json={"current_password": new, "new_password": newer},
        headers={"X-CSRF-Token": csrf},
    )
    assert changed.status_code == 200, changed.text
    assert api.client.get(f"{API}/me").status_code == 200  # this session stays
    rows = api.ok(ADMIN, "GET", "/admin/audit?action=user.password_changed")["items"]
    assert len(rows) == 2
    assert {r["details"]["sessions_ended"] for r in rows} == {0, 1}
