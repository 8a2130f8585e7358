"""Small builders of valid domain records for tests. Every argument has a sensible default."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from uuid import UUID

from skriptoteket.domain.audit import AuditAction, AuditEntry, AuditValue, SubjectType
from skriptoteket.domain.identity import ApiToken, AuthProvider, Role, Session, User
from skriptoteket.domain.runs import Artifact, InputFile, RunContext, RunStatus, ToolRun
from skriptoteket.domain.suggestions import Suggestion, SuggestionStatus
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import ToolVersion, VersionState, compute_content_hash

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
_counter = itertools.count(1)


def at(seconds: float) -> datetime:
    """A fixed instant ``seconds`` after T0 (whole microseconds, as databases keep them)."""
    return T0 + timedelta(seconds=seconds)


def make_user(
    *,
    email: str | None = None,
    role: Role = Role.USER,
    is_active: bool = True,
    created_at: datetime = T0,
) -> User:
    n = next(_counter)
    return User(
        id=uuid.uuid4(),
        email=email or f"user{n}@skolan.se",
        role=role,
        auth_provider=AuthProvider.LOCAL,
        external_id=None,
        password_hash=f"hash-{n}",
        is_active=is_active,
        created_at=created_at,
        updated_at=created_at,
    )


def make_session(user: User, *, expires_at: datetime | None = None) -> Session:
    return Session(
        id=uuid.uuid4(),
        user_id=user.id,
        csrf_token=f"csrf-{uuid.uuid4().hex}",
        created_at=T0,
        expires_at=expires_at or at(3600),
    )


def make_token(user: User, *, created_at: datetime = T0, name: str = "cli") -> ApiToken:
    return ApiToken(
        id=uuid.uuid4(),
        user_id=user.id,
        name=name,
        token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
        prefix="skt_abcdefgh",
        created_at=created_at,
    )


def make_tool(
    *,
    slug: str | None = None,
    title: str | None = None,
    published: bool = False,
    professions: tuple[str, ...] = ("larare",),
    categories: tuple[str, ...] = ("administration",),
    active_version_id: UUID | None = None,
) -> Tool:
    n = next(_counter)
    return Tool(
        id=uuid.uuid4(),
        slug=slug or f"verktyg-{n}",
        title=title or f"Verktyg {n}",
        summary="Ett verktyg",
        is_published=published,
        active_version_id=active_version_id,
        professions=professions,
        categories=categories,
        created_at=T0,
        updated_at=T0,
    )


def make_version(
    tool: Tool,
    author: User,
    *,
    number: int = 1,
    state: VersionState = VersionState.DRAFT,
    source_code: str = "def run_tool(input_path, output_dir):\n    return '<p>Hej</p>'\n",
    entrypoint: str = "run_tool",
    created_at: datetime = T0,
) -> ToolVersion:
    return ToolVersion(
        id=uuid.uuid4(),
        tool_id=tool.id,
        version_number=number,
        state=state,
        source_code=source_code,
        entrypoint=entrypoint,
        content_hash=compute_content_hash(entrypoint, source_code),
        created_by_user_id=author.id,
        created_at=created_at,
    )


def make_run(
    version: ToolVersion,
    user: User,
    *,
    status: RunStatus = RunStatus.QUEUED,
    context: RunContext = RunContext.PRODUCTION,
    created_at: datetime = T0,
) -> ToolRun:
    run_id = uuid.uuid4()
    return ToolRun(
        id=run_id,
        tool_id=version.tool_id,
        version_id=version.id,
        context=context,
        requested_by_user_id=user.id,
        status=status,
        created_at=created_at,
        workdir_path=str(run_id),
        input_files=(InputFile("klasslista.csv", 1234, field="klasslista"),),
        input_values={"gruppstorlek": 4, "titel": "Åk 7B"},
    )


def make_artifact(path: str = "output/rapport.pdf", size: int = 10) -> Artifact:
    slug = path.lower().replace("/", "_").replace(".", "_")
    return Artifact(artifact_id=slug, path=path, bytes=size)


def make_suggestion(user: User, *, created_at: datetime = T0) -> Suggestion:
    return Suggestion(
        id=uuid.uuid4(),
        submitted_by_user_id=user.id,
        title="Gruppindelning",
        description="Dela in klassen i grupper",
        profession_slugs=("larare",),
        category_slugs=("lektionsplanering", "mentorskap"),
        status=SuggestionStatus.PENDING_REVIEW,
        created_at=created_at,
        updated_at=created_at,
    )


def make_audit(
    actor: User | None,
    *,
    action: AuditAction = AuditAction.TOOL_CREATED,
    subject_id: UUID | None = None,
    occurred_at: datetime = T0,
    details: Mapping[str, AuditValue] | None = None,
) -> AuditEntry:
    return AuditEntry(
        id=uuid.uuid4(),
        occurred_at=occurred_at,
        actor_user_id=actor.id if actor else None,
        actor_label=actor.email if actor else "system",
        action=action,
        subject_type=SubjectType.TOOL,
        subject_id=subject_id or uuid.uuid4(),
        details=dict(details or {"slug": "x", "n": 3, "ok": True, "none": None}),
    )
