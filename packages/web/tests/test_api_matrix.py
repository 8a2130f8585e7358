"""Every ``/api/v1`` route × every role → the expected status (DESIGN §6, SPEC-baseline §6.3,
ID-10, SUG-01, TOOL-02, NOM-05, GOV-05, ERR-06). Roles authenticate with bearer tokens; the
anonymous caller sends none (401). An API route without an entry here fails
``test_every_api_route_has_an_entry`` (``test_route_matrix`` covers the other routes).

Each case runs on a fresh app with execution on, so state-changing requests cannot disturb each
other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from skriptoteket.domain.identity import Role

from .api_support import (
    ADMIN,
    ANON,
    API,
    CONTRIBUTOR,
    MAINTAINER,
    PASSWORD,
    ROLES,
    SUPERUSER,
    USER,
    ApiSite,
    make_api_site,
)
from .test_route_matrix import registered_routes

Json = Callable[["Scene"], Mapping[str, Any]]
UPLOAD = [("files", ("elever.txt", b"Ada\nBo\n", "text/plain"))]


@attrs.frozen
class Expect:
    statuses: Mapping[str, int]
    json: Json | None = None
    upload: bool = False


def rank(at_least: int, minimum: str, below: int = 403) -> dict[str, int]:
    """401 for no token; ``below`` under ``minimum``; ``at_least`` from it up. The maintainer
    and the other contributor have the same role."""
    order = {USER: 1, MAINTAINER: 2, CONTRIBUTOR: 2, ADMIN: 3, SUPERUSER: 4}
    result = {ANON: 401}
    for who, level in order.items():
        result[who] = at_least if level >= order[minimum] else below
    return result


def maintainers(status: int) -> dict[str, int]:
    """§6.3: the tool's maintainer and admins; another contributor gets 403."""
    return {**rank(status, MAINTAINER), CONTRIBUTOR: 403}


def owners(status: int) -> dict[str, int]:
    """A run of USER: its owner and admins; anyone else 404, never 403 (ERR-06)."""
    return {
        ANON: 401,
        USER: status,
        MAINTAINER: 404,
        CONTRIBUTOR: 404,
        ADMIN: status,
        SUPERUSER: status,
    }


@attrs.define
class Scene:
    site: ApiSite
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values[key]


def build_scene(site: ApiSite, who: str, tmp_path: Path) -> Scene:
    core = site.core
    admin = site.users[ADMIN]
    tool = site.published_tool()
    archived = next(
        v for v in site.call(core.list_versions, admin, tool_id=tool.id) if v.state == "archived"
    )
    in_review = site.draft(tool)
    site.call(core.submit_for_review, site.users[MAINTAINER], version_id=in_review.id)
    draft = site.draft(tool)
    run = site.stored_run(tool, USER, artifact=b"rapport", tmp=tmp_path)
    queued = site.stored_run(tool, USER, finished=False)
    suggestion = site.call(
        core.submit_suggestion,
        site.users[MAINTAINER],
        title="Nytt verktyg",
        description="Gör något bra",
        professions=["larare"],
        categories=["administration"],
    )
    target = site.add_user(Role.USER, "mal@skolan.se")
    nominee = site.add_user(Role.CONTRIBUTOR, "nominerad@skolan.se")
    nomination = site.call(core.nominate_admin, admin, nominee_email=nominee.email, rationale="Bra")
    token_id = str(uuid.uuid4())
    if who != ANON:
        token_id = str(site.call(core.list_api_tokens, site.users[who])[0].id)
    return Scene(
        site,
        {
            "slug": tool.slug,
            "tool_id": str(tool.id),
            "version_id": str(draft.id),
            "draft_id": str(draft.id),
            "in_review_id": str(in_review.id),
            "archived_id": str(archived.id),
            "run_id": str(run.id),
            "queued_run_id": str(queued.id),
            "artifact_id": run.artifacts[0].artifact_id,
            "suggestion_id": str(suggestion.id),
            "nomination_id": str(nomination.id),
            "token_id": token_id,
            "user_id": str(site.users[MAINTAINER].id),
            "target_email": target.email,
        },
    )


TOOL_BODY: Json = lambda s: {  # noqa: E731
    "slug": "nytt-verktyg",
    "title": "Nytt verktyg",
    "summary": "Sammanfattning",
    "professions": ["larare"],
    "categories": ["administration"],
}

