"""``GET /api/v1/openapi.json`` matches the server: every ``/api/v1`` route is in the document
and every documented operation is a route; schemathesis then sends generated requests to every
operation in-process (ASGI, memory backend, an admin's bearer token) and checks the responses
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

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from skriptoteket.application.container import Skriptoteket
from skriptoteket.domain.identity import Role, system_actor
from skriptoteket.plugins import make_plugin_manager
from skriptoteket.settings import Settings
from skriptoteket.testing.fakes import FakePasswordHasher
from skriptoteket_web import hookspecs
from skriptoteket_web.app import CoreServices, create_app
from skriptoteket_web.web_settings import WebSettings
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .api_support import API, PASSWORD
from .test_api_matrix import api_routes

EXAMPLES = int(os.environ.get("SKRIPTOTEKET_SCHEMATHESIS_EXAMPLES", "20"))
BUDGET_SECONDS = float(os.environ.get("SKRIPTOTEKET_SCHEMATHESIS_SECONDS", "60"))
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
    for ops in doc["paths"].values():
        for op in ops.values():
            assert {"400", "401", "403", "404"} <= set(op["responses"])
    assert doc["paths"][f"{API}/openapi.json"]["get"]["security"] == []


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


SECRETS: dict[str, str] = {}


async def seed(core: Skriptoteket) -> None:
    operator = system_actor(core.deps.clock.now())
    admin = await core.create_user(
        operator, email="admin@skolan.se", password=PASSWORD, role=Role.ADMIN
    )
    await core.create_user(
        operator, email="bidrag@skolan.se", password=PASSWORD, role=Role.CONTRIBUTOR
    )
    SECRETS["admin"] = (
        await core.create_api_token(admin, owner_email=admin.email, name="schemathesis")
    ).secret
    tool = await core.create_tool(
        admin,
        slug="exempel",
        title="Exempel",
        summary=None,
        professions=["larare"],
        categories=["administration"],
    )
    draft = await core.create_draft_version(admin, tool_id=tool.id, source_code=SOURCE)
    await core.submit_for_review(admin, version_id=draft.id)
    await core.publish_version(admin, version_id=draft.id)
    await core.set_tool_published(admin, tool_id=tool.id, published=True)


def test_api_conforms_to_its_document(tmp_path: Path) -> None:
    """Bounded: a few generated requests per operation, about a minute at most in all."""
    pm = make_plugin_manager(load_entrypoints=False, extra_specs=[hookspecs])
    app = create_app(
        Settings(database_url="memory://", data_dir=tmp_path),
        pm,
        web_settings=WebSettings(default_language="sv"),
        execution=True,
        recover_interrupted_runs=False,
        services=CoreServices(hasher=FakePasswordHasher()),
    )
    api_schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", seeded(app, seed))
    failures: list[str] = []
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
            case.call_and_validate(
                headers={"Authorization": f"Bearer {SECRETS['admin']}"},
                excluded_checks=[positive_data_acceptance],
            )

        try:
            check()
        except Exception as error:
            failures.append(f"{operation.label}: {error}")
        checked += 1
        if time.monotonic() > deadline:
            break
    assert not failures, "\n\n".join(failures)
    assert checked >= 40, f"only {checked} operations checked within the time budget"
