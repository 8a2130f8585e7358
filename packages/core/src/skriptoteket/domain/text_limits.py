"""Length limits of free-text fields (issue 9 item 8): every text a person types is bounded,
so a 5 MB description cannot be stored. A text over its limit is a ``VALIDATION_ERROR`` with
``reason="text_too_long"`` and details ``{"field", "max_length"}``; hosts word it themselves.

Limits of identifiers (slugs, titles, emails, entrypoints, file names) live with their
entities; this module holds the limits of the longer texts and the one error they all raise.
"""

from __future__ import annotations

from skriptoteket.domain.errors import DomainError, ErrorCode

DESCRIPTION_MAX_LENGTH = 10_000  # a suggestion's description
SUMMARY_MAX_LENGTH = 1_000  # a tool's summary
NOTE_MAX_LENGTH = 4_000  # change summaries, review notes, request-changes messages
RATIONALE_MAX_LENGTH = 4_000  # review and nomination rationales
REASON_MAX_LENGTH = 1_000  # why a maintainer was added or removed
SEARCH_QUERY_MAX_LENGTH = 200
# A tool's source code. The editor posts it form-encoded (up to 3 bytes per ASCII character,
# 9 per non-ASCII one): the web's 1 MB body cap must hold the largest legitimate save.
SOURCE_CODE_MAX_LENGTH = 100_000


def text_too_long(field: str, max_length: int, *, message: str | None = None) -> DomainError:
    label = field.replace("_", " ").capitalize()
    return DomainError(
        ErrorCode.VALIDATION_ERROR,
        message or f"{label} must be {max_length} characters or less",
        {"field": field, "max_length": max_length},
        reason="text_too_long",
    )


def require_length(text: str, *, field: str, max_length: int) -> str:
    """``text`` unchanged when it is at most ``max_length`` characters."""
    if len(text) > max_length:
        raise text_too_long(field, max_length)
    return text
