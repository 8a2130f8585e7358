"""Script suggestions and their immutable decision records (SUG-05, SUG-06, SUG-11)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from skriptoteket.domain.errors import not_found
from skriptoteket.domain.suggestions import (
    Suggestion,
    SuggestionDecision,
    SuggestionDecisionType,
    SuggestionStatus,
)

from skriptoteket_sql.repositories.base import SqlRepository
from skriptoteket_sql.tables import script_suggestion_decisions, script_suggestions


def suggestion_values(s: Suggestion) -> dict[str, Any]:
    return {
        "id": s.id,
        "submitted_by_user_id": s.submitted_by_user_id,
        "title": s.title,
        "description": s.description,
        "profession_slugs": list(s.profession_slugs),
        "category_slugs": list(s.category_slugs),
        "status": s.status.value,
        "reviewed_by_user_id": s.reviewed_by_user_id,
        "reviewed_at": s.reviewed_at,
        "review_rationale": s.review_rationale,
        "draft_tool_id": s.draft_tool_id,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    }


def suggestion_from_row(row: sa.Row[Any]) -> Suggestion:
    m = row._mapping
    return Suggestion(
        id=m["id"],
        submitted_by_user_id=m["submitted_by_user_id"],
        title=m["title"],
        description=m["description"],
        profession_slugs=tuple(m["profession_slugs"]),
        category_slugs=tuple(m["category_slugs"]),
        status=SuggestionStatus(m["status"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        reviewed_by_user_id=m["reviewed_by_user_id"],
        reviewed_at=m["reviewed_at"],
        review_rationale=m["review_rationale"],
        draft_tool_id=m["draft_tool_id"],
    )


def decision_values(d: SuggestionDecision) -> dict[str, Any]:
    return {
        "id": d.id,
        "suggestion_id": d.suggestion_id,
        "decided_by_user_id": d.decided_by_user_id,
        "decision": d.decision.value,
        "rationale": d.rationale,
        "title": d.title,
        "description": d.description,
        "profession_slugs": list(d.profession_slugs),
        "category_slugs": list(d.category_slugs),
        "created_tool_id": d.created_tool_id,
        "decided_at": d.decided_at,
    }


def decision_from_row(row: sa.Row[Any]) -> SuggestionDecision:
    m = row._mapping
    return SuggestionDecision(
        id=m["id"],
        suggestion_id=m["suggestion_id"],
        decided_by_user_id=m["decided_by_user_id"],
        decision=SuggestionDecisionType(m["decision"]),
        rationale=m["rationale"],
        title=m["title"],
        description=m["description"],
        profession_slugs=tuple(m["profession_slugs"]),
        category_slugs=tuple(m["category_slugs"]),
        created_tool_id=m["created_tool_id"],
        decided_at=m["decided_at"],
    )


class SqlSuggestionRepository(SqlRepository):
    async def add(self, suggestion: Suggestion) -> None:
        await self._insert(script_suggestions, suggestion_values(suggestion))

    async def get(self, suggestion_id: UUID) -> Suggestion | None:
        stmt = sa.select(script_suggestions).where(script_suggestions.c.id == suggestion_id)
        row = await self._first(stmt)
        return suggestion_from_row(row) if row else None

    async def update(self, suggestion: Suggestion) -> None:
        values = suggestion_values(suggestion)
        del values["id"]
        if await self._update_by_id(script_suggestions, suggestion.id, values) == 0:
            raise not_found("Suggestion", suggestion_id=str(suggestion.id))

    async def list_all(self) -> Sequence[Suggestion]:
        stmt = sa.select(script_suggestions).order_by(
            script_suggestions.c.created_at.desc(), script_suggestions.c.id.desc()
        )
        return [suggestion_from_row(r) for r in await self._rows(stmt)]

    async def add_decision(self, decision: SuggestionDecision) -> None:
        await self._insert(script_suggestion_decisions, decision_values(decision))

    async def list_decisions(self, suggestion_id: UUID) -> Sequence[SuggestionDecision]:
        t = script_suggestion_decisions
        stmt = (
            sa.select(t).where(t.c.suggestion_id == suggestion_id).order_by(t.c.decided_at, t.c.id)
        )
        return [decision_from_row(r) for r in await self._rows(stmt)]