# (method, route path) → expectation; ``paths`` says which scene value fills a route parameter
# when it is not the parameter's own name.
MATRIX: dict[tuple[str, str], Expect] = {
    ("GET", "/openapi.json"): Expect(dict.fromkeys(ROLES, 200)),
    ("GET", "/me"): Expect(rank(200, USER)),
    ("GET", "/professions"): Expect(rank(200, USER)),
    ("GET", "/categories"): Expect(rank(200, USER)),
    ("GET", "/tools"): Expect(rank(200, USER)),
    ("GET", "/tools/{slug}"): Expect(rank(200, USER)),
    ("POST", "/tools/{slug}/runs"): Expect(rank(202, USER), upload=True),
    ("GET", "/runs"): Expect(rank(200, USER)),
    ("GET", "/runs/{run_id}"): Expect(owners(200)),
    ("GET", "/runs/{run_id}/events"): Expect(owners(200)),  # a finished run: one event, end
    ("POST", "/runs/{run_id}/cancel"): Expect(owners(200)),
    ("GET", "/runs/{run_id}/artifacts/{artifact_id}"): Expect(owners(200)),
    ("GET", "/admin/tools"): Expect(rank(200, ADMIN)),
    ("POST", "/admin/tools"): Expect(rank(201, ADMIN), json=TOOL_BODY),
    ("GET", "/admin/tools/{tool_id}"): Expect(maintainers(200)),
    ("PATCH", "/admin/tools/{tool_id}"): Expect(rank(200, ADMIN), json=lambda s: {"title": "Ny"}),
    ("POST", "/admin/tools/{tool_id}/publish"): Expect(rank(200, ADMIN)),
    ("POST", "/admin/tools/{tool_id}/depublish"): Expect(rank(200, ADMIN)),
    ("GET", "/admin/tools/{tool_id}/versions"): Expect(maintainers(200)),
    ("POST", "/admin/tools/{tool_id}/versions"): Expect(
        maintainers(201), json=lambda s: {"source_code": "def run_tool(i, o):\n    return ''\n"}
    ),
    ("POST", "/admin/tools/{tool_id}/rollback"): Expect(
        rank(200, SUPERUSER), json=lambda s: {"from_version_id": s["archived_id"]}
    ),
    ("GET", "/admin/tools/{tool_id}/maintainers"): Expect(rank(200, ADMIN)),
    ("POST", "/admin/tools/{tool_id}/maintainers"): Expect(
        rank(200, ADMIN), json=lambda s: {"email": "annan@skolan.se"}
    ),
    ("DELETE", "/admin/tools/{tool_id}/maintainers/{user_id}"): Expect(rank(200, ADMIN)),
    ("GET", "/admin/versions/{version_id}"): Expect(maintainers(200)),
    ("POST", "/admin/versions/{version_id}/save"): Expect(
        maintainers(201),
        json=lambda s: {
            "source_code": "def run_tool(i, o):\n    return 'v2'\n",
            "expected_parent_version_id": s["draft_id"],
        },
    ),
    ("POST", "/admin/versions/{version_id}/submit-review"): Expect(
        maintainers(200), json=lambda s: {"review_note": "Klar"}
    ),
    ("POST", "/admin/versions/{version_id}/publish"): Expect(rank(200, ADMIN)),
    ("POST", "/admin/versions/{version_id}/request-changes"): Expect(
        rank(200, ADMIN), json=lambda s: {"message": "Rätta stavningen"}
    ),
    ("POST", "/admin/versions/{version_id}/sandbox-runs"): Expect(maintainers(202), upload=True),
    ("POST", "/suggestions"): Expect(
        rank(201, MAINTAINER),
        json=lambda s: {
            "title": "Förslag",
            "description": "Beskrivning",
            "professions": ["larare"],
            "categories": ["ovrigt"],
        },
    ),
    ("GET", "/admin/suggestions"): Expect(rank(200, ADMIN)),
    ("GET", "/admin/suggestions/{suggestion_id}"): Expect(rank(200, ADMIN)),
    ("POST", "/admin/suggestions/{suggestion_id}/decision"): Expect(
        rank(200, ADMIN), json=lambda s: {"decision": "deny", "rationale": "Finns redan"}
    ),
    ("GET", "/admin/users"): Expect(rank(200, ADMIN)),
    ("POST", "/admin/users"): Expect(
        rank(201, ADMIN),
        json=lambda s: {"email": "ny@skolan.se", "password": "Gröna-äpplen-42", "role": "user"},
    ),
    ("POST", "/admin/users/role"): Expect(
        rank(200, ADMIN), json=lambda s: {"email": s["target_email"], "role": "contributor"}
    ),
    ("POST", "/admin/users/deactivate"): Expect(
        rank(200, ADMIN), json=lambda s: {"email": s["target_email"]}
    ),
    ("POST", "/admin/users/reactivate"): Expect(
        rank(200, ADMIN), json=lambda s: {"email": s["target_email"]}
    ),
    ("POST", "/admin/users/password"): Expect(
        rank(200, ADMIN),
        json=lambda s: {"email": s["target_email"], "password": "Blåbärspaj-2027"},
    ),
    ("POST", "/me/password"): Expect(
        rank(200, USER),
        json=lambda s: {"current_password": PASSWORD, "new_password": "Blåbärspaj-2027"},
    ),
    ("GET", "/tokens"): Expect(rank(200, USER)),
    ("POST", "/tokens"): Expect(rank(201, USER), json=lambda s: {"name": "bärbar"}),
    ("POST", "/tokens/{token_id}/revoke"): Expect(rank(200, USER)),
    ("GET", "/admin/nominations"): Expect(rank(200, ADMIN)),
    ("POST", "/admin/nominations"): Expect(
        rank(201, ADMIN), json=lambda s: {"email": s["target_email"], "rationale": "Kunnig"}
    ),
    ("POST", "/admin/nominations/{nomination_id}/decision"): Expect(
        rank(200, SUPERUSER), json=lambda s: {"decision": "approve"}
    ),
    ("GET", "/admin/audit"): Expect(rank(200, ADMIN)),
}

