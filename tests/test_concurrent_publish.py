"""Two admins publish at the same moment from two connections on PostgreSQL: exactly one wins,
the other gets a clean CONFLICT and nothing is half-written (VER-03, VER-19, VER-22, GOV-01).

A barrier inside both units of work makes the race real: each transaction has read the tool's
state before either writes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.context import Deps
from skriptoteket.application.versions import PublishResult
from skriptoteket.builtin.system import SecretsTokenGenerator, UtcClock, Uuid4Generator
from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import Role, User
from skriptoteket.domain.versions import ToolVersion, VersionState
from skriptoteket.plugins import Plugins, make_plugin_manager
from skriptoteket.ports.repositories import UnitOfWork
from skriptoteket.settings import Settings
from skriptoteket.testing.fakes import FakePasswordHasher, Fault, FaultyUnitOfWorkFactory
from skriptoteket_sql.migrations import AlembicMigrations

from .databases import fresh_postgres_database

pytestmark = pytest.mark.postgres
SOURCE = "def run_tool(input_path, output_dir):\n    return '<p>v{n}</p>'\n"


def barrier_before_numbering(barrier: asyncio.Barrier) -> Fault:
    """Patch each unit of work: ``next_version_number`` (called after the reads, before the
    writes of PublishVersion) first waits until the other transaction got there too."""

    def fault(uow: UnitOfWork) -> None:
        versions: Any = uow.versions
        original = versions.next_version_number

        async def synchronised(tool_id: Any) -> int:
            await asyncio.wait_for(barrier.wait(), timeout=10)
            return int(await original(tool_id))

        versions.next_version_number = synchronised

    return fault


def _deps(factory: Any) -> Deps:
    return Deps(
        uow=factory,
        clock=UtcClock(),
        ids=Uuid4Generator(),
        hasher=FakePasswordHasher(),
        tokens=SecretsTokenGenerator(),
    )


async def _apps(
    url: str, stack: AsyncExitStack, barrier: asyncio.Barrier
) -> tuple[Skriptoteket, Skriptoteket, Skriptoteket]:
    """A plain container for setup and checks, and two racing ones on separate engines."""
    settings = Settings(database_url=url)
    backend = Plugins(make_plugin_manager()).select_repository(settings)
    plain = Skriptoteket(_deps(await stack.enter_async_context(backend.open(settings))))
    racers = []
    for _ in range(2):  # two engines: two separate connection pools
        factory = await stack.enter_async_context(backend.open(settings))
        racers.append(
            Skriptoteket(_deps(FaultyUnitOfWorkFactory(factory, barrier_before_numbering(barrier))))
        )
    return plain, racers[0], racers[1]


async def _in_review(app: Skriptoteket, admin: User, tool_id: Any, n: int) -> ToolVersion:
    draft = await app.create_draft_version(admin, tool_id=tool_id, source_code=SOURCE.format(n=n))
    return await app.submit_for_review(admin, version_id=draft.id)


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    with fresh_postgres_database() as url:
        await asyncio.to_thread(AlembicMigrations(url).upgrade, "head")
        yield url


@pytest.mark.parametrize("with_previous_active", [False, True])
@pytest.mark.parametrize("same_version", [False, True])
async def test_concurrent_publish_exactly_one_wins(
    postgres_url: str, with_previous_active: bool, same_version: bool
) -> None:
    barrier = asyncio.Barrier(2)
    async with AsyncExitStack() as stack:
        plain, left, right = await _apps(postgres_url, stack, barrier)
        await plain.bootstrap_superuser(email="rektor@skolan.se", password="Kanelbulle-42")
        root = await plain.find_active_user("rektor@skolan.se")
        admin = await plain.create_user(
            root, email="admin@skolan.se", password="Kanelbulle-42", role=Role.ADMIN
        )
        tool = await plain.create_tool(
            admin,
            slug="gruppindelning",
            title="Gruppindelning",
            summary=None,
            professions=["larare"],
            categories=["mentorskap"],
        )
        previous = None
        if with_previous_active:
            base = await _in_review(plain, admin, tool.id, 0)
            previous = (await plain.publish_version(admin, version_id=base.id)).new_active
        a = await _in_review(plain, admin, tool.id, 1)
        b = a if same_version else await _in_review(plain, admin, tool.id, 2)

        outcomes = await asyncio.gather(
            left.publish_version(admin, version_id=a.id),
            right.publish_version(admin, version_id=b.id),
            return_exceptions=True,
        )

        wins = [o for o in outcomes if isinstance(o, PublishResult)]
        losses = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(wins) == 1, outcomes
        assert len(losses) == 1, outcomes
        assert isinstance(losses[0], DomainError), repr(losses[0])
        assert losses[0].code is ErrorCode.CONFLICT
        winner = wins[0]

        versions = await plain.list_versions(admin, tool_id=tool.id)
        active = [v for v in versions if v.state is VersionState.ACTIVE]
        assert [v.id for v in active] == [winner.new_active_version_id]
        stored_tool = await plain.get_tool(admin, tool_id=tool.id)
        assert stored_tool.active_version_id == winner.new_active_version_id
        by_id = {v.id: v for v in versions}
        loser_id = b.id if outcomes[0] is winner else a.id
        if not same_version:
            assert by_id[loser_id].state is VersionState.IN_REVIEW
            assert by_id[loser_id].published_at is None
        if previous is not None:
            assert by_id[previous.id].state is VersionState.ARCHIVED
        # earlier publish (consumed + active) + the in_review rows + exactly one new active
        expected_rows = (2 if with_previous_active else 0) + (1 if same_version else 2) + 1
        assert len(versions) == expected_rows
        published = await plain.list_audit_log(admin, action=AuditAction.VERSION_PUBLISHED)
        assert len(published) == (2 if with_previous_active else 1)
