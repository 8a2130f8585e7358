"""The append-only audit log of every governance action (GOV-06, ID-21, AMB-24, AMB-28)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

import attrs

from skriptoteket.domain.identity import User

AuditValue = str | int | bool | None


class AuditAction(enum.StrEnum):
    USER_CREATED = "user.created"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    USER_PASSWORD_CHANGED = "user.password_changed"
    USER_PASSWORD_SET = "user.password_set"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    NOMINATION_CREATED = "nomination.created"
    NOMINATION_APPROVED = "nomination.approved"
    NOMINATION_DENIED = "nomination.denied"
    SUGGESTION_SUBMITTED = "suggestion.submitted"
    SUGGESTION_ACCEPTED = "suggestion.accepted"
    SUGGESTION_DENIED = "suggestion.denied"
    TOOL_CREATED = "tool.created"
    TOOL_METADATA_UPDATED = "tool.metadata_updated"
    TOOL_SLUG_CHANGED = "tool.slug_changed"
    TOOL_TAGS_UPDATED = "tool.tags_updated"
    TOOL_PUBLISHED = "tool.published"
    TOOL_DEPUBLISHED = "tool.depublished"
    MAINTAINER_ASSIGNED = "maintainer.assigned"
    MAINTAINER_REMOVED = "maintainer.removed"
    VERSION_CREATED = "version.created"
    VERSION_SAVED = "version.saved"
    VERSION_SUBMITTED = "version.submitted"
    VERSION_PUBLISHED = "version.published"
    VERSION_CHANGES_REQUESTED = "version.changes_requested"
    VERSION_ROLLED_BACK = "version.rolled_back"


class SubjectType(enum.StrEnum):
    USER = "user"
    TOKEN = "token"
    NOMINATION = "nomination"
    SUGGESTION = "suggestion"
    TOOL = "tool"
    VERSION = "version"


@attrs.frozen
class AuditEntry:
    id: UUID
    occurred_at: datetime
    actor_user_id: UUID | None
    actor_label: str
    action: AuditAction
    subject_type: SubjectType
    subject_id: UUID
    details: Mapping[str, AuditValue] = attrs.field(factory=dict)


def audit_entry(
    *,
    id: UUID,
    now: datetime,
    actor: User,
    action: AuditAction,
    subject_type: SubjectType,
    subject_id: UUID,
    **details: AuditValue,
) -> AuditEntry:
    """Build an entry; the system operator is recorded by label with no user id."""
    return AuditEntry(
        id=id,
        occurred_at=now,
        actor_user_id=None if actor.is_system else actor.id,
        actor_label=actor.email,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details,
    )
