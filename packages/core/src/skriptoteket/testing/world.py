"""A small scenario builder over the in-memory backend: a ``Skriptoteket`` container with a
fake clock, one account per role, and shortcuts for the common set-ups (a tool with an active
version, a run, …). Helpers always go through the use cases, except ``add_run`` (runs are
created by the run queue, which is not part of the core use cases) and ``put``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.context import Deps, ExecutionDeps
from skriptoteket.application.versions import PublishResult
from skriptoteket.builtin.filesystem_artifacts import FilesystemArtifactStore
from skriptoteket.builtin.memory.uow import MemoryStore
from skriptoteket.builtin.system import SecretsTokenGenerator, Uuid4Generator
from skriptoteket.builtin.workspaces import FilesystemWorkspaces
from skriptoteket.domain.audit import AuditEntry
from skriptoteket.domain.identity import Role, User, system_actor
from skriptoteket.domain.runs import RunContext, RunStatus, ToolRun
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import ToolVersion
from skriptoteket.ports.execution import RunLimits, Runner, RunQueue
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.ports.system import PasswordHasher
from skriptoteket.testing.factories import make_run
from skriptoteket.testing.fakes import FakeClock, FakePasswordHasher

PASSWORD = "Gröna-äpplen-42"
SOURCE = "def run_tool(input_path: str, output_dir: str) -> str:\n    return '<p>Hej</p>'\n"


def make_app(
    store: MemoryStore,
    clock: FakeClock,
    *,
    hasher: PasswordHasher | None = None,
    uow: UnitOfWorkFactory | None = None,
) -> Skriptoteket:
    return Skriptoteket(
        Deps(
            uow=uow or store.unit_of_work,
            clock=clock,
            ids=Uuid4Generator(),
            hasher=hasher or FakePasswordHasher(),
            tokens=SecretsTokenGenerator(),
        )
    )


@attrs.define
class World:
    app: Skriptoteket
    store: MemoryStore
    clock: FakeClock
    superuser: User
    admin: User
    contributor: User
    other_contributor: User
    user: User

    @classmethod
    async def create(cls, *, hasher: PasswordHasher | None = None) -> World:
        store, clock = MemoryStore.seeded(), FakeClock()
        app = make_app(store, clock, hasher=hasher)
        su = await app.bootstrap_superuser(email="rektor@skolan.se", password=PASSWORD)
        world = cls(app, store, clock, su, su, su, su, su)
        world.admin = await world.add_user(Role.ADMIN, "admin@skolan.se")
        world.contributor = await world.add_user(Role.CONTRIBUTOR, "bidrag@skolan.se")
        world.other_contributor = await world.add_user(Role.CONTRIBUTOR, "annan@skolan.se")
        world.user = await world.add_user(Role.USER, "larare@skolan.se")
        return world

    @property
    def operator(self) -> User:
        return system_actor(self.clock.now())

    def tick(self, seconds: float = 1.0) -> None:
        self.clock.advance(seconds)

    def with_uow(self, uow: UnitOfWorkFactory) -> Skriptoteket:
        return Skriptoteket(attrs.evolve(self.app.deps, uow=uow))

    def execute_on_disk(
        self,
        root: Path,
        *,
        runner: Runner,
        queue: RunQueue,
        sandbox_limits: RunLimits | None = None,
        **fields: Any,
    ) -> ExecutionDeps:
        """Give ``app`` its execution parts: ``runner`` and ``queue``, with the filesystem
        artifact store and run workspaces under ``root`` (``artifacts``, ``work``, ``inputs``);
        ``fields`` are further ``ExecutionDeps`` fields. The queue is not started."""
        execution = ExecutionDeps(
            runner=runner,
            artifacts=FilesystemArtifactStore(root / "artifacts"),
            queue=queue,
            workspaces=FilesystemWorkspaces(
                root / "work", inputs_root=root / "inputs", input_retention_hours=24
            ),
            sandbox_limits=sandbox_limits or RunLimits(),
            production_limits=RunLimits(),
            **fields,
        )
        self.app = Skriptoteket(attrs.evolve(self.app.deps, execution=execution))
        return execution

    async def add_user(self, role: Role, email: str | None = None) -> User:
        self.tick()
        n = len(self.store.state.users) + 1
        return await self.app.create_user(
            self.operator, email=email or f"person{n}@skolan.se", password=PASSWORD, role=role
        )

    def stored_user(self, user: User) -> User:
        return self.store.state.users[user.id]

    def stored_tool(self, tool_id: Any) -> Tool:
        return self.store.state.tools[tool_id]

    def stored_version(self, version_id: Any) -> ToolVersion:
        return self.store.state.versions[version_id]

    def versions_of(self, tool: Tool) -> list[ToolVersion]:
        found = [v for v in self.store.state.versions.values() if v.tool_id == tool.id]
        return sorted(found, key=lambda v: v.version_number)

    # --- audit ---

    def audit_count(self) -> int:
        return len(self.store.state.audit)

    def audit_since(self, count: int) -> list[AuditEntry]:
        return list(self.store.state.audit[count:])

    # --- tools and versions ---

    async def tool(
        self,
        *,
        slug: str | None = None,
        title: str | None = None,
        professions: Sequence[str] = ("larare",),
        categories: Sequence[str] = ("administration",),
        maintainers: Sequence[User] | None = None,
    ) -> Tool:
        self.tick()
        n = len(self.store.state.tools) + 1
        tool = await self.app.create_tool(
            self.admin,
            slug=slug or f"verktyg-{n}",
            title=title or f"Verktyg {n}",
            summary="Ett verktyg",
            professions=professions,
            categories=categories,
        )
        for person in (self.contributor,) if maintainers is None else maintainers:
            await self.app.assign_maintainer(self.admin, tool_id=tool.id, email=person.email)
        return tool

    async def draft(
        self, tool: Tool, author: User | None = None, *, source: str = SOURCE
    ) -> ToolVersion:
        self.tick()
        return await self.app.create_draft_version(
            author or self.contributor, tool_id=tool.id, source_code=source
        )

    async def in_review(
        self, tool: Tool, author: User | None = None, *, source: str = SOURCE
    ) -> ToolVersion:
        draft = await self.draft(tool, author, source=source)
        self.tick()
        return await self.app.submit_for_review(
            author or self.contributor, version_id=draft.id, review_note="Klar"
        )

    async def activate(
        self, tool: Tool, author: User | None = None, *, source: str = SOURCE
    ) -> PublishResult:
        reviewed = await self.in_review(tool, author, source=source)
        self.tick()
        return await self.app.publish_version(self.admin, version_id=reviewed.id)

    async def published_tool(self, **kwargs: Any) -> tuple[Tool, PublishResult]:
        tool = await self.tool(**kwargs)
        result = await self.activate(tool)
        self.tick()
        tool = await self.app.set_tool_published(self.admin, tool_id=tool.id, published=True)
        return tool, result

    # --- runs (written straight to the store: runs are made by the run queue) ---

    async def add_run(
        self,
        version: ToolVersion,
        user: User,
        *,
        context: RunContext = RunContext.PRODUCTION,
        status: RunStatus = RunStatus.QUEUED,
        **fields: Any,
    ) -> ToolRun:
        self.tick()
        run = attrs.evolve(
            make_run(version, user, status=status, context=context, created_at=self.clock.now()),
            **fields,
        )
        async with self.store.unit_of_work() as uow:
            await uow.runs.add(run)
            await uow.commit()
        return run
