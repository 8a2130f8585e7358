"""A running web app per test on the in-memory backend, with fast fake password hashing, a
fake clock for the core (and so for the login throttle).

``Site`` seeds data through the app's own use-case container (on the app's event loop, via the
test client's portal) and switches the client between the roles' sessions.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx2 as httpx
import pytest
from skriptoteket.application.container import Skriptoteket
from skriptoteket.domain.identity import Role, User, system_actor
from skriptoteket.domain.login_throttle import ThrottlePolicy
from skriptoteket.domain.tools import Tool
from skriptoteket.plugins import make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket.testing.fakes import FakeClock, FakePasswordHasher
from skriptoteket_web import hookspecs
from skriptoteket_web.app import CoreServices, create_app
from skriptoteket_web.web_settings import WebSettings
from starlette.testclient import TestClient

T = TypeVar("T")

PASSWORD = "Gröna-äpplen-42"
EMAILS = {
    Role.USER: "larare@skolan.se",
    Role.CONTRIBUTOR: "bidrag@skolan.se",
    Role.ADMIN: "admin@skolan.se",
    Role.SUPERUSER: "rektor@skolan.se",
}
SOURCE = "def run_tool(input_path: str, output_dir: str) -> str:\n    return '<p>Hej</p>'\n"
COOKIE = "skriptoteket_session"


# The test sites' login throttle: 3 free failures, then 1 s, 2 s, …; 6 per address in a minute.
SITE_THROTTLE = ThrottlePolicy(
    failures_before_delay=3, max_delay_seconds=60, max_failures_per_address=6, window_seconds=60
)

LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


def post_login(client: TestClient, email: str, password: str, **extra: str) -> httpx.Response:
    """``POST /login`` as the login form sends it: ``GET /login`` first for the form's login
    token (its cookie stays in the client). A client with a live session is sent home by
    ``GET /login``; it then makes its own token pair, as any double-submit client may."""
    page = client.get("/login")
    found = LOGIN_TOKEN.search(page.text) if page.status_code == 200 else None
    if found is None:
        token = "t" * 43
        client.cookies.set("skriptoteket_login", token)
    else:
        token = found.group(1)
    data = {"email": email, "password": password, "login_token": token, **extra}
    return client.post("/login", data=data)


class Site:
    def __init__(self, client: TestClient, time: FakeClock) -> None:
        self.client = client
        self.time = time
        self.users: dict[Role, User] = {}
        self._sessions: dict[Role, tuple[str, str]] = {}

    @property
    def core(self) -> Skriptoteket:
        found = self.client.app.state.core  # type: ignore[attr-defined]
        assert isinstance(found, Skriptoteket)
        return found

    def call(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        return self.client.portal.call(partial(fn, *args, **kwargs))  # type: ignore[union-attr]

    @property
    def operator(self) -> User:
        return system_actor(self.core.deps.clock.now())

    def add_user(self, role: Role, email: str | None = None) -> User:
        return self.call(
            self.core.create_user,
            self.operator,
            email=email or f"person-{uuid.uuid4().hex[:8]}@skolan.se",
            password=PASSWORD,
            role=role,
        )

    # --- sessions ---

    def login(self, role: Role) -> str:
        """Log in as ``role`` (once) and make it the client's session; returns the CSRF token."""
        if role not in self._sessions:
            self.client.cookies.clear()
            response = post_login(self.client, EMAILS[role], PASSWORD)
            assert response.status_code == 303, response.text
            session_id = response.cookies[COOKIE]
            current = self.call(self.core.resolve_session, uuid.UUID(session_id))
            assert current is not None
            self._sessions[role] = (session_id, current.session.csrf_token)
        session_id, csrf = self._sessions[role]
        self.client.cookies.clear()
        self.client.cookies.set(COOKIE, session_id)
        return csrf

    def anonymous(self) -> None:
        self.client.cookies.clear()

    # --- data ---

    def tool(self, title: str, **kwargs: Any) -> Tool:
        admin = self.users[Role.ADMIN]
        tool = self.call(
            self.core.create_tool,
            admin,
            slug=kwargs.pop("slug", None) or f"verktyg-{uuid.uuid4().hex[:8]}",
            title=title,
            summary=kwargs.pop("summary", "Ett verktyg"),
            professions=kwargs.pop("professions", ("larare",)),
            categories=kwargs.pop("categories", ("administration",)),
        )
        self.call(
            self.core.assign_maintainer, admin, tool_id=tool.id, email=EMAILS[Role.CONTRIBUTOR]
        )
        return tool

    def activate(self, tool: Tool, source: str = SOURCE) -> None:
        admin = self.users[Role.ADMIN]
        draft = self.call(
            self.core.create_draft_version, admin, tool_id=tool.id, source_code=source
        )
        self.call(self.core.submit_for_review, admin, version_id=draft.id)
        self.call(self.core.publish_version, admin, version_id=draft.id)

    def published_tool(self, title: str, *, source: str = SOURCE, **kwargs: Any) -> Tool:
        tool = self.tool(title, **kwargs)
        self.activate(tool, source)
        return self.call(
            self.core.set_tool_published, self.users[Role.ADMIN], tool_id=tool.id, published=True
        )


def make_site(
    *,
    web_settings: WebSettings | None = None,
    language: str = "sv",
    data_dir: Path | None = None,
) -> Iterator[Site]:
    """``data_dir`` turns run execution on (the local runner, artifacts under it)."""
    time = FakeClock()
    pm = make_plugin_manager(load_entrypoints=False, extra_specs=[hookspecs])
    settings = Settings(database_url="memory://", data_dir=data_dir or Path(".skriptoteket"))
    app = create_app(
        settings,
        pm,
        web_settings=web_settings or WebSettings(default_language=language),
        execution=data_dir is not None,
        recover_interrupted_runs=False,
        services=CoreServices(clock=time, hasher=FakePasswordHasher()),
        throttle=SITE_THROTTLE,
    )
    with TestClient(app, follow_redirects=False) as client:
        site = Site(client, time)
        for role, email in EMAILS.items():
            site.users[role] = site.add_user(role, email)
        yield site


@pytest.fixture
def site() -> Iterator[Site]:
    yield from make_site()
