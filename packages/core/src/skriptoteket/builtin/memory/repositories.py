"""In-memory implementations of the repository ports, over one ``MemoryState``."""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from datetime import datetime
from uuid import UUID

import attrs

from skriptoteket.builtin.memory.state import MemoryState
from skriptoteket.domain.audit import AuditAction, AuditEntry
from skriptoteket.domain.errors import (
    DomainError,
    ErrorCode,
    conflict,
    not_found,
    validation_error,
)
from skriptoteket.domain.identity import ApiToken, Role, Session, User
from skriptoteket.domain.login_throttle import LoginFailures
from skriptoteket.domain.nominations import Nomination, NominationStatus
from skriptoteket.domain.runs import RunContext, RunStatus, ToolRun
from skriptoteket.domain.suggestions import Suggestion, SuggestionDecision
from skriptoteket.domain.taxonomy import Category, Profession
from skriptoteket.domain.tools import (
    CatalogTool,
    Tool,
    fold_search_text,
    is_runnable,
    search_text,
)
from skriptoteket.domain.versions import ToolVersion, VersionState


def _require_user(state: MemoryState, user_id: UUID | None) -> None:
    if user_id is not None and user_id not in state.users:
        raise validation_error("Referenced user does not exist", user_id=str(user_id))


class MemoryUserRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def get(self, user_id: UUID) -> User | None:
        return self._s.users.get(user_id)

    async def get_by_email(self, email: str) -> User | None:
        return next((u for u in self._s.users.values() if u.email == email), None)

    async def add(self, user: User) -> None:
        if user.id in self._s.users or await self.get_by_email(user.email):
            raise DomainError(
                ErrorCode.DUPLICATE_ENTRY, "Email already exists", {"email": user.email}
            )
        self._s.users[user.id] = user

    async def update(self, user: User) -> None:
        if user.id not in self._s.users:
            raise not_found("User", user_id=str(user.id))
        other = await self.get_by_email(user.email)
        if other is not None and other.id != user.id:
            raise DomainError(
                ErrorCode.DUPLICATE_ENTRY, "Email already exists", {"email": user.email}
            )
        self._s.users[user.id] = user

    async def list(self, *, limit: int = 100, offset: int = 0) -> Sequence[User]:
        return sorted(self._s.users.values(), key=lambda u: u.email)[offset : offset + limit]

    async def count_active(self, role: Role) -> int:
        return sum(1 for u in self._s.users.values() if u.is_active and u.role is role)


class MemorySessionRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(self, session: Session) -> None:
        _require_user(self._s, session.user_id)
        if session.id in self._s.sessions:
            raise conflict("Session already exists")
        self._s.sessions[session.id] = session

    async def get(self, session_id: UUID) -> Session | None:
        return self._s.sessions.get(session_id)

    async def update(self, session: Session) -> None:
        if session.id not in self._s.sessions:
            raise DomainError(ErrorCode.SESSION_NOT_FOUND, "Session not found")
        self._s.sessions[session.id] = session

    async def delete_expired(self, now: datetime) -> int:
        expired = [k for k, v in self._s.sessions.items() if v.expires_at <= now]
        for key in expired:
            del self._s.sessions[key]
        return len(expired)

    async def revoke_for_user(
        self, user_id: UUID, now: datetime, *, keep: UUID | None = None
    ) -> int:
        found = [
            v
            for v in self._s.sessions.values()
            if v.user_id == user_id and v.revoked_at is None and v.id != keep
        ]
        for session in found:
            self._s.sessions[session.id] = attrs.evolve(session, revoked_at=now)
        return len(found)


class MemoryApiTokenRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(self, token: ApiToken) -> None:
        _require_user(self._s, token.user_id)
        if token.id in self._s.tokens or await self.get_by_hash(token.token_hash):
            raise conflict("Token already exists")
        self._s.tokens[token.id] = token

    async def get(self, token_id: UUID) -> ApiToken | None:
        return self._s.tokens.get(token_id)

    async def get_by_hash(self, token_hash: str) -> ApiToken | None:
        return next((t for t in self._s.tokens.values() if t.token_hash == token_hash), None)

    async def list_for_user(self, user_id: UUID) -> Sequence[ApiToken]:
        mine = [t for t in self._s.tokens.values() if t.user_id == user_id]
        return sorted(mine, key=lambda t: (t.created_at, t.id), reverse=True)

    async def update(self, token: ApiToken) -> None:
        if token.id not in self._s.tokens:
            raise not_found("ApiToken", token_id=str(token.id))
        self._s.tokens[token.id] = token


class MemoryNominationRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(self, nomination: Nomination) -> None:
        _require_user(self._s, nomination.nominee_user_id)
        _require_user(self._s, nomination.nominated_by_user_id)
        pending = any(
            n.nominee_user_id == nomination.nominee_user_id and n.status is NominationStatus.PENDING
            for n in self._s.nominations.values()
        )
        if pending:
            raise conflict("The user already has a pending nomination")
        self._s.nominations[nomination.id] = nomination

    async def get(self, nomination_id: UUID) -> Nomination | None:
        return self._s.nominations.get(nomination_id)

    async def update(self, nomination: Nomination, *, expected_status: NominationStatus) -> None:
        current = self._s.nominations.get(nomination.id)
        if current is None:
            raise not_found("Nomination", nomination_id=str(nomination.id))
        if current.status is not expected_status:
            raise conflict("Nomination has already been decided", reason="already_decided")
        self._s.nominations[nomination.id] = nomination

    async def list(self, *, status: NominationStatus | None = None) -> Sequence[Nomination]:
        items = [n for n in self._s.nominations.values() if status is None or n.status is status]
        return sorted(items, key=lambda n: (n.created_at, n.id), reverse=True)


class MemoryTaxonomyRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def list_professions(self) -> Sequence[Profession]:
        return sorted(self._s.professions.values(), key=lambda p: (p.sort_order, p.slug))

    async def get_profession(self, slug: str) -> Profession | None:
        return self._s.professions.get(slug)

    async def list_categories(self) -> Sequence[Category]:
        return sorted(self._s.categories.values(), key=lambda c: c.slug)

    async def list_categories_for_profession(self, profession_slug: str) -> Sequence[Category]:
        linked = [
            (order, c_slug)
            for (p_slug, c_slug), order in self._s.links.items()
            if p_slug == profession_slug
        ]
        return [self._s.categories[c] for _, c in sorted(linked)]

    async def get_category(self, slug: str) -> Category | None:
        return self._s.categories.get(slug)

    async def is_linked(self, profession_slug: str, category_slug: str) -> bool:
        return (profession_slug, category_slug) in self._s.links


def _tool_order(tool: Tool) -> tuple[str, str]:
    return (tool.title, tool.slug)


class MemoryToolRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def _check(self, tool: Tool) -> None:
        other = next((t for t in self._s.tools.values() if t.slug == tool.slug), None)
        if other is not None and other.id != tool.id:
            raise conflict("A tool with that slug already exists", slug=tool.slug)
        for slug in tool.professions:
            if slug not in self._s.professions:
                raise validation_error("Unknown profession", reason="unknown_profession", slug=slug)
        for slug in tool.categories:
            if slug not in self._s.categories:
                raise validation_error("Unknown category", reason="unknown_category", slug=slug)
        if tool.active_version_id is not None and tool.active_version_id not in self._s.versions:
            raise validation_error("Active version does not exist")

    async def add(self, tool: Tool) -> None:
        if tool.id in self._s.tools:
            raise conflict("Tool already exists")
        self._check(tool)
        self._s.tools[tool.id] = tool

    async def get(self, tool_id: UUID) -> Tool | None:
        return self._s.tools.get(tool_id)

    async def get_by_slug(self, slug: str) -> Tool | None:
        return next((t for t in self._s.tools.values() if t.slug == slug), None)

    async def update(self, tool: Tool) -> None:
        if tool.id not in self._s.tools:
            raise not_found("Tool", tool_id=str(tool.id))
        self._check(tool)
        self._s.tools[tool.id] = tool

    async def list_all(self) -> Sequence[Tool]:
        return sorted(self._s.tools.values(), key=_tool_order)

    async def list_by_tags(
        self, profession_slug: str, category_slug: str, *, published_only: bool = True
    ) -> Sequence[Tool]:
        hits = [
            t
            for t in self._s.tools.values()
            if profession_slug in t.professions
            and category_slug in t.categories
            and (t.is_published or not published_only)
        ]
        return sorted(hits, key=_tool_order)

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
        folded = [fold_search_text(w) for w in words]
        found = []
        for tool in sorted(self._s.tools.values(), key=_tool_order):
            if not tool.is_published:
                continue
            if profession_slug is not None and profession_slug not in tool.professions:
                continue
            if category_slug is not None and category_slug not in tool.categories:
                continue
            text = search_text(tool)
            if not all(word in text for word in folded):
                continue
            runnable = self._runnable(tool)
            if runnable or not runnable_only:
                found.append(CatalogTool(tool=tool, runnable=runnable))
        start = max(0, offset)
        return found[start:] if limit is None else found[start : start + max(0, limit)]

    async def list_entries(self, tool_ids: Collection[UUID]) -> Sequence[CatalogTool]:
        found = sorted(
            (self._s.tools[i] for i in set(tool_ids) if i in self._s.tools), key=_tool_order
        )
        return [CatalogTool(tool=t, runnable=self._runnable(t)) for t in found]

    def _runnable(self, tool: Tool) -> bool:
        pointer = tool.active_version_id
        return is_runnable(tool, self._s.versions.get(pointer) if pointer else None)

    async def list_for_maintainer(self, user_id: UUID) -> Sequence[Tool]:
        ids = {t for t, u in self._s.maintainers if u == user_id}
        return sorted((self._s.tools[t] for t in ids), key=_tool_order)

    async def list_maintainers(self, tool_id: UUID) -> Sequence[UUID]:
        ids = [u for t, u in self._s.maintainers if t == tool_id]
        return sorted(ids, key=lambda u: self._s.users[u].email)

    async def is_maintainer(self, tool_id: UUID, user_id: UUID) -> bool:
        return (tool_id, user_id) in self._s.maintainers

    async def add_maintainer(self, tool_id: UUID, user_id: UUID) -> None:
        if tool_id not in self._s.tools:
            raise validation_error("Referenced tool does not exist", tool_id=str(tool_id))
        _require_user(self._s, user_id)
        if (tool_id, user_id) in self._s.maintainers:
            raise conflict("Already a maintainer")
        self._s.maintainers.add((tool_id, user_id))

    async def remove_maintainer(self, tool_id: UUID, user_id: UUID) -> None:
        if (tool_id, user_id) not in self._s.maintainers:
            raise not_found("Maintainer", tool_id=str(tool_id), user_id=str(user_id))
        self._s.maintainers.discard((tool_id, user_id))


class MemorySuggestionRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(self, suggestion: Suggestion) -> None:
        _require_user(self._s, suggestion.submitted_by_user_id)
        if suggestion.id in self._s.suggestions:
            raise conflict("Suggestion already exists")
        self._s.suggestions[suggestion.id] = suggestion

    async def get(self, suggestion_id: UUID) -> Suggestion | None:
        return self._s.suggestions.get(suggestion_id)

    async def update(self, suggestion: Suggestion) -> None:
        if suggestion.id not in self._s.suggestions:
            raise not_found("Suggestion", suggestion_id=str(suggestion.id))
        self._s.suggestions[suggestion.id] = suggestion

    async def list_all(self) -> Sequence[Suggestion]:
        return sorted(
            self._s.suggestions.values(), key=lambda s: (s.created_at, s.id), reverse=True
        )

    async def add_decision(self, decision: SuggestionDecision) -> None:
        if decision.suggestion_id not in self._s.suggestions:
            raise validation_error("Referenced suggestion does not exist")
        _require_user(self._s, decision.decided_by_user_id)
        self._s.decisions.append(decision)

    async def list_decisions(self, suggestion_id: UUID) -> Sequence[SuggestionDecision]:
        mine = [d for d in self._s.decisions if d.suggestion_id == suggestion_id]
        return sorted(mine, key=lambda d: (d.decided_at, d.id))


class MemoryToolVersionRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def _check_unique(self, version: ToolVersion) -> None:
        for other in self._s.versions.values():
            if other.id == version.id or other.tool_id != version.tool_id:
                continue
            if other.version_number == version.version_number:
                raise conflict(
                    "Version number already exists for this tool",
                    version_number=version.version_number,
                )
            if other.state is VersionState.ACTIVE and version.state is VersionState.ACTIVE:
                raise conflict(
                    "The tool already has an active version", tool_id=str(version.tool_id)
                )

    async def add(self, version: ToolVersion) -> None:
        if version.tool_id not in self._s.tools:
            raise validation_error("Referenced tool does not exist", tool_id=str(version.tool_id))
        _require_user(self._s, version.created_by_user_id)
        if version.id in self._s.versions:
            raise conflict("Version already exists")
        self._check_unique(version)
        self._s.versions[version.id] = version

    async def get(self, version_id: UUID) -> ToolVersion | None:
        return self._s.versions.get(version_id)

    async def update(self, version: ToolVersion, *, expected_state: VersionState) -> None:
        current = self._s.versions.get(version.id)
        if current is None:
            raise not_found("ToolVersion", version_id=str(version.id))
        if current.state is not expected_state:
            raise conflict(
                "The version changed state meanwhile; reload",
                expected=expected_state.value,
                actual=current.state.value,
            )
        self._check_unique(version)
        self._s.versions[version.id] = version

    async def list_for_tool(self, tool_id: UUID) -> Sequence[ToolVersion]:
        mine = [v for v in self._s.versions.values() if v.tool_id == tool_id]
        return sorted(mine, key=lambda v: v.version_number, reverse=True)

    async def next_version_number(self, tool_id: UUID) -> int:
        numbers = [v.version_number for v in self._s.versions.values() if v.tool_id == tool_id]
        return max(numbers, default=0) + 1

    async def get_active(self, tool_id: UUID) -> ToolVersion | None:
        return next(
            (
                v
                for v in self._s.versions.values()
                if v.tool_id == tool_id and v.state is VersionState.ACTIVE
            ),
            None,
        )

    async def get_draft_head(self, tool_id: UUID) -> ToolVersion | None:
        drafts = [
            v
            for v in self._s.versions.values()
            if v.tool_id == tool_id and v.state is VersionState.DRAFT
        ]
        return max(drafts, key=lambda v: v.version_number, default=None)


