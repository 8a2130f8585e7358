"""Every route the app registers × every role → the expected status (ID-17, SUG-01, TOOL-02,
§6.3, ID-10, NOM-05). A route added without an entry here fails ``test_every_route_has_an_entry``.

Each case runs on a fresh app, so state-changing requests cannot disturb each other. POSTs of a
logged-in role carry the session's CSRF token (CSRF itself is tested in test_csrf.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import attrs
import pytest
from skriptoteket.application.execution import Upload
from skriptoteket.domain.identity import Role
from skriptoteket_web.app import create_app
from skriptoteket_web.web_settings import WebSettings
from starlette.routing import Mount, Route

from .conftest import EMAILS, SOURCE, Site, make_site

ARTIFACT_SOURCE = (
    "import os\n"
    "def run_tool(input_path, output_dir):\n"
    "    with open(os.path.join(output_dir, 'rapport.txt'), 'w') as f:\n"
    "        f.write('klart')\n"
    "    return '<p>Klart</p>'\n"
)

ANON = "anonymous"
ROLES = (ANON, "user", "contributor", "admin", "superuser")

Body = Callable[["Scene"], Mapping[str, str | list[str]]]
Values = Callable[["Scene"], Mapping[str, str]]
UPLOAD = {"file": ("lista.csv", b"namn;klass\n")}


@attrs.frozen
class Expect:
    statuses: Mapping[str, int]
    body: Body | None = None
    files: Mapping[str, tuple[str, bytes]] | None = None
    path_values: Values | None = None  # which object a shared path parameter names
    query: Values | None = None  # the query string of a GET
    # The statuses with SKRIPTOTEKET_ENABLE_DOCS on; a route that has them runs both ways.
    with_docs: Mapping[str, int] | None = None


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
            **run_scene(site, role, tool.id),
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


def run_scene(site: Site, role: str, tool_id: uuid.UUID) -> dict[str, str]:
    """The run pages' and the editor's objects: a runnable tool with an artifact, a production
    run of the role's own, a contributor's draft (with a sandbox run) and a version in review."""
    core = site.core
    admin, contributor = site.users[Role.ADMIN], site.users[Role.CONTRIBUTOR]
    runnable = site.published_tool("Körbart verktyg", source=ARTIFACT_SOURCE)
    owner = site.users[Role.USER if role == ANON else Role(role)]
    run = site.call(
        core.start_production_run,
        owner,
        slug=runnable.slug,
        uploads=[Upload(filename="lista.csv", data=b"a;b\n")],
    )
    versions = site.call(core.list_versions, admin, tool_id=tool_id)
    archived = next(v for v in versions if v.state.value == "archived")
    active = next(v for v in versions if v.state.value == "active")
    review = site.call(core.create_draft_version, contributor, tool_id=tool_id, source_code=SOURCE)
    site.call(core.submit_for_review, contributor, version_id=review.id)
    draft = site.call(
        core.create_draft_version, contributor, tool_id=tool_id, source_code=ARTIFACT_SOURCE
    )
    sandbox = site.call(
        core.start_sandbox_run,
        contributor,
        version_id=draft.id,
        uploads=[Upload(filename="lista.csv", data=b"a;b\n")],
    )
    for run_id in (run.id, sandbox.id):
        wait_for_run(site, run_id)
    return {
        "slug": runnable.slug,
        "run_id": str(run.id),
        "sandbox_run_id": str(sandbox.id),
        "artifact_id": "output_rapport_txt",
        "version_id": str(active.id),
        "draft_id": str(draft.id),
        "review_id": str(review.id),
        "archived_id": str(archived.id),
        "user_id": str(contributor.id),
        "other_contributor": site.add_user(Role.CONTRIBUTOR, "annan@skolan.se").email,
    }


def wait_for_run(site: Site, run_id: uuid.UUID) -> None:
    deadline = time.monotonic() + 30
    while not site.call(
        site.core.get_run, site.users[Role.ADMIN], run_id=run_id
    ).run.status.is_terminal:
        assert time.monotonic() < deadline
        time.sleep(0.02)


def contributor_up(status: int) -> dict[str, int]:
    return by_rank(303, 403, status, "contributor")


def admin_up(status: int) -> dict[str, int]:
    return by_rank(303, 403, status, "admin")


def on_draft(s: Scene) -> Mapping[str, str]:
    return {"version_id": s["draft_id"]}


def on_review(s: Scene) -> Mapping[str, str]:
    return {"version_id": s["review_id"]}


def on_sandbox_run(s: Scene) -> Mapping[str, str]:
    return {"run_id": s["sandbox_run_id"]}


MATRIX: dict[tuple[str, str], Expect] = {
    ("GET", "/health"): Expect(dict.fromkeys(ROLES, 200)),
    ("GET", "/ready"): Expect(dict.fromkeys(ROLES, 200)),
    # issue 4 §8: no session opens /metrics; the test client is neither loopback nor has a token.
    ("GET", "/metrics"): Expect(dict.fromkeys(ROLES, 403)),
    ("GET", "/static/{path}"): Expect(dict.fromkeys(ROLES, 200)),
    # R35: for anyone, only when SKRIPTOTEKET_ENABLE_DOCS is on (default off: 404).
    ("GET", "/docs"): Expect(dict.fromkeys(ROLES, 404), with_docs=dict.fromkeys(ROLES, 200)),
    ("GET", "/openapi.json"): Expect(
        dict.fromkeys(ROLES, 404), with_docs=dict.fromkeys(ROLES, 200)
    ),
    ("GET", "/login"): Expect(by_rank(200, 303, 303, "user")),
    # Without the login form's token (issue 9 item 3) a login post is refused.
    ("POST", "/login"): Expect(
        dict.fromkeys(ROLES, 403), body=lambda s: {"email": "x@skolan.se", "password": "fel"}
    ),
    ("POST", "/logout"): Expect(dict.fromkeys(ROLES, 303)),
    # Issue 11: anyone may choose the UI language (anonymous: the cookie only).
    ("POST", "/language"): Expect(
        dict.fromkeys(ROLES, 303), body=lambda s: {"language": "en", "next": "/login"}
    ),
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
    # The confirmation step: GET shows it; a POST without confirm=yes shows it again (200).
    ("GET", "/admin/users/deactivate"): Expect(
        by_rank(303, 403, 200, "admin"), query=lambda s: {"email": s["target_email"]}
    ),
    ("POST", "/admin/users/deactivate"): Expect(
        by_rank(303, 403, 303, "admin"),
        body=lambda s: {"email": s["target_email"], "confirm": "yes"},
    ),
    ("POST", "/admin/users/reactivate"): Expect(
        by_rank(303, 403, 303, "admin"), body=lambda s: {"email": s["target_email"]}
    ),
    ("POST", "/admin/users/password"): Expect(
        by_rank(303, 403, 303, "admin"),
        body=lambda s: {
            "email": s["target_email"],
            "password": "Blåbärspaj-2027",
            "password_again": "Blåbärspaj-2027",
        },
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
    ("POST", "/profile/password"): Expect(
        logged_in(303),
        body=lambda s: {
            "current_password": "Gröna-äpplen-42",
            "new_password": "Blåbärspaj-2027",
            "new_password_again": "Blåbärspaj-2027",
        },
    ),
    ("POST", "/profile/tokens"): Expect(logged_in(201), body=lambda s: {"name": "bärbar"}),
    ("POST", "/profile/tokens/{token_id}/revoke"): Expect(logged_in(303)),
    # R30–R33, EXE-01–EXE-08: any user runs a runnable tool and sees only their own runs.
    ("GET", "/tools/{slug}/run"): Expect(logged_in(200)),
    ("POST", "/tools/{slug}/run"): Expect(logged_in(200), files=UPLOAD),
    ("GET", "/my-runs"): Expect(logged_in(200)),
    ("GET", "/my-runs/{run_id}"): Expect(logged_in(200)),
    ("GET", "/my-runs/{run_id}/status"): Expect(logged_in(200)),
    ("POST", "/my-runs/{run_id}/cancel"): Expect(logged_in(303)),  # already final
    ("GET", "/my-runs/{run_id}/artifacts/{artifact_id}"): Expect(logged_in(200)),
    # DESIGN §6: the result iframe's document, under the run page's own rule (EXE-07).
    ("GET", "/my-runs/{run_id}/result.html"): Expect(logged_in(200)),
    # R15–R28, ED-01, §6.3: the editor for maintainers (the scene's contributor) and admins.
    ("GET", "/admin/tools/{tool_id}"): Expect(contributor_up(200)),
    ("GET", "/admin/tools/{tool_id}/versions"): Expect(contributor_up(200)),
    ("POST", "/admin/tools/{tool_id}/versions"): Expect(
        contributor_up(303), body=lambda s: {"source_code": "def run_tool(a, b):\n    return ''\n"}
    ),
    ("POST", "/admin/tools/{tool_id}/rollback"): Expect(
        by_rank(303, 403, 303, "superuser"), body=lambda s: {"from_version_id": s["archived_id"]}
    ),
    ("GET", "/admin/tools/{tool_id}/diff"): Expect(contributor_up(200)),
    ("POST", "/admin/tools/{tool_id}/metadata"): Expect(
        admin_up(303),
        body=lambda s: {
            "title": "Nytt namn",
            "summary": "",
            "professions": ["larare"],
            "categories": ["administration"],
        },
    ),
    ("GET", "/admin/tools/{tool_id}/maintainers"): Expect(admin_up(200)),
    ("POST", "/admin/tools/{tool_id}/maintainers"): Expect(
        admin_up(303), body=lambda s: {"email": s["other_contributor"]}
    ),
    ("POST", "/admin/tools/{tool_id}/maintainers/{user_id}"): Expect(admin_up(303)),
    ("DELETE", "/admin/tools/{tool_id}/maintainers/{user_id}"): Expect(admin_up(303)),
    ("GET", "/admin/tool-versions/{version_id}"): Expect(contributor_up(200)),
    ("POST", "/admin/tool-versions/{version_id}/save"): Expect(
        contributor_up(303),
        body=lambda s: {"expected_parent_version_id": s["draft_id"], "source_code": SOURCE},
        path_values=on_draft,
    ),
    ("POST", "/admin/tool-versions/{version_id}/submit-review"): Expect(
        contributor_up(303), path_values=on_draft
    ),
    ("POST", "/admin/tool-versions/{version_id}/publish"): Expect(
        admin_up(303), path_values=on_review
    ),
    ("POST", "/admin/tool-versions/{version_id}/request-changes"): Expect(
        admin_up(303), path_values=on_review
    ),
    ("POST", "/admin/tool-versions/{version_id}/run-sandbox"): Expect(
        contributor_up(200), files=UPLOAD, path_values=on_draft
    ),
    ("GET", "/admin/tool-runs/{run_id}"): Expect(contributor_up(200), path_values=on_sandbox_run),
    ("POST", "/admin/tool-runs/{run_id}/cancel"): Expect(
        contributor_up(303), path_values=on_sandbox_run
    ),
    ("GET", "/admin/tool-runs/{run_id}/artifacts/{artifact_id}"): Expect(
        contributor_up(200), path_values=on_sandbox_run
    ),
    ("GET", "/admin/tool-runs/{run_id}/result.html"): Expect(
        contributor_up(200), path_values=on_sandbox_run
    ),
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
def fresh_site(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Site]:
    docs = bool(request.node.callspec.params.get("docs", False))
    settings = WebSettings(default_language="sv", enable_docs=docs)
    yield from make_site(data_dir=tmp_path, web_settings=settings)


CASES = [
    (method, path, role, docs)
    for (method, path), expect in MATRIX.items()
    for docs in ((False, True) if expect.with_docs else (False,))
    for role in ROLES
]


@pytest.mark.parametrize(("method", "path", "role", "docs"), CASES)
def test_route_status_for_role(
    fresh_site: Site, method: str, path: str, role: str, docs: bool
) -> None:
    expect = MATRIX[(method, path)]
    statuses = expect.with_docs if docs and expect.with_docs else expect.statuses
    scene = build_scene(fresh_site, role)
    csrf = "" if role == ANON else fresh_site.login(Role(role))
    if role == ANON:
        fresh_site.anonymous()
    values = {**scene.values, **(expect.path_values(scene) if expect.path_values else {})}
    url = path.format(**values)
    if method == "GET":
        response = fresh_site.client.get(url, params=expect.query(scene) if expect.query else None)
    else:
        data: dict[str, str | list[str]] = dict(expect.body(scene) if expect.body else {})
        if csrf:
            data["csrf_token"] = csrf
        files = dict(expect.files) if expect.files else None
        response = fresh_site.client.request(method, url, data=data, files=files)
    assert response.status_code == statuses[role], response.text[:2000]
    if response.status_code == 303 and role == ANON and path not in ("/logout",):
        assert response.headers["location"] == "/login"


def test_emails_cover_every_role() -> None:
    assert {r.value for r in EMAILS} == set(ROLES[1:])
