"""Versioned tool scripts and their state machine (VER-08–VER-23, GOV-01–GOV-05).

Every transition is a pure function that returns new frozen records; the application layer
persists them in one unit of work, in the order VER-19 gives.
"""

from __future__ import annotations

import enum
import hashlib
import json
from datetime import datetime
from uuid import UUID

import attrs

from skriptoteket.domain.errors import conflict, validation_error
from skriptoteket.domain.input_schema import InputSchema, schema_to_data
from skriptoteket.domain.text_limits import (
    NOTE_MAX_LENGTH,
    SOURCE_CODE_MAX_LENGTH,
    require_length,
    text_too_long,
)

ENTRYPOINT_MAX_LENGTH = 128
DEFAULT_ENTRYPOINT = "run_tool"


class VersionState(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    ACTIVE = "active"
    ARCHIVED = "archived"


@attrs.frozen
class ToolVersion:
    id: UUID
    tool_id: UUID
    version_number: int
    state: VersionState
    source_code: str
    entrypoint: str
    content_hash: str
    created_by_user_id: UUID
    created_at: datetime
    derived_from_version_id: UUID | None = None
    submitted_for_review_by_user_id: UUID | None = None
    submitted_for_review_at: datetime | None = None
    reviewed_by_user_id: UUID | None = None
    reviewed_at: datetime | None = None
    published_by_user_id: UUID | None = None
    published_at: datetime | None = None
    change_summary: str | None = None
    review_note: str | None = None
    input_schema: InputSchema | None = None

    @property
    def contract_version(self) -> int:
        """1: ``run_tool(input_path, output_dir)``; 2: an input schema and
        ``run_tool(input_dir, output_dir, inputs)`` (DESIGN §4)."""
        return 1 if self.input_schema is None else 2


def compute_content_hash(
    entrypoint: str, source_code: str, input_schema: InputSchema | None = None
) -> str:
    """VER-12: SHA-256 of ``f"{entrypoint}\\n{source_code}"`` as lowercase hex. A contract-2
    version also hashes its schema (canonical JSON), so a schema change is a content change."""
    text = f"{entrypoint}\n{source_code}"
    if input_schema is not None:
        schema = json.dumps(schema_to_data(input_schema), sort_keys=True, ensure_ascii=False)
        text += f"\n#input_schema {schema}"
    return hashlib.sha256(text.encode()).hexdigest()


def clean_entrypoint(raw: str | None) -> str:
    """VER-09: stripped, required, at most 128 characters, default ``run_tool``."""
    entrypoint = DEFAULT_ENTRYPOINT if raw is None else raw.strip()
    if not entrypoint:
        raise validation_error("Entrypoint is required", field="entrypoint")
    if len(entrypoint) > ENTRYPOINT_MAX_LENGTH:
        raise text_too_long("entrypoint", ENTRYPOINT_MAX_LENGTH)
    if not entrypoint.isidentifier():
        raise validation_error("Entrypoint must be a Python function name", field="entrypoint")
    return entrypoint


def clean_source_code(raw: str) -> str:
    """VER-10: required, never stripped."""
    if not raw or not raw.strip():
        raise validation_error(
            "Source code is required", reason="source_code_required", field="source_code"
        )
    return require_length(raw, field="source_code", max_length=SOURCE_CODE_MAX_LENGTH)


def clean_note(raw: str | None, *, field: str = "change_summary") -> str | None:
    """VER-11: strip; blank becomes None; at most NOTE_MAX_LENGTH characters."""
    text = (raw or "").strip()
    return require_length(text, field=field, max_length=NOTE_MAX_LENGTH) or None


def require_version_number(number: int) -> int:
    if number < 1:
        raise validation_error("version_number must be at least 1", version_number=number)
    return number


def create_draft(
    *,
    id: UUID,
    tool_id: UUID,
    version_number: int,
    source_code: str,
    entrypoint: str | None,
    created_by: UUID,
    now: datetime,
    derived_from: ToolVersion | None = None,
    change_summary: str | None = None,
    input_schema: InputSchema | None = None,
) -> ToolVersion:
    if derived_from is not None and derived_from.tool_id != tool_id:
        raise conflict(
            "derived_from version belongs to another tool",
            derived_from_version_id=str(derived_from.id),
        )
    ep, src = clean_entrypoint(entrypoint), clean_source_code(source_code)
    return ToolVersion(
        id=id,
        tool_id=tool_id,
        version_number=require_version_number(version_number),
        state=VersionState.DRAFT,
        source_code=src,
        entrypoint=ep,
        content_hash=compute_content_hash(ep, src, input_schema),
        created_by_user_id=created_by,
        created_at=now,
        derived_from_version_id=derived_from.id if derived_from else None,
        change_summary=clean_note(change_summary),
        input_schema=input_schema,
    )


def save_draft_snapshot(
    previous: ToolVersion,
    *,
    id: UUID,
    version_number: int,
    source_code: str,
    entrypoint: str | None,
    saved_by: UUID,
    now: datetime,
    change_summary: str | None = None,
    input_schema: InputSchema | None = None,
) -> ToolVersion:
    """VER-15: a new immutable draft row derived from a draft; the previous row is untouched."""
    if previous.state is not VersionState.DRAFT:
        raise conflict("Only draft versions can be saved", state=previous.state.value)
    if version_number <= previous.version_number:
        raise conflict("Version number must increase", version_number=version_number)
    return create_draft(
        id=id,
        tool_id=previous.tool_id,
        version_number=version_number,
        source_code=source_code,
        entrypoint=entrypoint,
        created_by=saved_by,
        now=now,
        derived_from=previous,
        change_summary=change_summary,
        input_schema=input_schema,
    )


def submit_for_review(
    version: ToolVersion, *, submitted_by: UUID, now: datetime, review_note: str | None
) -> ToolVersion:
    """VER-16: draft → in_review on the same row; reviewed_* untouched."""
    if version.state is not VersionState.DRAFT:
        raise conflict("Only draft versions can be submitted for review", state=version.state.value)
    return attrs.evolve(
        version,
        state=VersionState.IN_REVIEW,
        submitted_for_review_by_user_id=submitted_by,
        submitted_for_review_at=now,
        review_note=clean_note(review_note, field="review_note"),
    )


@attrs.frozen
class Activation:
    """What publish or rollback writes, in VER-19 order."""

    archived_previous: ToolVersion | None
    consumed: ToolVersion | None
    new_active: ToolVersion

    @property
    def archived_version_ids(self) -> tuple[UUID, ...]:
        return tuple(v.id for v in (self.consumed, self.archived_previous) if v is not None)


def _archive_previous(previous_active: ToolVersion | None, tool_id: UUID) -> ToolVersion | None:
    if previous_active is None:
        return None
    if previous_active.tool_id != tool_id or previous_active.state is not VersionState.ACTIVE:
        raise validation_error(
            "Previous active version is not the active version of this tool",
            version_id=str(previous_active.id),
        )
    return attrs.evolve(previous_active, state=VersionState.ARCHIVED)


def publish_version(
    reviewed: ToolVersion,
    *,
    previous_active: ToolVersion | None,
    new_id: UUID,
    new_version_number: int,
    publisher: UUID,
    now: datetime,
    change_summary: str | None,
) -> Activation:
    """VER-17: copy-on-activate; the reviewed row is consumed (archived), a new active row made."""
    if reviewed.state is not VersionState.IN_REVIEW:
        raise conflict("Only in_review versions can be published", state=reviewed.state.value)
    archived_previous = _archive_previous(previous_active, reviewed.tool_id)
    consumed = attrs.evolve(
        reviewed, state=VersionState.ARCHIVED, published_by_user_id=publisher, published_at=now
    )
    new_active = ToolVersion(
        id=new_id,
        tool_id=reviewed.tool_id,
        version_number=require_version_number(new_version_number),
        state=VersionState.ACTIVE,
        source_code=reviewed.source_code,
        entrypoint=reviewed.entrypoint,
        content_hash=reviewed.content_hash,
        input_schema=reviewed.input_schema,
        created_by_user_id=publisher,
        created_at=now,
        derived_from_version_id=reviewed.id,
        published_by_user_id=publisher,
        published_at=now,
        change_summary=clean_note(change_summary) or reviewed.change_summary,
    )
    return Activation(archived_previous=archived_previous, consumed=consumed, new_active=new_active)


def request_changes(
    reviewed: ToolVersion,
    *,
    new_id: UUID,
    new_version_number: int,
    reviewer: UUID,
    now: datetime,
    message: str | None,
) -> tuple[ToolVersion, ToolVersion]:
    """GOV-04: in_review → archived (reviewed_*), plus a new draft owned by the original author."""
    if reviewed.state is not VersionState.IN_REVIEW:
        raise conflict(
            "Only in_review versions can have changes requested", state=reviewed.state.value
        )
    archived = attrs.evolve(
        reviewed, state=VersionState.ARCHIVED, reviewed_by_user_id=reviewer, reviewed_at=now
    )
    draft = ToolVersion(
        id=new_id,
        tool_id=reviewed.tool_id,
        version_number=require_version_number(new_version_number),
        state=VersionState.DRAFT,
        source_code=reviewed.source_code,
        entrypoint=reviewed.entrypoint,
        content_hash=reviewed.content_hash,
        input_schema=reviewed.input_schema,
        created_by_user_id=reviewed.created_by_user_id,
        created_at=now,
        derived_from_version_id=reviewed.id,
        change_summary=clean_note(message, field="message"),
    )
    return archived, draft


def rollback_to_version(
    archived: ToolVersion,
    *,
    previous_active: ToolVersion | None,
    new_id: UUID,
    new_version_number: int,
    actor: UUID,
    now: datetime,
) -> Activation:
    """VER-18: a new active row copied from an archived one; the archived row is untouched."""
    if archived.state is not VersionState.ARCHIVED:
        raise conflict("Only archived versions can be rolled back to", state=archived.state.value)
    archived_previous = _archive_previous(previous_active, archived.tool_id)
    new_active = ToolVersion(
        id=new_id,
        tool_id=archived.tool_id,
        version_number=require_version_number(new_version_number),
        state=VersionState.ACTIVE,
        source_code=archived.source_code,
        entrypoint=archived.entrypoint,
        content_hash=archived.content_hash,
        input_schema=archived.input_schema,
        created_by_user_id=actor,
        created_at=now,
        derived_from_version_id=archived.id,
        published_by_user_id=actor,
        published_at=now,
        change_summary=f"Rollback from v{archived.version_number}",
    )
    return Activation(archived_previous=archived_previous, consumed=None, new_active=new_active)
