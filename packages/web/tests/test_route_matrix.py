"""Every route the app registers × every role → the expected status (ID-17, SUG-01, TOOL-02,
§6.3, ID-10, NOM-05). A route added without an entry here fails ``test_every_route_has_an_entry``.

Each case runs on a fresh app, so state-changing requests cannot disturb each other. POSTs of a
logged-in role carry the session's CSRF token (CSRF itself is tested in test_csrf.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping

import attrs
import pytest
from skriptoteket.domain.identity import Role
from skriptoteket_web.app import create_app
from starlette.routing import Mount, Route

from .conftest import EMAILS, Site, make_site

ANON = "anonymous"
ROLES = (ANON, "user", "contributor", "admin", "superuser")

Body = Callable[["Scene"], Mapping[str, str | list[str]]]


@attrs.frozen
class Expect:
    statuses: Mapping[str, int]
    body: Body | None = None


def by_rank(anonymous: int, below: int, at_least: int, minimum: str) -> dict[str, int]:
    """``anonymous`` for no session, ``below`` under ``minimum``, ``at_least`` from it up."""
    rank = ROLES.index(minimum)
    result = {ANON: anonymous}
    for index, role in enumerate(ROLES[1:], start=1):
        result[role] = at_least if index >= rank else below
    return result


def logged_in(status: int) -> dict[str, int]:
    return by_rank(303, status, status, "user")


@attrs.define
class Scene:
    """Objects the paths and bodies refer to, made before each request."""

    site: Site
    role: str
    values: dict[str, str] = attrs.Factory(dict)

    def __getitem__(self, key: str) -> str:
        return self.values[key]


def build_scene(site: Site, role: str) -> Scene:
    contributor = site.users[Role.CONTRIBUTOR]
    core = site.core
    tool = site.published_tool("Publicerat verktyg")
    suggestion = site.call(
        core.submit_suggestion,
        contributor,
        title="Nytt verktyg",
        description="Gör något bra",
        professions=["larare"],
        categories=["administration"],
    )
    target = site.add_user(Role.USER, "mal@skolan.se")
    nominee = site.add_user(Role.CONTRIBUTOR, "nominerad@skolan.se")
    nomination = site.call(
        core.nominate_admin, site.users[Role.ADMIN], nominee_email=nominee.email, rationale="Bra"
    )
    token_id = str(uuid.uuid4())
    if role != ANON:
        owner = site.users[Role(role)]
        issued = site.call(core.create_api_token, owner, owner_email=owner.email, name="test")
        token_id = str(issued.token.id)
    return Scene(
        site,
        role,
        {
            "profession_slug": "larare",
            "category_slug": "administration",
            "tool_id": str(tool.id),
            "suggestion_id": str(suggestion.id),
            "nomination_id": str(nomination.id),
            "token_id": token_id,
            "target_email": target.email,
            "path": "css/app.css",
        },
    )


MATRIX: dict[tuple[str, str], Expect] = {
    ("GET", "/health"): Expect(dict.fromkeys(ROLES, 200)),
    ("GET", "/ready"): Expect(dict.fromkeys(ROLES, 200)),
    ("GET", "/static/{path}"): Expect(dict.fromkeys(ROLES, 200)),
    ("GET", "/login"): Expect(by_rank(200, 303, 303, "user")),
    ("POST", "/login"): Expect(
        dict.fromkeys(ROLES, 400), body=lambda s: {"email": "x@skolan.se", "password": "fel"}
    ),
    ("POST", "/logout"): Expect(dict.fromkeys(ROLES, 303)),
    ("GET", "/"): Expect(logged_in(200)),
    ("GET", "/browse/"): Expect(logged_in(200)),
    ("GET", "/browse/{profession_slug}"): Expect(logged_in(200)),
    ("GET", "/browse/{profession_slug}/{category_slug}"): Expect(logged_in(200)),
    ("GET", "/katalog"): Expect(logged_in(200)),
    ("GET", "/suggestions/new"): Expect(by_rank(303, 403, 200, "contributor")),
    ("POST", "/suggestions/new"): Expect(
        by_rank(303, 403, 303, "contributor"),
        body=lambda s: {
            "title": "Förslag",
            "description": "Beskrivning",
            "professions": ["larare"],
            "categories": ["ovrigt"],
        },
    ),
    ("GET", "/admin/suggestions"): Expect(by_rank(303, 403, 200, "admin")),
    ("GET", "/admin/suggestions/{suggestion_id}"): Expect(by_rank(303, 403, 200, "admin")),
    ("POST", "/admin/suggestions/{suggestion_id}/decision"): Expect(
        by_rank(303, 403, 303, "admin"),
        body=lambda s: {"decision": "deny", "rationale": "Finns redan"},
    ),
    ("GET", "/admin/tools"): Expect(by_rank(303, 403, 200, "admin")),
    ("POST", "/admin/tools/{tool_id}/publish"): Expect(by_rank(303, 403, 303, "admin")),
    ("POST", "/admin/tools/{tool_id}/depublish"): Expect(by_rank(303, 403, 303, "admin")),
    ("GET", "/my-tools"): Expect(by_rank(303, 403, 200, "contributor")),
    ("GET", "/admin/users"): Expect(by_rank(303, 403, 200, "admin")),
    ("POST", "/admin/users"): Expect(
        by_rank(303, 403, 303, "admin"),
        body=lambda s: {"email": "ny@skolan.se", "password": "Gröna-äpplen-42", "role": "user"},
    ),
    ("POST", "/admin/users/role"): Expect(
        by_rank(303, 403, 303, "admin"),
        body=lambda s: {"email": s["target_email"], "role": "contributor"},
    ),
    ("POST", "/admin/users/deactivate"): Expect(
        by_rank(303, 403, 303, "admin"), body=lambda s: {"email": s["target_email"]}
    ),
    ("GET", "/admin/nominations"): Expect(by_rank(303, 403, 200, "admin")),
    ("POST", "/admin/nominations"): Expect(
        by_rank(303, 403, 303, "admin"),
        body=lambda s: {"email": s["target_email"], "rationale": "Kunnig"},
    ),
    # NOM-05: only a superuser decides; an admin gets 403 from the use case.
    ("POST", "/admin/nominations/{nomination_id}/decision"): Expect(
        by_rank(303, 403, 303, "superuser"), body=lambda s: {"decision": "approve"}
    ),
    ("GET", "/admin/audit"): Expect(by_rank(303, 403, 200, "admin")),
    ("GET", "/profile"): Expect(logged_in(200)),
    ("POST", "/profile/tokens"): Expect(logged_in(201), body=lambda s: {"name": "bärbar"}),
    ("POST", "/profile/tokens/{token_id}/revoke"): Expect(logged_in(303)),
}


def registered_routes() -> set[tuple[str, str]]:
    app = create_app(execution=False)
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, Mount):
            found.add(("GET", route.path + "/{path}"))
        elif isinstance(route, Route):
            for method in route.methods or ():
                if method != "HEAD":
                    found.add((method, route.path))
        else:  # pragma: no cover - a new kind of route needs a rule here
            raise AssertionError(f"unknown route type {route!r}")
    return found


def test_every_route_has_an_entry() -> None:
    # /api/v1 routes have their own table (roles × bearer tokens) in test_api_matrix.py.
    routes = {r for r in registered_routes() if not r[1].startswith("/api/")}
    assert routes - MATRIX.keys() == set(), "routes without an entry in MATRIX"
    assert MATRIX.keys() - routes == set(), "entries in MATRIX for routes that do not exist"


@pytest.fixture
def fresh_site() -> Iterator[Site]:
    yield from make_site()


CASES = [(method, path, role) for (method, path) in MATRIX for role in ROLES]


@pytest.mark.parametrize(("method", "path", "role"), CASES)
def test_route_status_for_role(fresh_site: Site, method: str, path: str, role: str) -> None:
    expect = MATRIX[(method, path)]
    scene = build_scene(fresh_site, role)
    csrf = "" if role == ANON else fresh_site.login(Role(role))
    if role == ANON:
        fresh_site.anonymous()
    url = path.format(**scene.values)
    if method == "GET":
        response = fresh_site.client.get(url)
    else:
        data: dict[str, str | list[str]] = dict(expect.body(scene) if expect.body else {})
        if csrf:
            data["csrf_token"] = csrf
        response = fresh_site.client.request(method, url, data=data)
    assert response.status_code == expect.statuses[role], response.text[:2000]
    if response.status_code == 303 and role == ANON and path not in ("/logout",):
        assert response.headers["location"] == "/login"


def test_emails_cover_every_role() -> None:
    assert {r.value for r in EMAILS} == set(ROLES[1:])
