"""Issue 9 item 8: every free-text field has a length limit; a longer text is a
VALIDATION_ERROR with reason ``text_too_long`` and details ``{"field", "max_length"}``, one
test per entity (suggestions, tools, versions, nominations, identity, taxonomy, search)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from skriptoteket.domain import text_limits
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import (
    EMAIL_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    TOKEN_NAME_MAX_LENGTH,
    Role,
    new_local_user,
    normalize_email,
    normalize_token_name,
    validate_password,
)
from skriptoteket.domain.nominations import NominationDecision, decide_nomination, nominate
from skriptoteket.domain.suggestions import (
    SuggestionDecisionType,
    clean_suggestion_content,
    decide,
    new_suggestion,
)
from skriptoteket.domain.taxonomy import TAG_SLUG_MAX_LENGTH, clean_tag_slugs
from skriptoteket.domain.tools import (
    SLUG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    clean_maintainer_reason,
    clean_slug,
    clean_summary,
    clean_title,
    search_words,
)
from skriptoteket.domain.versions import (
    ENTRYPOINT_MAX_LENGTH,
    clean_entrypoint,
    clean_source_code,
    create_draft,
    request_changes,
    submit_for_review,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _too_long(call: Callable[[], Any], field: str, max_length: int) -> None:
    with pytest.raises(DomainError) as caught:
        call()
    error = caught.value
    assert error.code is ErrorCode.VALIDATION_ERROR
    assert error.reason == "text_too_long"
    assert error.details == {"field": field, "max_length": max_length}


def _content(**overrides: str) -> Any:
    values = {"title": "Närvaro", "description": "Räkna frånvaro"} | overrides
    return clean_suggestion_content(
        title=values["title"],
        description=values["description"],
        professions=["larare"],
        categories=["administration"],
    )


def test_suggestion_description_title_and_rationale() -> None:
    limit = text_limits.DESCRIPTION_MAX_LENGTH
    assert _content(description="å" * limit).description == "å" * limit
    _too_long(lambda: _content(description="å" * (limit + 1)), "description", limit)
    _too_long(lambda: _content(title="x" * (TITLE_MAX_LENGTH + 1)), "title", TITLE_MAX_LENGTH)
    suggestion = new_suggestion(
        id=uuid.uuid4(), submitted_by=uuid.uuid4(), content=_content(), now=NOW
    )
    rationale = text_limits.RATIONALE_MAX_LENGTH

    def deny(text: str) -> Any:
        return decide(
            suggestion,
            decision_id=uuid.uuid4(),
            decided_by=uuid.uuid4(),
            decision=SuggestionDecisionType.DENY,
            rationale=text,
            final=_content(),
            created_tool_id=None,
            now=NOW,
        )

    deny("n" * rationale)
    _too_long(lambda: deny("n" * (rationale + 1)), "rationale", rationale)


def test_tool_metadata_maintainer_reason_and_search() -> None:
    assert clean_summary("s" * text_limits.SUMMARY_MAX_LENGTH)
    _too_long(
        lambda: clean_summary("s" * (text_limits.SUMMARY_MAX_LENGTH + 1)),
        "summary",
        text_limits.SUMMARY_MAX_LENGTH,
    )
    _too_long(lambda: clean_title("t" * (TITLE_MAX_LENGTH + 1)), "title", TITLE_MAX_LENGTH)
    _too_long(lambda: clean_slug("a" * (SLUG_MAX_LENGTH + 1)), "slug", SLUG_MAX_LENGTH)
    assert clean_maintainer_reason("r" * text_limits.REASON_MAX_LENGTH)
    _too_long(
        lambda: clean_maintainer_reason("r" * (text_limits.REASON_MAX_LENGTH + 1)),
        "reason",
        text_limits.REASON_MAX_LENGTH,
    )
    assert search_words("q" * text_limits.SEARCH_QUERY_MAX_LENGTH)
    _too_long(
        lambda: search_words("q " * text_limits.SEARCH_QUERY_MAX_LENGTH),
        "query",
        text_limits.SEARCH_QUERY_MAX_LENGTH,
    )


def _draft(**overrides: Any) -> Any:
    values: dict[str, Any] = {"source_code": "def run_tool(a, b):\n    return ''\n"} | overrides
    return create_draft(
        id=uuid.uuid4(),
        tool_id=uuid.uuid4(),
        version_number=1,
        entrypoint=None,
        created_by=uuid.uuid4(),
        now=NOW,
        **values,
    )


def test_version_source_code_and_notes() -> None:
    source_limit = text_limits.SOURCE_CODE_MAX_LENGTH
    assert clean_source_code("#" * source_limit)
    _too_long(lambda: clean_source_code("#" * (source_limit + 1)), "source_code", source_limit)
    _too_long(
        lambda: clean_entrypoint("f" * (ENTRYPOINT_MAX_LENGTH + 1)),
        "entrypoint",
        ENTRYPOINT_MAX_LENGTH,
    )
    note = text_limits.NOTE_MAX_LENGTH
    assert _draft(change_summary="c" * note).change_summary == "c" * note
    _too_long(lambda: _draft(change_summary="c" * (note + 1)), "change_summary", note)
    draft = _draft()
    _too_long(
        lambda: submit_for_review(
            draft, submitted_by=uuid.uuid4(), now=NOW, review_note="r" * (note + 1)
        ),
        "review_note",
        note,
    )
    in_review = submit_for_review(draft, submitted_by=uuid.uuid4(), now=NOW, review_note=None)
    _too_long(
        lambda: request_changes(
            in_review,
            new_id=uuid.uuid4(),
            new_version_number=2,
            reviewer=uuid.uuid4(),
            now=NOW,
            message="m" * (note + 1),
        ),
        "message",
        note,
    )


def test_nomination_rationales() -> None:
    def user(role: Role) -> Any:
        return new_local_user(
            id=uuid.uuid4(),
            email=f"{uuid.uuid4().hex}@skolan.se",
            role=role,
            password_hash="h",
            now=NOW,
        )

    admin, nominee = user(Role.ADMIN), user(Role.USER)
    limit = text_limits.RATIONALE_MAX_LENGTH
    nomination = nominate(
        id=uuid.uuid4(), actor=admin, nominee=nominee, rationale="n" * limit, now=NOW
    )
    _too_long(
        lambda: nominate(
            id=uuid.uuid4(), actor=admin, nominee=nominee, rationale="n" * (limit + 1), now=NOW
        ),
        "rationale",
        limit,
    )
    assert nomination.rationale == "n" * limit
    _too_long(
        lambda: decide_nomination(
            nomination,
            actor=user(Role.SUPERUSER),
            decision=NominationDecision.APPROVE,
            rationale="d" * (limit + 1),
            now=NOW,
        ),
        "rationale",
        limit,
    )


def test_identity_email_password_and_token_name() -> None:
    long_email = "a" * EMAIL_MAX_LENGTH + "@skolan.se"
    _too_long(lambda: normalize_email(long_email), "email", EMAIL_MAX_LENGTH)
    _too_long(
        lambda: validate_password("Gröna-äpplen-" * 100, email="a@skolan.se"),
        "password",
        PASSWORD_MAX_LENGTH,
    )
    assert normalize_token_name("n" * TOKEN_NAME_MAX_LENGTH)
    _too_long(
        lambda: normalize_token_name("n" * (TOKEN_NAME_MAX_LENGTH + 1)),
        "name",
        TOKEN_NAME_MAX_LENGTH,
    )


def test_tags() -> None:
    _too_long(
        lambda: clean_tag_slugs(["a" * (TAG_SLUG_MAX_LENGTH + 1)], kind="profession"),
        "professions",
        TAG_SLUG_MAX_LENGTH,
    )
