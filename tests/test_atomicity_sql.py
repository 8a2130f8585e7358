"""A use case commits everything or nothing on the real databases too: a failure injected
half-way through PublishVersion and through DecideSuggestion(accept) leaves no trace, on SQLite
and PostgreSQL (ARCH-09, VER-19, SUG-12)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.context import Deps
from skriptoteket.builtin.system import SecretsTokenGenerator, UtcClock, Uuid4Generator
from skriptoteket.domain.identity import Role
from skriptoteket.domain.suggestions import SuggestionDecisionType, SuggestionStatus
from skriptoteket.domain.versions import VersionState
from skriptoteket.plugins import Plugins, make_plugin_manager
from skriptoteket.ports.repositories import UnitOfWork
from skriptoteket.settings import Settings
from skriptoteket.testing.fakes import (
    FakePasswordHasher,
    FaultyUnitOfWorkFactory,
    InjectedFault,
    fail_when,
)
from skriptoteket_sql.migrations import AlembicMigrations

from .databases import fresh_postgres_database

SOURCE = "def run_tool(input_path, output_dir):\n    return '<p>Hej</p>'\n"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'atomic.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
async def apps(database_url: str) -> AsyncIterator[tuple[Skriptoteket, Any]]:
    """A plain container and a function that builds one whose units of work carry a fault."""
    await asyncio.to_thread(AlembicMigrations(database_url).upgrade, "head")
    settings = Settings(database_url=database_url)
    backend = Plugins(make_plugin_manager()).select_repository(settings)
    async with AsyncExitStack() as stack:
        factory = await stack.enter_async_context(backend.open(settings))

        def deps(uow: Any) -> Deps:
            return Deps(
                uow=uow,
                clock=UtcClock(),
                ids=Uuid4Generator(),
                hasher=FakePasswordHasher(),
                tokens=SecretsTokenGenerator(),
            )

        def faulty(fault: Any) -> Skriptoteket:
            return Skriptoteket(deps(FaultyUnitOfWorkFactory(factory, fault)))

        yield Skriptoteket(deps(factory)), faulty


@pytest.mark.parametrize("fault", ["versions.add(active)", "tools.update", "audit.append"])
async def test_publish_failure_half_way_leaves_nothing(
    apps: tuple[Skriptoteket, Any], fault: str
) -> None:
    app, faulty = apps
    root = await app.bootstrap_superuser(email="rektor@skolan.se", password="Kanelbulle-42")
    tool = await app.create_tool(
        root,
        slug="verktyg",
        title="Verktyg",
        summary=None,
        professions=["larare"],
        categories=["ovrigt"],
    )
    first = await app.create_draft_version(root, tool_id=tool.id, source_code=SOURCE)
    await app.submit_for_review(root, version_id=first.id)
    active = (await app.publish_version(root, version_id=first.id)).new_active
    reviewed = await app.create_draft_version(root, tool_id=tool.id, source_code=SOURCE + "#2\n")
    await app.submit_for_review(root, version_id=reviewed.id)
    before_versions = await app.list_versions(root, tool_id=tool.id)
    before_audit = await app.list_audit_log(root, limit=1000)

    def inject(uow: UnitOfWork) -> None:
        if fault == "versions.add(active)":
            fail_when(uow.versions, "add", lambda v, *a, **k: v.state is VersionState.ACTIVE)
        elif fault == "tools.update":
            fail_when(uow.tools, "update")
        else:
            fail_when(uow.audit, "append")

    with pytest.raises(InjectedFault):
        await faulty(inject).publish_version(root, version_id=reviewed.id)

    assert await app.list_versions(root, tool_id=tool.id) == before_versions
    assert await app.list_audit_log(root, limit=1000) == before_audit
    stored = await app.get_tool(root, tool_id=tool.id)
    assert stored.active_version_id == active.id
    assert (await app.get_version(root, version_id=reviewed.id)).state is VersionState.IN_REVIEW


@pytest.mark.parametrize(
    "fault", ["tools.add_maintainer", "suggestions.add_decision", "audit.append"]
)
async def test_accepting_a_suggestion_failing_half_way_leaves_nothing(
    apps: tuple[Skriptoteket, Any], fault: str
) -> None:
    app, faulty = apps
    root = await app.bootstrap_superuser(email="rektor@skolan.se", password="Kanelbulle-42")
    author = await app.create_user(
        root, email="bidrag@skolan.se", password="Kanelbulle-42", role=Role.CONTRIBUTOR
    )
    suggestion = await app.submit_suggestion(
        author,
        title="Gruppindelning",
        description="Dela in klassen",
        professions=["larare"],
        categories=["mentorskap"],
    )
    before_audit = await app.list_audit_log(root, limit=1000)
    repo_name, method = fault.split(".")

    def inject(uow: UnitOfWork) -> None:
        fail_when(getattr(uow, repo_name), method)

    with pytest.raises(InjectedFault):
        await faulty(inject).decide_suggestion(
            root,
            suggestion_id=suggestion.id,
            decision=SuggestionDecisionType.ACCEPT,
            rationale="Bra idé",
        )

    review = await app.get_suggestion_for_review(root, suggestion_id=suggestion.id)
    assert review.suggestion.status is SuggestionStatus.PENDING_REVIEW
    assert review.suggestion.draft_tool_id is None
    assert list(review.decisions) == []
    assert await app.list_all_tools(root) == []
    assert await app.list_audit_log(root, limit=1000) == before_audit