# Path parameters filled from another scene value for one route.
PARAMETER_SOURCES: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/runs/{run_id}/cancel"): {"run_id": "queued_run_id"},
    ("POST", "/admin/versions/{version_id}/publish"): {"version_id": "in_review_id"},
    ("POST", "/admin/versions/{version_id}/request-changes"): {"version_id": "in_review_id"},
}


def api_routes() -> set[tuple[str, str]]:
    return {
        (method, path.removeprefix(API))
        for method, path in registered_routes()
        if path.startswith(API + "/")
    }


def test_every_api_route_has_an_entry() -> None:
    routes = api_routes()
    assert routes - MATRIX.keys() == set(), "API routes without an entry in MATRIX"
    assert MATRIX.keys() - routes == set(), "entries in MATRIX for API routes that do not exist"


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[ApiSite]:
    yield from make_api_site(tmp_path)


CASES = [(method, path, who) for (method, path) in MATRIX for who in ROLES]


@pytest.mark.parametrize(("method", "path", "who"), CASES)
def test_api_status_for_role(
    fresh: ApiSite, tmp_path: Path, method: str, path: str, who: str
) -> None:
    expect = MATRIX[(method, path)]
    scene = build_scene(fresh, who, tmp_path)
    values = dict(scene.values)
    for param, source in PARAMETER_SOURCES.get((method, path), {}).items():
        values[param] = scene[source]
    kwargs: dict[str, Any] = {}
    if expect.json is not None:
        kwargs["json"] = dict(expect.json(scene))
    if expect.upload:
        kwargs["files"] = UPLOAD
    response = fresh.request(who, method, path.format(**values), **kwargs)
    assert response.status_code == expect.statuses[who], response.text[:2000]
    if response.status_code == 401:
        assert response.headers["www-authenticate"].startswith("Bearer realm=")  # RFC 6750
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error", "correlation_id"}
        assert (
            {"code", "message", "details"}
            <= set(body["error"])
            <= {
                "code",
                "message",
                "details",
                "reason",
            }
        )


def test_roles_cover_the_spec_roles() -> None:
    assert set(ROLES) == {
        "anonymous",
        "user",
        "contributor-maintainer",
        "contributor-non-maintainer",
        "admin",
        "superuser",
    }
