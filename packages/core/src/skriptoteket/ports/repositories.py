"""Repository ports and the unit of work that groups them into one transaction (ARCH-09).

Rules every implementation follows (the contract suite in ``skriptoteket.testing`` checks them):
- ``add`` of a duplicate natural key raises ``DomainError(DUPLICATE_ENTRY | CONFLICT)``.
- ``update`` of a missing row raises ``NOT_FOUND`` (VER-21); ``expected_*`` guards raise CONFLICT.
- Nothing is visible to other units of work before ``commit``; leaving the ``async with`` block
  without ``commit`` rolls back.
- Driver errors never escape: they become ``DomainError`` (CONFLICT, VALIDATION_ERROR or
  DATABASE_ERROR).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from skriptoteket.domain.audit import AuditAction, AuditEntry
from skriptoteket.domain.identity import ApiToken, Role, Session, User
from skriptoteket.domain.login_throttle import LoginFailures
from skriptoteket.domain.nominations import Nomination, NominationStatus
from skriptoteket.domain.runs import RunContext, RunStatus, ToolRun
from skriptoteket.domain.suggestions import Suggestion, SuggestionDecision
from skriptoteket.domain.taxonomy import Category, Profession
from skriptoteket.domain.tools import CatalogTool, Tool
from skriptoteket.domain.versions import ToolVersion, VersionState


class UserRepository(Protocol):
    async def get(self, user_id: UUID) -> User | None: ...
    async def get_by_email(self, email: str) -> User | None: ...
    async def add(self, user: User) -> None: ...
    async def update(self, user: User) -> None: ...
    async def list(self, *, limit: int = 100, offset: int = 0) -> Sequence[User]:
        """Ordered by email."""
        ...

    async def count_active(self, role: Role) -> int: ...


class SessionRepository(Protocol):
    async def add(self, session: Session) -> None: ...
    async def get(self, session_id: UUID) -> Session | None: ...
    async def update(self, session: Session) -> None: ...
    async def delete_expired(self, now: datetime) -> int: ...
    async def revoke_for_user(
        self, user_id: UUID, now: datetime, *, keep: UUID | None = None
    ) -> int:
        """Revoke every not yet revoked session of ``user_id`` but ``keep``; how many."""
        ...


class ApiTokenRepository(Protocol):
    async def add(self, token: ApiToken) -> None: ...
    async def get(self, token_id: UUID) -> ApiToken | None: ...
    async def get_by_hash(self, token_hash: str) -> ApiToken | None: ...
    async def list_for_user(self, user_id: UUID) -> Sequence[ApiToken]:
        """Newest first."""
        ...

    async def update(self, token: ApiToken) -> None: ...


class NominationRepository(Protocol):
    async def add(self, nomination: Nomination) -> None: ...
    async def get(self, nomination_id: UUID) -> Nomination | None: ...
    async def update(
        self, nomination: Nomination, *, expected_status: NominationStatus
    ) -> None: ...
    async def list(self, *, status: NominationStatus | None = None) -> Sequence[Nomination]:
        """Newest first."""
        ...


class TaxonomyRepository(Protocol):
    async def list_professions(self) -> Sequence[Profession]:
        """CAT-05: by sort_order, then slug."""
        ...

    async def get_profession(self, slug: str) -> Profession | None: ...
    async def list_categories(self) -> Sequence[Category]:
        """CAT-10: by slug."""
        ...

    async def list_categories_for_profession(self, profession_slug: str) -> Sequence[Category]:
        """CAT-06: by the link's sort_order, then slug."""
        ...

    async def get_category(self, slug: str) -> Category | None: ...
    async def is_linked(self, profession_slug: str, category_slug: str) -> bool: ...


