"""Script suggestions and review decisions (SUG-01–SUG-16)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import attrs

from skriptoteket.domain.errors import conflict, validation_error
from skriptoteket.domain.taxonomy import clean_tag_slugs
from skriptoteket.domain.text_limits import (
    DESCRIPTION_MAX_LENGTH,
    RATIONALE_MAX_LENGTH,
    require_length,
)
from skriptoteket.domain.tools import clean_title


class SuggestionStatus(enum.StrEnum):
    PENDING_REVIEW = "pending_review"
    ACCEPTED = "accepted"
    DENIED = "denied"


class SuggestionDecisionType(enum.StrEnum):
    ACCEPT = "accept"
    DENY = "deny"

    @classmethod
    def parse(cls, raw: str) -> SuggestionDecisionType:
        """AMB-12: an unknown decision value is a validation error, never a silent deny."""
        try:
            return cls(raw.strip().lower())
        except ValueError:
            raise validation_error(
                "Unknown decision; use accept or deny",
                reason="unknown_decision",
                field="decision",
                value=raw,
            ) from None


@attrs.frozen
class SuggestionContent:
    """Validated title, description and tags (SUG-02)."""

    title: str
    description: str
    profession_slugs: tuple[str, ...]
    category_slugs: tuple[str, ...]


def clean_suggestion_content(
    *, title: str, description: str, professions: Iterable[str], categories: Iterable[str]
) -> SuggestionContent:
    text = description.strip()
    if not text:
        raise validation_error(
            "Description is required", reason="description_required", field="description"
        )
    require_length(text, field="description", max_length=DESCRIPTION_MAX_LENGTH)
    return SuggestionContent(
        title=clean_title(title),
        description=text,
        profession_slugs=clean_tag_slugs(professions, kind="profession"),
        category_slugs=clean_tag_slugs(categories, kind="category"),
    )


@attrs.frozen
class Suggestion:
    id: UUID
    submitted_by_user_id: UUID
    title: str
    description: str
    profession_slugs: tuple[str, ...]
    category_slugs: tuple[str, ...]
    status: SuggestionStatus
    created_at: datetime
    updated_at: datetime
    reviewed_by_user_id: UUID | None = None
    reviewed_at: datetime | None = None
    review_rationale: str | None = None
    draft_tool_id: UUID | None = None


@attrs.frozen
class SuggestionDecision:
    """SUG-11: an immutable snapshot of one decision."""

    id: UUID
    suggestion_id: UUID
    decided_by_user_id: UUID
    decision: SuggestionDecisionType
    rationale: str
    title: str
    description: str
    profession_slugs: tuple[str, ...]
    category_slugs: tuple[str, ...]
    created_tool_id: UUID | None
    decided_at: datetime


def new_suggestion(
    *, id: UUID, submitted_by: UUID, content: SuggestionContent, now: datetime
) -> Suggestion:
    """SUG-04."""
    return Suggestion(
        id=id,
        submitted_by_user_id=submitted_by,
        title=content.title,
        description=content.description,
        profession_slugs=content.profession_slugs,
        category_slugs=content.category_slugs,
        status=SuggestionStatus.PENDING_REVIEW,
        created_at=now,
        updated_at=now,
    )


def draft_tool_slug(suggestion_id: UUID) -> str:
    """SUG-13: the draft tool's slug (editable until first publish, AMB-20)."""
    return f"draft-{suggestion_id}"


def decide(
    suggestion: Suggestion,
    *,
    decision_id: UUID,
    decided_by: UUID,
    decision: SuggestionDecisionType,
    rationale: str,
    final: SuggestionContent,
    created_tool_id: UUID | None,
    now: datetime,
) -> tuple[Suggestion, SuggestionDecision]:
    """SUG-09–SUG-12: pending only; accept must create a tool, deny must not."""
    if suggestion.status is not SuggestionStatus.PENDING_REVIEW:
        raise conflict(
            "Suggestion has already been reviewed",
            reason="already_reviewed",
            suggestion_id=str(suggestion.id),
        )
    text = rationale.strip()
    if not text:
        raise validation_error(
            "Rationale is required", reason="rationale_required", field="rationale"
        )
    require_length(text, field="rationale", max_length=RATIONALE_MAX_LENGTH)
    accept = decision is SuggestionDecisionType.ACCEPT
    if accept and created_tool_id is None:
        raise validation_error("Accepting a suggestion must create a draft tool")
    if not accept and created_tool_id is not None:
        raise validation_error("Denying a suggestion must not create a tool")
    updated = attrs.evolve(
        suggestion,
        status=SuggestionStatus.ACCEPTED if accept else SuggestionStatus.DENIED,
        reviewed_by_user_id=decided_by,
        reviewed_at=now,
        review_rationale=text,
        draft_tool_id=created_tool_id,
        updated_at=now,
    )
    record = SuggestionDecision(
        id=decision_id,
        suggestion_id=suggestion.id,
        decided_by_user_id=decided_by,
        decision=decision,
        rationale=text,
        title=final.title,
        description=final.description,
        profession_slugs=final.profession_slugs,
        category_slugs=final.category_slugs,
        created_tool_id=created_tool_id,
        decided_at=now,
    )
    return updated, record
