"""The API's JSON shapes (SPEC-baseline §16, GOV-02, DESIGN §6) and their construction from the
core's objects. Request classes end in ``In``, response classes in ``Out``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import attrs
from cattrs.gen import make_dict_unstructure_fn, override
from skriptoteket.application.identity import IssuedToken
from skriptoteket.application.runnable import RunnableTool
from skriptoteket.application.runs import RunView
from skriptoteket.application.tools import Maintainer
from skriptoteket.application.versions import PublishResult
from skriptoteket.domain.audit import AuditEntry
from skriptoteket.domain.identity import ApiToken, Role, User
from skriptoteket.domain.input_schema import CONTRACT_1_SCHEMA, schema_to_data
from skriptoteket.domain.nominations import Nomination, NominationDecision, NominationStatus
from skriptoteket.domain.runs import RunContext, RunStatus
from skriptoteket.domain.suggestions import (
    Suggestion,
    SuggestionDecision,
    SuggestionDecisionType,
    SuggestionStatus,
)
from skriptoteket.domain.taxonomy import Category, Profession
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import ToolVersion, VersionState

from skriptoteket_web.api.dto import INTERNAL, converter, doc

API_PREFIX = "/api/v1"

# --- requests ---


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


# --- responses ---


@attrs.frozen
class UserOut:
    id: UUID
    email: str
    role: Role
    is_active: bool
    created_at: datetime


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
class RunnableToolOut:
    """A runnable tool with the input schema of its active version (contract 1 tools get the
    equivalent schema: one file field ``file``)."""

    id: UUID
    slug: str
    title: str
    summary: str | None
    professions: list[str]
    categories: list[str]
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
    created_by: UUID
    created_at: datetime
    submitted_for_review_by: UUID | None
    submitted_for_review_at: datetime | None
    reviewed_by: UUID | None
    reviewed_at: datetime | None
    published_by: UUID | None
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
    requested_by: UUID
    queue_position: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    input_files: list[InputFileOut]
    html_output: str | None
    error_summary: str | None
    artifacts: list[ArtifactOut]
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
    submitted_by: UUID
    title: str
    description: str
    professions: list[str]
    categories: list[str]
    status: SuggestionStatus
    created_at: datetime
    reviewed_by: UUID | None
    reviewed_at: datetime | None
    review_rationale: str | None
    draft_tool_id: UUID | None


@attrs.frozen
class SuggestionDecisionOut:
    id: UUID
    suggestion_id: UUID
    decided_by: UUID
    decision: SuggestionDecisionType
    rationale: str
    title: str
    description: str
    professions: list[str]
    categories: list[str]
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


# --- from the core's objects ---


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        role=user.role,
        is_active=user.is_active,
        created_at=user.created_at,
    )


def profession_out(p: Profession) -> ProfessionOut:
    return ProfessionOut(slug=p.slug, label=p.label, sort_order=p.sort_order)


def category_out(c: Category) -> CategoryOut:
    return CategoryOut(slug=c.slug, label=c.label)


def catalog_tool_out(tool: Tool) -> CatalogToolOut:
    return CatalogToolOut(
        id=tool.id,
        slug=tool.slug,
        title=tool.title,
        summary=tool.summary,
        professions=list(tool.professions),
        categories=list(tool.categories),
    )


def runnable_tool_out(found: RunnableTool) -> RunnableToolOut:
    tool = found.tool
    return RunnableToolOut(
        id=tool.id,
        slug=tool.slug,
        title=tool.title,
        summary=tool.summary,
        professions=list(tool.professions),
        categories=list(tool.categories),
        active_version_id=found.version_id,
        contract_version=found.contract_version,
        input_schema=schema_to_data(found.input_schema or CONTRACT_1_SCHEMA),
    )


def tool_out(tool: Tool) -> ToolOut:
    return ToolOut(
        id=tool.id,
        slug=tool.slug,
        title=tool.title,
        summary=tool.summary,
        is_published=tool.is_published,
        active_version_id=tool.active_version_id,
        professions=list(tool.professions),
        categories=list(tool.categories),
    )


def _version_fields(v: ToolVersion) -> dict[str, Any]:
    return {
        "id": v.id,
        "tool_id": v.tool_id,
        "version_number": v.version_number,
        "state": v.state,
        "entrypoint": v.entrypoint,
        "content_hash": v.content_hash,
        "contract_version": v.contract_version,
        "derived_from_version_id": v.derived_from_version_id,
        "created_by": v.created_by_user_id,
        "created_at": v.created_at,
        "submitted_for_review_by": v.submitted_for_review_by_user_id,
        "submitted_for_review_at": v.submitted_for_review_at,
        "reviewed_by": v.reviewed_by_user_id,
        "reviewed_at": v.reviewed_at,
        "published_by": v.published_by_user_id,
        "published_at": v.published_at,
        "change_summary": v.change_summary,
    }


def version_item_out(v: ToolVersion) -> VersionListItemOut:
    return VersionListItemOut(**_version_fields(v))


def version_out(v: ToolVersion) -> VersionOut:
    return VersionOut(
        **_version_fields(v),
        source_code=v.source_code,
        review_note=v.review_note,
        input_schema=schema_to_data(v.input_schema) if v.input_schema else None,
    )


def publish_result_out(result: PublishResult) -> PublishResultOut:
    return PublishResultOut(
        tool_id=result.tool_id,
        previous_active_version_id=result.previous_active_version_id,
        new_active_version_id=result.new_active_version_id,
        archived_version_ids=list(result.archived_version_ids),
    )


def maintainer_out(m: Maintainer) -> MaintainerOut:
    return MaintainerOut(user_id=m.user_id, email=m.email, role=m.role)


def run_out(view: RunView) -> RunOut:
    run = view.run
    return RunOut(
        id=run.id,
        tool_id=run.tool_id,
        version_id=run.version_id,
        context=run.context,
        status=run.status,
        requested_by=run.requested_by_user_id,
        queue_position=view.queue_position,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        input_files=[
            InputFileOut(name=f.name, bytes=f.bytes, field=f.field) for f in run.input_files
        ],
        html_output=run.html_output,
        error_summary=run.error_summary,
        artifacts=[
            ArtifactOut(
                artifact_id=a.artifact_id,
                path=a.path,
                bytes=a.bytes,
                download_url=f"{API_PREFIX}/runs/{run.id}/artifacts/{a.artifact_id}",
            )
            for a in run.artifacts
        ],
        stdout=run.stdout if view.logs_visible else None,
        stderr=run.stderr if view.logs_visible else None,
        logs_visible=view.logs_visible,
    )


def suggestion_out(s: Suggestion) -> SuggestionOut:
    return SuggestionOut(
        id=s.id,
        submitted_by=s.submitted_by_user_id,
        title=s.title,
        description=s.description,
        professions=list(s.profession_slugs),
        categories=list(s.category_slugs),
        status=s.status,
        created_at=s.created_at,
        reviewed_by=s.reviewed_by_user_id,
        reviewed_at=s.reviewed_at,
        review_rationale=s.review_rationale,
        draft_tool_id=s.draft_tool_id,
    )


def decision_out(d: SuggestionDecision) -> SuggestionDecisionOut:
    return SuggestionDecisionOut(
        id=d.id,
        suggestion_id=d.suggestion_id,
        decided_by=d.decided_by_user_id,
        decision=d.decision,
        rationale=d.rationale,
        title=d.title,
        description=d.description,
        professions=list(d.profession_slugs),
        categories=list(d.category_slugs),
        created_tool_id=d.created_tool_id,
        decided_at=d.decided_at,
    )


def token_out(t: ApiToken) -> TokenOut:
    return TokenOut(
        id=t.id,
        name=t.name,
        prefix=t.prefix,
        created_at=t.created_at,
        last_used_at=t.last_used_at,
        revoked_at=t.revoked_at,
    )


def issued_token_out(issued: IssuedToken) -> IssuedTokenOut:
    return IssuedTokenOut(token=token_out(issued.token), secret=issued.secret)


def nomination_out(n: Nomination) -> NominationOut:
    return NominationOut(
        id=n.id,
        nominee_user_id=n.nominee_user_id,
        nominated_by_user_id=n.nominated_by_user_id,
        rationale=n.rationale,
        status=n.status,
        created_at=n.created_at,
        decided_by_user_id=n.decided_by_user_id,
        decided_at=n.decided_at,
        decision_rationale=n.decision_rationale,
    )


def audit_out(e: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(
        id=e.id,
        occurred_at=e.occurred_at,
        actor_user_id=e.actor_user_id,
        actor_label=e.actor_label,
        action=e.action.value,
        subject_type=e.subject_type.value,
        subject_id=e.subject_id,
        details=dict(e.details),
    )
