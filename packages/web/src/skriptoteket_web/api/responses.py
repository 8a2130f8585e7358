"""The JSON the API sends (SPEC-baseline §16, GOV-02, DESIGN §6), one attrs class per shape,
named ``…Out``. Most are filled from the core's object of the same field names by
``dto.from_core`` (``source(…)`` names an attribute the field calls differently); the functions
at the end build the few that need more than that."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import attrs
from cattrs.gen import make_dict_unstructure_fn, override
from skriptoteket.application.runnable import RunnableTool
from skriptoteket.application.runs import RunView
from skriptoteket.domain.audit import AuditEntry
from skriptoteket.domain.identity import Role
from skriptoteket.domain.input_schema import CONTRACT_1_SCHEMA, schema_to_data
from skriptoteket.domain.nominations import NominationStatus
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.domain.runs import RunContext, RunStatus
from skriptoteket.domain.suggestions import SuggestionDecisionType, SuggestionStatus
from skriptoteket.domain.versions import ToolVersion, VersionState

from skriptoteket_web.api.dto import INTERNAL, converter, doc, from_core, source

API_PREFIX = "/api/v1"


@attrs.frozen
class UserOut:
    id: UUID
    email: str
    role: Role
    is_active: bool
    created_at: datetime


@attrs.frozen
class MeOut(UserOut):
    """The caller. A cookie-session client sends ``csrf_token`` as the ``X-CSRF-Token`` header
    on POST, PUT, PATCH and DELETE; with a bearer token it is null (no CSRF check applies)."""

    csrf_token: str | None = attrs.field(
        metadata=doc("the session's CSRF token; null when authenticated by a bearer token")
    )


@attrs.frozen
class ProfessionOut:
    slug: str
    label: str
    sort_order: int


@attrs.frozen
class CategoryOut:
    slug: str
    label: str


@attrs.frozen
class CatalogToolOut:
    id: UUID
    slug: str
    title: str
    summary: str | None
    professions: list[str]
    categories: list[str]


@attrs.frozen
class RunnableToolOut(CatalogToolOut):
    """A runnable tool with the input schema of its active version (contract 1 tools get the
    equivalent schema: one file field ``file``)."""

    active_version_id: UUID
    contract_version: int
    input_schema: dict[str, Any]


@attrs.frozen
class ToolOut:
    id: UUID
    slug: str
    title: str
    summary: str | None
    is_published: bool
    active_version_id: UUID | None
    professions: list[str]
    categories: list[str]


@attrs.frozen
class VersionListItemOut:
    id: UUID
    tool_id: UUID
    version_number: int
    state: VersionState
    entrypoint: str
    content_hash: str
    contract_version: int
    derived_from_version_id: UUID | None
    created_by: UUID = attrs.field(metadata=source("created_by_user_id"))
    created_at: datetime
    submitted_for_review_by: UUID | None = attrs.field(
        metadata=source("submitted_for_review_by_user_id")
    )
    submitted_for_review_at: datetime | None
    reviewed_by: UUID | None = attrs.field(metadata=source("reviewed_by_user_id"))
    reviewed_at: datetime | None
    published_by: UUID | None = attrs.field(metadata=source("published_by_user_id"))
    published_at: datetime | None
    change_summary: str | None


@attrs.frozen
class VersionOut(VersionListItemOut):
    source_code: str
    review_note: str | None
    input_schema: dict[str, Any] | None


@attrs.frozen
class PublishResultOut:
    """GOV-02 (also the result of a rollback)."""

    tool_id: UUID
    previous_active_version_id: UUID | None
    new_active_version_id: UUID
    archived_version_ids: list[UUID]


@attrs.frozen
class MaintainerOut:
    user_id: UUID
    email: str
    role: Role


@attrs.frozen
class ArtifactOut:
    artifact_id: str
    path: str
    bytes: int
    download_url: str


@attrs.frozen
class InputFileOut:
    name: str
    bytes: int
    field: str | None


@attrs.frozen
class RunOut:
    """``stdout``/``stderr`` are present only for those who may read them: a sandbox run's
    author, and admins (RunView.logs_visible). ``queue_position`` is 1 for the next to start."""

    id: UUID
    tool_id: UUID
    version_id: UUID
    context: RunContext
    status: RunStatus
    requested_by: UUID = attrs.field(metadata=source("requested_by_user_id"))
    queue_position: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    worker: str | None = attrs.field(
        metadata=doc(
            "the process that executed the run (hostname:pid or a worker's name); null while queued"
        )
    )
    input_files: list[InputFileOut]
    html_output: str | None
    error_summary: str | None
    artifacts: list[ArtifactOut]
    failure_code: RunFailure | None = attrs.field(
        metadata=doc(
            "why a failed or timed-out run did not succeed (docs/failure-codes.md); null otherwise"
        )
    )
    failure_details: dict[str, Any] = attrs.field(
        metadata=doc('the figures behind failure_code, e.g. {"resource": "files", "limit": 20000}')
    )
    stdout: str | None = attrs.field(default=None, metadata=doc("only when logs are visible"))
    stderr: str | None = attrs.field(default=None, metadata=doc("only when logs are visible"))
    logs_visible: bool = attrs.field(default=False, metadata=INTERNAL)


def _unstructure_run(run: RunOut) -> dict[str, Any]:
    data = _plain_run(run)
    if not run.logs_visible:
        del data["stdout"], data["stderr"]
    return data


_plain_run = make_dict_unstructure_fn(RunOut, converter, logs_visible=override(omit=True))
converter.register_unstructure_hook(RunOut, _unstructure_run)


@attrs.frozen
class RunPageOut:
    items: list[RunOut]
    next: str | None = attrs.field(
        metadata=doc("cursor for the next (older) page: pass as ?cursor=; null at the end")
    )


@attrs.frozen
class SuggestionOut:
    id: UUID
    submitted_by: UUID = attrs.field(metadata=source("submitted_by_user_id"))
    title: str
    description: str
    professions: list[str] = attrs.field(metadata=source("profession_slugs"))
    categories: list[str] = attrs.field(metadata=source("category_slugs"))
    status: SuggestionStatus
    created_at: datetime
    reviewed_by: UUID | None = attrs.field(metadata=source("reviewed_by_user_id"))
    reviewed_at: datetime | None
    review_rationale: str | None
    draft_tool_id: UUID | None


@attrs.frozen
class SuggestionDecisionOut:
    id: UUID
    suggestion_id: UUID
    decided_by: UUID = attrs.field(metadata=source("decided_by_user_id"))
    decision: SuggestionDecisionType
    rationale: str
    title: str
    description: str
    professions: list[str] = attrs.field(metadata=source("profession_slugs"))
    categories: list[str] = attrs.field(metadata=source("category_slugs"))
    created_tool_id: UUID | None
    decided_at: datetime


@attrs.frozen
class SuggestionDetailOut:
    suggestion: SuggestionOut
    decisions: list[SuggestionDecisionOut]


@attrs.frozen
class DecisionResultOut:
    suggestion: SuggestionOut
    decision: SuggestionDecisionOut


@attrs.frozen
class TokenOut:
    id: UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@attrs.frozen
class IssuedTokenOut:
    """``secret`` is shown once: send it as ``Authorization: Bearer <secret>``."""

    token: TokenOut
    secret: str


@attrs.frozen
class NominationOut:
    id: UUID
    nominee_user_id: UUID
    nominated_by_user_id: UUID
    rationale: str
    status: NominationStatus
    created_at: datetime
    decided_by_user_id: UUID | None
    decided_at: datetime | None
    decision_rationale: str | None


@attrs.frozen
class AuditEntryOut:
    id: UUID
    occurred_at: datetime
    actor_user_id: UUID | None
    actor_label: str
    action: str
    subject_type: str
    subject_id: UUID
    details: dict[str, Any]


# --- the shapes that need more than the core object's fields ---


def runnable_tool_out(found: RunnableTool) -> RunnableToolOut:
    return from_core(
        RunnableToolOut,
        found.tool,
        active_version_id=found.version_id,
        contract_version=found.contract_version,
        input_schema=schema_to_data(found.input_schema or CONTRACT_1_SCHEMA),
    )


def version_out(v: ToolVersion) -> VersionOut:
    schema = schema_to_data(v.input_schema) if v.input_schema else None
    return from_core(VersionOut, v, input_schema=schema)


def run_out(view: RunView) -> RunOut:
    run = view.run
    return from_core(
        RunOut,
        run,
        queue_position=view.queue_position,
        input_files=[from_core(InputFileOut, f) for f in run.input_files],
        artifacts=[
            from_core(
                ArtifactOut,
                a,
                download_url=f"{API_PREFIX}/runs/{run.id}/artifacts/{a.artifact_id}",
            )
            for a in run.artifacts
        ],
        stdout=run.stdout if view.logs_visible else None,
        stderr=run.stderr if view.logs_visible else None,
        logs_visible=view.logs_visible,
    )


def audit_out(e: AuditEntry) -> AuditEntryOut:
    return from_core(AuditEntryOut, e, action=e.action.value, subject_type=e.subject_type.value)