class ToolRepository(Protocol):
    async def add(self, tool: Tool) -> None: ...
    async def get(self, tool_id: UUID) -> Tool | None: ...
    async def get_by_slug(self, slug: str) -> Tool | None: ...
    async def update(self, tool: Tool) -> None: ...
    async def list_all(self) -> Sequence[Tool]:
        """TOOL-07: every tool by title, then slug."""
        ...

    async def list_by_tags(
        self, profession_slug: str, category_slug: str, *, published_only: bool = True
    ) -> Sequence[Tool]:
        """CAT-07: tools tagged with both, distinct, by title then slug."""
        ...

    async def search_catalog(
        self,
        *,
        words: Sequence[str] = (),
        profession_slug: str | None = None,
        category_slug: str | None = None,
        runnable_only: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> Sequence[CatalogTool]:
        """The catalog, filtered in the store (CAT-07–CAT-09, TOOL-08): published tools, each
        with whether it is runnable — only the runnable ones unless ``runnable_only`` is False
        (the tag pages list every published tool and show "Kör" for the runnable ones).

        A tool matches when every one of ``words`` occurs in its title, summary or slug after
        both are folded with ``fold_search_text`` (case-insensitive for å, ä, ö too, on every
        backend; ``%`` and ``_`` are plain characters), and when it is tagged with
        ``profession_slug`` and/or ``category_slug`` if given. Distinct, by title then slug; at
        most ``limit``, after skipping ``offset``. Tags and the runnable flag come from a fixed
        number of queries, never one per tool.
        """
        ...

    async def list_entries(self, tool_ids: Collection[UUID]) -> Sequence[CatalogTool]:
        """The tools with these ids, published or not (unknown ids are left out), each with
        whether it is runnable (TOOL-08); by title then slug. A fixed number of queries,
        whatever the number of ids (run histories name their tools with it)."""
        ...

    async def list_for_maintainer(self, user_id: UUID) -> Sequence[Tool]: ...
    async def list_maintainers(self, tool_id: UUID) -> Sequence[UUID]: ...
    async def is_maintainer(self, tool_id: UUID, user_id: UUID) -> bool: ...
    async def add_maintainer(self, tool_id: UUID, user_id: UUID) -> None: ...
    async def remove_maintainer(self, tool_id: UUID, user_id: UUID) -> None: ...


class SuggestionRepository(Protocol):
    async def add(self, suggestion: Suggestion) -> None: ...
    async def get(self, suggestion_id: UUID) -> Suggestion | None: ...
    async def update(self, suggestion: Suggestion) -> None: ...
    async def list_all(self) -> Sequence[Suggestion]:
        """SUG-06: newest first (created_at DESC, id DESC)."""
        ...

    async def add_decision(self, decision: SuggestionDecision) -> None: ...
    async def list_decisions(self, suggestion_id: UUID) -> Sequence[SuggestionDecision]: ...


class ToolVersionRepository(Protocol):
    async def add(self, version: ToolVersion) -> None:
        """Rejects a second active version or a duplicate number for a tool with CONFLICT."""
        ...

    async def get(self, version_id: UUID) -> ToolVersion | None: ...
    async def update(self, version: ToolVersion, *, expected_state: VersionState) -> None: ...
    async def list_for_tool(self, tool_id: UUID) -> Sequence[ToolVersion]:
        """Newest (highest number) first."""
        ...

    async def next_version_number(self, tool_id: UUID) -> int:
        """VER-08: max over all states plus one, or 1."""
        ...

    async def get_active(self, tool_id: UUID) -> ToolVersion | None: ...
    async def get_draft_head(self, tool_id: UUID) -> ToolVersion | None:
        """AMB-15: the highest-numbered draft."""
        ...


class ToolRunRepository(Protocol):
    async def add(self, run: ToolRun) -> None: ...
    async def get(self, run_id: UUID) -> ToolRun | None: ...
    async def update(self, run: ToolRun, *, expected_status: RunStatus) -> None: ...
    async def list_for_user(
        self,
        user_id: UUID,
        *,
        context: RunContext | None = None,
        limit: int = 50,
        before: tuple[datetime, UUID] | None = None,
    ) -> Sequence[ToolRun]:
        """Newest first; ``before`` is a keyset cursor (created_at, id) for the next page."""
        ...

    async def list_unfinished(self) -> Sequence[ToolRun]:
        """Runs still queued or running, oldest first (for start-up recovery)."""
        ...


class RunInputRepository(Protocol):
    """The sanitized uploads of a run whose queue executes it in another process (issue 10):
    stored with the ``queued`` row, read by the executing machine, deleted when the run ends."""

    async def add(self, run_id: UUID, files: Sequence[tuple[str, bytes]]) -> None:
        """Store ``files`` (name, content) in their order; CONFLICT when ``run_id`` has some."""
        ...

    async def list(self, run_id: UUID) -> Sequence[tuple[str, bytes]]:
        """The files in the order they were added; empty when there are none."""
        ...

    async def delete(self, run_id: UUID) -> int:
        """Delete the run's files; how many."""
        ...


class AuditLogRepository(Protocol):
    async def append(self, entry: AuditEntry) -> None: ...
    async def list(
        self,
        *,
        action: AuditAction | None = None,
        actor_user_id: UUID | None = None,
        subject_id: UUID | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[AuditEntry]:
        """Newest first."""
        ...


class LoginFailureRepository(Protocol):
    """Login-throttle records (``domain.login_throttle``), shared by every web process."""

    async def get(self, key: str, *, lock: bool = False) -> LoginFailures | None:
        """``lock``: hold the record until the unit of work ends (a writer reading to update),
        so two processes recording a failure of the same key never lose one."""
        ...

    async def put(self, record: LoginFailures, *, new: bool) -> None:
        """``new``: insert the record (DUPLICATE_ENTRY or CONFLICT when another unit of work
        inserted one with this key first: the caller read "none" too early and must read
        again); else replace the record read with ``lock``. Never an upsert: replacing a
        record another process created after this one read "none" would lose its count."""
        ...

    async def delete(self, key: str) -> None: ...
    async def prune(self, now: datetime, *, keep: int) -> int:
        """Delete the records expired at ``now``, then the soonest-expiring ones beyond
        ``keep``; how many went."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository (read-only properties, so implementations may
    narrow the types)."""

    @property
    def users(self) -> UserRepository: ...
    @property
    def sessions(self) -> SessionRepository: ...
    @property
    def tokens(self) -> ApiTokenRepository: ...
    @property
    def nominations(self) -> NominationRepository: ...
    @property
    def taxonomy(self) -> TaxonomyRepository: ...
    @property
    def tools(self) -> ToolRepository: ...
    @property
    def suggestions(self) -> SuggestionRepository: ...
    @property
    def versions(self) -> ToolVersionRepository: ...
    @property
    def runs(self) -> ToolRunRepository: ...
    @property
    def audit(self) -> AuditLogRepository: ...
    @property
    def login_failures(self) -> LoginFailureRepository: ...
    @property
    def run_inputs(self) -> RunInputRepository: ...

    async def driver_connection(self) -> object | None:
        """The database driver's own connection of the open transaction (e.g. psycopg's
        ``AsyncConnection``), so an adapter such as a run queue can write in the same
        transaction; None for a backend without one (memory, a read-only unit of work)."""
        ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, readonly: bool = False) -> UnitOfWork:
        """A new unit of work; ``readonly`` lets a backend use a cheaper transaction."""
        ...
