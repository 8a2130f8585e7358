"""The JSON bodies the API accepts (SPEC-baseline §16, DESIGN §6), one attrs class per body,
named ``…In``. ``dto.parse_body`` parses them strictly; ``dto.json_schema`` documents them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import attrs
from skriptoteket.domain.identity import Role
from skriptoteket.domain.nominations import NominationDecision
from skriptoteket.domain.suggestions import SuggestionDecisionType


@attrs.frozen
class CreateToolIn:
    slug: str
    title: str
    summary: str | None = None
    professions: list[str] = attrs.field(factory=list)
    categories: list[str] = attrs.field(factory=list)


@attrs.frozen
class UpdateToolIn:
    """Only the keys given change; ``summary: null`` clears the summary; the slug can change
    until the tool is first published (AMB-20)."""

    title: str | None = None
    summary: str | None = None
    slug: str | None = None
    professions: list[str] | None = None
    categories: list[str] | None = None


@attrs.frozen
class CreateVersionIn:
    """ED-05. ``input_schema`` absent: the derived-from version's; null: contract 1."""

    source_code: str
    entrypoint: str | None = None
    input_schema: dict[str, Any] | None = None
    change_summary: str | None = None
    derived_from_version_id: UUID | None = None


@attrs.frozen
class SaveVersionIn:
    """ED-06: always a new draft; ``expected_parent_version_id`` must be the draft head."""

    source_code: str
    expected_parent_version_id: UUID
    entrypoint: str | None = None
    input_schema: dict[str, Any] | None = None
    change_summary: str | None = None


@attrs.frozen
class SubmitReviewIn:
    review_note: str | None = None


@attrs.frozen
class PublishVersionIn:
    change_summary: str | None = None


@attrs.frozen
class RequestChangesIn:
    message: str | None = None


@attrs.frozen
class RollbackIn:
    from_version_id: UUID


@attrs.frozen
class AddMaintainerIn:
    email: str
    reason: str | None = None


@attrs.frozen
class SuggestionIn:
    title: str
    description: str
    professions: list[str]
    categories: list[str]


@attrs.frozen
class SuggestionDecisionIn:
    """SUG-08/09: accept (optionally with edits) or deny; a rationale is required."""

    decision: SuggestionDecisionType
    rationale: str
    title: str | None = None
    description: str | None = None
    professions: list[str] | None = None
    categories: list[str] | None = None


@attrs.frozen
class CreateUserIn:
    email: str
    password: str
    role: Role = Role.USER


@attrs.frozen
class ChangeRoleIn:
    email: str
    role: Role


@attrs.frozen
class DeactivateUserIn:
    email: str


@attrs.frozen
class ReactivateUserIn:
    email: str


@attrs.frozen
class SetPasswordIn:
    """An admin or superuser sets a new password for another account; its sessions end."""

    email: str
    password: str


@attrs.frozen
class ChangePasswordIn:
    """The caller's own password; the caller's other sessions end (a cookie session that
    sends it stays logged in)."""

    current_password: str
    new_password: str


@attrs.frozen
class CreateTokenIn:
    name: str | None = None


@attrs.frozen
class NominationIn:
    email: str
    rationale: str


@attrs.frozen
class NominationDecisionIn:
    decision: NominationDecision
    rationale: str | None = None
