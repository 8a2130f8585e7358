"""Suggestions: contributors propose tools, admins accept (creating a draft tool) or deny
(SUG-01–SUG-16)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

import attrs

from skriptoteket.application.context import UseCase
from skriptoteket.domain.audit import AuditAction, SubjectType
from skriptoteket.domain.errors import not_found
from skriptoteket.domain.identity import Role, User, require_at_least_role, require_real_user
from skriptoteket.domain.suggestions import (
    Suggestion,
    SuggestionContent,
    SuggestionDecision,
    SuggestionDecisionType,
    clean_suggestion_content,
    decide,
    draft_tool_slug,
    new_suggestion,
)
from skriptoteket.domain.taxonomy import require_known_slugs
from skriptoteket.domain.tools import new_tool
from skriptoteket.ports.repositories import UnitOfWork


async def _require_known_tags(uow: UnitOfWork, content: SuggestionContent) -> None:
    """SUG-03."""
    professions = [p.slug for p in await uow.taxonomy.list_professions()]
    categories = [c.slug for c in await uow.taxonomy.list_categories()]
    require_known_slugs(content.profession_slugs, professions, kind="profession")
    require_known_slugs(content.category_slugs, categories, kind="category")


class SubmitSuggestion(UseCase):
    """SUG-01–SUG-04: contributor+ only."""

    async def __call__(
        self,
        actor: User,
        *,
        title: str,
        description: str,
        professions: Iterable[str],
        categories: Iterable[str],
    ) -> Suggestion:
        require_at_least_role(actor, Role.CONTRIBUTOR)
        require_real_user(actor)
        content = clean_suggestion_content(
            title=title, description=description, professions=professions, categories=categories
        )
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            require_at_least_role(actor, Role.CONTRIBUTOR)
            await _require_known_tags(uow, content)
            suggestion = new_suggestion(
                id=self.deps.ids.new_id(),
                submitted_by=actor.id,
                content=content,
                now=self.deps.clock.now(),
            )
            await uow.suggestions.add(suggestion)
            await self._audit(
                uow,
                actor,
                AuditAction.SUGGESTION_SUBMITTED,
                SubjectType.SUGGESTION,
                suggestion.id,
                title=suggestion.title,
            )
            await uow.commit()
        return suggestion


class ListSuggestions(UseCase):
    """SUG-06: the admin review queue, every status, newest first."""

    async def __call__(self, actor: User) -> Sequence[Suggestion]:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            require_at_least_role(actor, Role.ADMIN)
            return await uow.suggestions.list_all()


@attrs.frozen
class SuggestionForReview:
    suggestion: Suggestion
    decisions: Sequence[SuggestionDecision]


class GetSuggestionForReview(UseCase):
    """SUG-07."""

    async def __call__(self, actor: User, *, suggestion_id: UUID) -> SuggestionForReview:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            require_at_least_role(actor, Role.ADMIN)
            suggestion = await uow.suggestions.get(suggestion_id)
            if suggestion is None:
                raise not_found("Suggestion", suggestion_id=str(suggestion_id))
            decisions = await uow.suggestions.list_decisions(suggestion_id)
        return SuggestionForReview(suggestion=suggestion, decisions=decisions)


@attrs.frozen
class DecisionResult:
    suggestion: Suggestion
    decision: SuggestionDecision


class DecideSuggestion(UseCase):
    """SUG-08–SUG-14: accept creates a draft tool (and maintainer) in the same transaction."""

    async def __call__(
        self,
        actor: User,
        *,
        suggestion_id: UUID,
        decision: SuggestionDecisionType,
        rationale: str,
        title: str | None = None,
        description: str | None = None,
        professions: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
    ) -> DecisionResult:
        require_real_user(actor)
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            require_at_least_role(actor, Role.ADMIN)
            suggestion = await uow.suggestions.get(suggestion_id)
            if suggestion is None:
                raise not_found("Suggestion", suggestion_id=str(suggestion_id))
            final = clean_suggestion_content(
                title=suggestion.title if title is None else title,
                description=suggestion.description if description is None else description,
                professions=suggestion.profession_slugs if professions is None else professions,
                categories=suggestion.category_slugs if categories is None else categories,
            )
            accept = decision is SuggestionDecisionType.ACCEPT
            if accept:
                await _require_known_tags(uow, final)
            now = self.deps.clock.now()
            tool_id = self.deps.ids.new_id() if accept else None
            updated, record = decide(
                suggestion,
                decision_id=self.deps.ids.new_id(),
                decided_by=actor.id,
                decision=decision,
                rationale=rationale,
                final=final,
                created_tool_id=tool_id,
                now=now,
            )
            if tool_id is not None:
                tool = new_tool(
                    id=tool_id,
                    slug=draft_tool_slug(suggestion.id),
                    title=final.title,
                    summary=final.description,
                    professions=final.profession_slugs,
                    categories=final.category_slugs,
                    now=now,
                )
                await uow.tools.add(tool)
                await uow.tools.add_maintainer(tool.id, suggestion.submitted_by_user_id)
                await self._audit(
                    uow,
                    actor,
                    AuditAction.TOOL_CREATED,
                    SubjectType.TOOL,
                    tool.id,
                    slug=tool.slug,
                    suggestion_id=str(suggestion.id),
                )
                await self._audit(
                    uow,
                    actor,
                    AuditAction.MAINTAINER_ASSIGNED,
                    SubjectType.TOOL,
                    tool.id,
                    user_id=str(suggestion.submitted_by_user_id),
                )
            await uow.suggestions.update(updated)
            await uow.suggestions.add_decision(record)
            action = AuditAction.SUGGESTION_ACCEPTED if accept else AuditAction.SUGGESTION_DENIED
            await self._audit(
                uow,
                actor,
                action,
                SubjectType.SUGGESTION,
                suggestion.id,
                rationale=record.rationale,
            )
            await uow.commit()
        return DecisionResult(suggestion=updated, decision=record)