class MemoryToolRunRepository:
    def __init__(self, state: MemoryState, changed: set[UUID] | None = None) -> None:
        self._s = state
        self._changed = changed if changed is not None else set()
        """The runs added or updated, announced by the unit of work when it commits."""

    async def add(self, run: ToolRun) -> None:
        if run.tool_id not in self._s.tools or run.version_id not in self._s.versions:
            raise validation_error("Referenced tool or version does not exist")
        _require_user(self._s, run.requested_by_user_id)
        if run.id in self._s.runs:
            raise conflict("Run already exists")
        self._s.runs[run.id] = run
        self._changed.add(run.id)

    async def get(self, run_id: UUID) -> ToolRun | None:
        return self._s.runs.get(run_id)

    async def update(self, run: ToolRun, *, expected_status: RunStatus) -> None:
        current = self._s.runs.get(run.id)
        if current is None:
            raise not_found("ToolRun", run_id=str(run.id))
        if current.status is not expected_status:
            raise conflict(
                "The run changed status meanwhile",
                expected=expected_status.value,
                actual=current.status.value,
            )
        self._s.runs[run.id] = run
        self._changed.add(run.id)

    async def list_for_user(
        self,
        user_id: UUID,
        *,
        context: RunContext | None = None,
        limit: int = 50,
        before: tuple[datetime, UUID] | None = None,
    ) -> Sequence[ToolRun]:
        mine = [
            r
            for r in self._s.runs.values()
            if r.requested_by_user_id == user_id
            and (context is None or r.context is context)
            and (before is None or (r.created_at, r.id) < before)
        ]
        return sorted(mine, key=lambda r: (r.created_at, r.id), reverse=True)[:limit]

    async def list_unfinished(self) -> Sequence[ToolRun]:
        live = [r for r in self._s.runs.values() if not r.status.is_terminal]
        return sorted(live, key=lambda r: (r.created_at, r.id))


class MemoryRunInputRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(self, run_id: UUID, files: Sequence[tuple[str, bytes]]) -> None:
        if run_id not in self._s.runs:
            raise validation_error("Referenced run does not exist")
        if run_id in self._s.run_inputs:
            raise conflict("The run's inputs are already stored")
        self._s.run_inputs[run_id] = tuple((name, bytes(data)) for name, data in files)

    async def list(self, run_id: UUID) -> Sequence[tuple[str, bytes]]:
        return self._s.run_inputs.get(run_id, ())

    async def delete(self, run_id: UUID) -> int:
        return len(self._s.run_inputs.pop(run_id, ()))


class MemoryAuditLogRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def append(self, entry: AuditEntry) -> None:
        _require_user(self._s, entry.actor_user_id)
        self._s.audit.append(entry)

    async def list(
        self,
        *,
        action: AuditAction | None = None,
        actor_user_id: UUID | None = None,
        subject_id: UUID | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[AuditEntry]:
        hits: builtins.list[AuditEntry] = [
            e
            for e in self._s.audit
            if (action is None or e.action is action)
            and (actor_user_id is None or e.actor_user_id == actor_user_id)
            and (subject_id is None or e.subject_id == subject_id)
        ]
        hits.sort(key=lambda e: (e.occurred_at, e.id), reverse=True)
        return hits[offset : offset + limit]


class MemoryLoginFailureRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def get(self, key: str, *, lock: bool = False) -> LoginFailures | None:
        return self._s.login_failures.get(key)  # a writing unit of work holds the store's lock

    async def put(self, record: LoginFailures, *, new: bool) -> None:
        if new and record.key in self._s.login_failures:
            raise DomainError(
                ErrorCode.DUPLICATE_ENTRY, "The login-throttle record exists", {"key": record.key}
            )
        self._s.login_failures[record.key] = record

    async def delete(self, key: str) -> None:
        self._s.login_failures.pop(key, None)

    async def prune(self, now: datetime, *, keep: int) -> int:
        records = self._s.login_failures
        gone = [k for k, r in records.items() if r.expires_at <= now]
        live = sorted((r for r in records.values() if r.expires_at > now), key=_expiry_order)
        gone.extend(r.key for r in live[: max(0, len(live) - keep)])
        for key in gone:
            del records[key]
        return len(gone)


def _expiry_order(record: LoginFailures) -> tuple[datetime, str]:
    return (record.expires_at, record.key)
