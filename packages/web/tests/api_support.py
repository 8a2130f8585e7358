"""A running app for the JSON API tests: the in-memory backend with execution on (the local
runner, ``data_dir`` in a temporary folder), a bearer token per role — including a contributor
who maintains the test tool and one who does not — and helpers to seed data through the core."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx2 as httpx
from skriptoteket.application.container import Skriptoteket
from skriptoteket.domain.identity import Role, User, system_actor
from skriptoteket.domain.runs import (
    RunContext,
    RunStatus,
    ToolRun,
    finish_run,
    queue_run,
    start_run,
)
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import ToolVersion
from skriptoteket.plugins import make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket.testing.fakes import FakePasswordHasher
from skriptoteket_web import hookspecs
from skriptoteket_web.api import ENDPOINTS
from skriptoteket_web.api.openapi import build_document
from skriptoteket_web.app import CoreServices, create_app
from skriptoteket_web.web_settings import WebSettings
from starlette.testclient import TestClient

T = TypeVar("T")

API = "/api/v1"
PASSWORD = "Gröna-äpplen-42"
ANON = "anonymous"
USER = "user"
MAINTAINER = "contributor-maintainer"
CONTRIBUTOR = "contributor-non-maintainer"
ADMIN = "admin"
SUPERUSER = "superuser"
ROLES = (ANON, USER, MAINTAINER, CONTRIBUTOR, ADMIN, SUPERUSER)
ROLE_OF = {
    USER: Role.USER,
    MAINTAINER: Role.CONTRIBUTOR,
    CONTRIBUTOR: Role.CONTRIBUTOR,
    ADMIN: Role.ADMIN,
    SUPERUSER: Role.SUPERUSER,
}
SOURCE = (
    "import os\n"
    "def run_tool(input_path, output_dir):\n"
    "    data = open(input_path, 'rb').read()\n"
    "    print('läste', len(data))\n"
    "    with open(os.path.join(output_dir, 'kopia.txt'), 'wb') as f:\n"
    "        f.write(data.upper())\n"
    "    return '<p>' + str(len(data)) + ' byte</p>'\n"
)


DOCUMENT = build_document(ENDPOINTS)


def documented_statuses(method: str, path: str) -> set[str] | None:
    """The statuses the OpenAPI document lists for the operation ``path`` reaches (None: no
    such operation, e.g. an unknown path or a method the path does not take)."""
    for template, operations in DOCUMENT["paths"].items():
        pattern = re.sub(r"\{[a-z_]+\}", "[^/]+", template)
        if re.fullmatch(pattern, path) and method.lower() in operations:
            return set(operations[method.lower()]["responses"])
    return None


class ApiSite:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.users: dict[str, User] = {}
        self.tokens: dict[str, str] = {}

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

    def token_for(self, user: User) -> str:
        issued = self.call(self.core.create_api_token, user, owner_email=user.email, name="test")
        return issued.secret

    def headers(self, who: str) -> dict[str, str]:
        return {} if who == ANON else {"Authorization": f"Bearer {self.tokens[who]}"}

    # --- requests as a role ---

    def request(self, who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.client.cookies.clear()
        headers = {**self.headers(who), **kwargs.pop("headers", {})}
        response = self.client.request(method, API + path, headers=headers, **kwargs)
        statuses = documented_statuses(method, API + path.split("?")[0])
        if statuses is not None:
            # Every status an API test sees is one the OpenAPI document lists for it.
            assert str(response.status_code) in statuses, (method, path, response.text[:500])
        return response

    def get(self, who: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.request(who, "GET", path, **kwargs)

    def post(self, who: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.request(who, "POST", path, **kwargs)

    def ok(self, who: str, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.request(who, method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json()

    # --- data ---

    def tool(self, slug: str | None = None, title: str = "Verktyg") -> Tool:
        admin = self.users[ADMIN]
        tool = self.call(
            self.core.create_tool,
            admin,
            slug=slug or f"verktyg-{uuid.uuid4().hex[:8]}",
            title=title,
            summary="Ett verktyg",
            professions=("larare",),
            categories=("administration",),
        )
        self.call(
            self.core.assign_maintainer,
            admin,
            tool_id=tool.id,
            email=self.users[MAINTAINER].email,
        )
        return tool

    def activate(self, tool: Tool, source: str = SOURCE) -> ToolVersion:
        admin = self.users[ADMIN]
        draft = self.call(
            self.core.create_draft_version, admin, tool_id=tool.id, source_code=source
        )
        self.call(self.core.submit_for_review, admin, version_id=draft.id)
        return self.call(self.core.publish_version, admin, version_id=draft.id).new_active

    def published_tool(self, slug: str | None = None, source: str = SOURCE) -> Tool:
        tool = self.tool(slug)
        self.activate(tool, source)
        return self.call(
            self.core.set_tool_published, self.users[ADMIN], tool_id=tool.id, published=True
        )

    def draft(self, tool: Tool, who: str = MAINTAINER, source: str = SOURCE) -> ToolVersion:
        return self.call(
            self.core.create_draft_version, self.users[who], tool_id=tool.id, source_code=source
        )

    def stored_run(
        self,
        tool: Tool,
        owner: str,
        *,
        finished: bool = True,
        artifact: bytes | None = None,
        tmp: Path | None = None,
    ) -> ToolRun:
        """A production run row made without running anything (for permission tests)."""
        core = self.core
        assert tool.active_version_id is not None
        now = core.deps.clock.now()
        run = queue_run(
            id=uuid.uuid4(),
            tool_id=tool.id,
            version_id=tool.active_version_id,
            context=RunContext.PRODUCTION,
            requested_by=self.users[owner].id,
            input_files=(),
            input_values={},
            now=now,
        )
        if finished:
            artifacts: tuple[Any, ...] = ()
            if artifact is not None:
                assert tmp is not None
                out = tmp / f"out-{run.id}"
                out.mkdir()
                (out / "rapport.txt").write_bytes(artifact)
                execution = core.deps.require_execution()
                artifacts = tuple(self.call(execution.artifacts.store, run.id, out))
            run = finish_run(
                start_run(run, now=now),
                status=RunStatus.SUCCEEDED,
                now=now,
                html_output="<p>klart</p>",
                stdout="hemligt",
                stderr="",
                artifacts=artifacts,
            )

        async def add() -> None:
            async with core.deps.uow() as uow:
                await uow.runs.add(run)
                await uow.commit()

        self.call(add)
        return run

    def wait_final(self, who: str, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            run: dict[str, Any] = self.ok(who, "GET", f"/runs/{run_id}")
            if run["status"] not in ("queued", "running"):
                return run
            assert time.monotonic() < deadline, run
            time.sleep(0.05)


def make_api_site(tmp_path: Path, *, execution: bool = True) -> Iterator[ApiSite]:
    pm = make_plugin_manager(load_entrypoints=False, extra_specs=[hookspecs])
    app = create_app(
        Settings(database_url="memory://", data_dir=tmp_path),
        pm,
        web_settings=WebSettings(default_language="sv"),
        execution=execution,
        recover_interrupted_runs=False,
        services=CoreServices(hasher=FakePasswordHasher()),
    )
    with TestClient(app, follow_redirects=False) as client:
        site = ApiSite(client)
        emails = {
            USER: "larare@skolan.se",
            MAINTAINER: "bidrag@skolan.se",
            CONTRIBUTOR: "annan@skolan.se",
            ADMIN: "admin@skolan.se",
            SUPERUSER: "rektor@skolan.se",
        }
        for who, email in emails.items():
            site.users[who] = site.add_user(ROLE_OF[who], email)
            site.tokens[who] = site.token_for(site.users[who])
        yield site
