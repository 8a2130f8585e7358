"""The in-memory unit of work: copy on enter, swap on commit, one writer at a time."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self
from uuid import UUID

from skriptoteket.builtin.memory.repositories import (
    MemoryApiTokenRepository,
    MemoryAuditLogRepository,
    MemoryLoginFailureRepository,
    MemoryNominationRepository,
    MemoryRunInputRepository,
    MemorySessionRepository,
    MemorySuggestionRepository,
    MemoryTaxonomyRepository,
    MemoryToolRepository,
    MemoryToolRunRepository,
    MemoryToolVersionRepository,
    MemoryUserRepository,
)
from skriptoteket.builtin.memory.state import MemoryState
from skriptoteket.builtin.run_events import InProcessRunEvents
from skriptoteket.domain.errors import DomainError, ErrorCode


class MemoryStore:
    """Owns the committed state; hands out units of work over copies of it."""

    def __init__(self, state: MemoryState | None = None) -> None:
        self.state = state or MemoryState()
        self._write_lock = asyncio.Lock()
        self.run_events = InProcessRunEvents()

    @classmethod
    def seeded(cls) -> MemoryStore:
        state = MemoryState()
        state.seed_taxonomy()
        return cls(state)

    def unit_of_work(self, *, readonly: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self, readonly=readonly)

    __call__ = unit_of_work


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore, *, readonly: bool) -> None:
        self._store = store
        self._readonly = readonly
        self._locked = False
        self._changed_runs: set[UUID] = set()
        self._bind(store.state.copy())

    def _bind(self, state: MemoryState) -> None:
        self._state = state
        self.users = MemoryUserRepository(state)
        self.sessions = MemorySessionRepository(state)
        self.tokens = MemoryApiTokenRepository(state)
        self.nominations = MemoryNominationRepository(state)
        self.taxonomy = MemoryTaxonomyRepository(state)
        self.tools = MemoryToolRepository(state)
        self.suggestions = MemorySuggestionRepository(state)
        self.versions = MemoryToolVersionRepository(state)
        self._changed_runs = set()
        self.runs = MemoryToolRunRepository(state, self._changed_runs)
        self.audit = MemoryAuditLogRepository(state)
        self.run_inputs = MemoryRunInputRepository(state)
        self.login_failures = MemoryLoginFailureRepository(state)

    async def __aenter__(self) -> Self:
        if not self._readonly:
            await self._store._write_lock.acquire()
            self._locked = True
        # Take the snapshot after the lock, so a writer sees every earlier commit.
        self._bind(self._store.state.copy())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Uncommitted changes live only in this unit's copy; dropping it is the rollback.
        if self._locked:
            self._store._write_lock.release()
            self._locked = False

    async def commit(self) -> None:
        if self._readonly:
            raise DomainError(ErrorCode.INTERNAL_ERROR, "Cannot commit a read-only unit of work")
        self._store.state = self._state
        changed = self._changed_runs
        self._bind(self._state.copy())
        self._store.run_events.announce(changed)

    async def rollback(self) -> None:
        self._bind(self._store.state.copy())

    async def driver_connection(self) -> object | None:
        return None
