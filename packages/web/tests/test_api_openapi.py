"""``GET /api/v1/openapi.json`` matches the server: every ``/api/v1`` route is in the document
and every documented operation is a route; schemathesis then sends generated requests to every
operation in-process (ASGI, memory backend) as each role — anonymous, and a user, contributor,
admin and superuser with a bearer token each — and checks the responses
against the document: no 500, documented statuses, bodies that match their schemas, and
schema-invalid requests rejected (strict bodies).

``positive_data_acceptance`` is left out: a request can match the document's shapes and still
break a rule the document cannot state (tags must exist, a run's inputs must fit that tool's
input schema, a version must be in the right state), which is a 400 or 409 by design."""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from skriptoteket.application.container import Skriptoteket
from skriptoteket.domain.identity import Role, system_actor
from skriptoteket.plugins import make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket.testing.fakes import FakePasswordHasher
from skriptoteket.testing.seeding import publish_tool
from skriptoteket_web import hookspecs
from skriptoteket_web.api import ENDPOINTS
from skriptoteket_web.api.openapi import build_document
from skriptoteket_web.app import CoreServices, create_app
from skriptoteket_web.web_settings import WebSettings
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .api_support import API, PASSWORD
from .test_api_matrix import api_routes

EXAMPLES = int(os.environ.get("SKRIPTOTEKET_SCHEMATHESIS_EXAMPLES", "12"))
BUDGET_SECONDS = float(os.environ.get("SKRIPTOTEKET_SCHEMATHESIS_SECONDS", "30"))
SOURCE = "def run_tool(i, o):\n    return '<p>ok</p>'\n"


def document(app: ASGIApp) -> dict[str, Any]:
    with TestClient(app) as client:
        response = client.get(f"{API}/openapi.json")
        assert response.status_code == 200
        doc: dict[str, Any] = response.json()
        return doc


def test_every_route_is_documented_and_every_operation_is_a_route(tmp_path: Path) -> None:
    app = create_app(Settings(database_url="memory://", data_dir=tmp_path), execution=False)
    doc = document(app)
    assert doc["openapi"].startswith("3.1")
    documented = {
        (method.upper(), path.removeprefix(API))
        for path, operations in doc["paths"].items()
        for method in operations
    }
    assert documented == api_routes()
    operation_ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))
    assert doc["paths"][f"{API}/openapi.json"]["get"]["security"] == []
    assert set(doc["paths"][f"{API}/openapi.json"]["get"]["responses"]) == {"200"}


def errors_of(doc: dict[str, Any], method: str, path: str) -> set[str]:
    responses = doc["paths"][API + path][method]["responses"]
    return {status for status in responses if status >= "400"}


def test_each_operation_documents_the_errors_it_can_answer_with() -> None:
    """Issue 4 §5: per operation, not one list for all: 401 wherever a token is needed, 403
    under a role floor or on an unsafe method (CSRF), 404 where something is named."""
    doc = build_document(ENDPOINTS)
    assert errors_of(doc, "get", "/me") == {"401", "503"}
    assert errors_of(doc, "get", "/admin/tools") == {"401", "403", "503"}
    assert errors_of(doc, "get", "/runs/{run_id}") == {"401", "404", "503"}
    assert errors_of(doc, "get", "/runs/{run_id}/events") == {"401", "404", "503"}
    events = doc["paths"][f"{API}/runs/{{run_id}}/events"]["get"]["responses"]["200"]
    assert list(events["content"]) == ["text/event-stream"]  # issue 10
    assert errors_of(doc, "post", "/tools/{slug}/runs") == {
        "400", "401", "403", "404", "409", "413", "503"
    }  # fmt: skip
    for ops in doc["paths"].values():
        for op in ops.values():
            if op.get("security") != []:
                assert "401" in op["responses"], op["operationId"]
    unauthorized = doc["components"]["responses"]["Error401"]
    assert unauthorized["headers"]["WWW-Authenticate"]["required"] is True


# --- schemathesis ---

Seed = Callable[[Skriptoteket], Awaitable[None]]


def seeded(app: Any, seed: Seed) -> ASGIApp:
    """``app`` whose start-up also seeds data, on the app's own event loop."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return

        async def after_startup(message: Message) -> None:
            if message["type"] == "lifespan.startup.complete":
                await seed(app.state.core)
            await send(message)

        await app(scope, receive, after_startup)

    return wrapper


# The roles schemathesis calls as: a bearer token each, and "anonymous" without one.
ROLES = {
    "anonymous": None,
    "user": Role.USER,
    "contributor": Role.CONTRIBUTOR,
    "admin": Role.ADMIN,
    "superuser": Role.SUPERUSER,
}


def seeder(secrets: dict[str, str]) -> Seed:
    """A user and a bearer token per role (into ``secrets``) and one runnable tool."""

    async def seed(core: Skriptoteket) -> None:
        operator = system_actor(core.deps.clock.now())
        users = {}
        for who, role in ROLES.items():
            if role is None:
                continue
            user = await core.create_user(
                operator, email=f"{who}@skolan.se", password=PASSWORD, role=role
            )
            users[who] = user
            issued = await core.create_api_token(user, owner_email=user.email, name="schemathesis")
            secrets[who] = issued.secret
        admin = users["admin"]
        await publish_tool(
            core, admin, slug="exempel", source_code=SOURCE, categories=("administration",)
        )

    return seed


@pytest.mark.parametrize("who", list(ROLES))
def test_api_conforms_to_its_document_for_each_role(tmp_path: Path, who: str) -> None:
    """Issue 4 §5: the statuses a role meets (401 without a token, 403 under an operation's
    role floor, 404 for what it may not see) are the ones documented for each operation.
    Bounded: a few generated requests per operation and role, a time budget per role."""
    pm = make_plugin_manager(load_entrypoints=False, extra_specs=[hookspecs])
    app = create_app(
        Settings(database_url="memory://", data_dir=tmp_path),
        pm,
        web_settings=WebSettings(default_language="sv"),
        execution=True,
        recover_interrupted_runs=False,
        services=CoreServices(hasher=FakePasswordHasher()),
    )
    secrets: dict[str, str] = {}
    api_schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", seeded(app, seeder(secrets)))
    failures: list[str] = []
    statuses: set[int] = set()
    checked = 0
    deadline = time.monotonic() + BUDGET_SECONDS
    for found in api_schema.get_all_operations():
        operation = found.ok()  # type: ignore[union-attr]  # an Err raises here

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            headers = {"Authorization": f"Bearer {secrets[who]}"} if who in secrets else {}
            response = case.call_and_validate(
                headers=headers, excluded_checks=[positive_data_acceptance]
            )
            statuses.add(response.status_code)

        try:
            check()
        except Exception as error:
            failures.append(f"{who} {operation.label}: {error}")
        checked += 1
        if time.monotonic() > deadline:
            break
    assert not failures, "\n\n".join(failures)
    assert checked >= 40, f"only {checked} operations checked within the time budget"
    if who == "anonymous":
        assert 401 in statuses
    elif who in ("user", "contributor"):
        assert 403 in statuses  # the admin operations refuse them
