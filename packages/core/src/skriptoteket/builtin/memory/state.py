"""The data an in-memory store holds, copied per unit of work (entities are frozen)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import attrs

from skriptoteket.domain.audit import AuditEntry
from skriptoteket.domain.identity import ApiToken, Session, User
from skriptoteket.domain.login_throttle import LoginFailures
from skriptoteket.domain.nominations import Nomination
from skriptoteket.domain.runs import ToolRun
from skriptoteket.domain.suggestions import Suggestion, SuggestionDecision
from skriptoteket.domain.taxonomy import (
    SEED_CATEGORIES,
    SEED_PROFESSIONS,
    Category,
    Profession,
    seed_category_id,
    seed_profession_id,
)
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import ToolVersion


@attrs.define
class MemoryState:
    users: dict[UUID, User] = attrs.Factory(dict)
    sessions: dict[UUID, Session] = attrs.Factory(dict)
    tokens: dict[UUID, ApiToken] = attrs.Factory(dict)
    nominations: dict[UUID, Nomination] = attrs.Factory(dict)
    professions: dict[str, Profession] = attrs.Factory(dict)
    categories: dict[str, Category] = attrs.Factory(dict)
    links: dict[tuple[str, str], int] = attrs.Factory(dict)
    tools: dict[UUID, Tool] = attrs.Factory(dict)
    maintainers: set[tuple[UUID, UUID]] = attrs.Factory(set)
    suggestions: dict[UUID, Suggestion] = attrs.Factory(dict)
    decisions: list[SuggestionDecision] = attrs.Factory(list)
    versions: dict[UUID, ToolVersion] = attrs.Factory(dict)
    runs: dict[UUID, ToolRun] = attrs.Factory(dict)
    run_inputs: dict[UUID, tuple[tuple[str, bytes], ...]] = attrs.Factory(dict)
    audit: list[AuditEntry] = attrs.Factory(list)
    login_failures: dict[str, LoginFailures] = attrs.Factory(dict)

    def copy(self) -> MemoryState:
        return MemoryState(
            **{
                f.name: type(getattr(self, f.name))(getattr(self, f.name))
                for f in attrs.fields(MemoryState)
            }
        )

    def seed_taxonomy(self) -> None:
        """CAT-02: the same ids and values the SQL migration seeds."""
        now = datetime.now(UTC)
        for slug, label, order in SEED_PROFESSIONS:
            self.professions[slug] = Profession(
                seed_profession_id(slug), slug, label, order, now, now
            )
        for slug, label, _ in SEED_CATEGORIES:
            self.categories[slug] = Category(seed_category_id(slug), slug, label, now, now)
        for p_slug, _, _ in SEED_PROFESSIONS:
            for c_slug, _, c_order in SEED_CATEGORIES:
                self.links[(p_slug, c_slug)] = c_order
