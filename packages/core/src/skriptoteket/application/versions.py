"""The version workflow: draft, save, submit, publish, request changes, rollback
(VER-13–VER-25, ED-02–ED-07, GOV-01–GOV-05)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final
from uuid import UUID

import attrs

from skriptoteket.application.context import UseCase
from skriptoteket.application.tools import require_tool
from skriptoteket.domain.audit import AuditAction, SubjectType
from skriptoteket.domain.errors import conflict, not_found, validation_error
from skriptoteket.domain.identity import User, require_real_user
from skriptoteket.domain.input_schema import InputSchema, parse_input_schema
from skriptoteket.domain.policies import (
    require_admin,
    require_can_save_draft,
    require_can_submit,
    require_can_view_version,
    require_superuser,
    require_tool_scripting_access,
    visible_versions_for_actor,
)
from skriptoteket.domain.tools import Tool
from skriptoteket.domain.versions import (
    Activation,
    ToolVersion,
    VersionState,
    create_draft,
    publish_version,
    request_changes,
    rollback_to_version,
    save_draft_snapshot,
    submit_for_review,
)
from skriptoteket.ports.repositories import UnitOfWork


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()
SchemaInput = Mapping[str, Any] | InputSchema | _Keep | None


def resolve_schema(raw: SchemaInput, fallback: InputSchema | None) -> InputSchema | None:
    """Parse JSON-like schema data (validated on save, DESIGN §4); KEEP gives ``fallback``."""
    if isinstance(raw, _Keep):
        return fallback
    if raw is None or isinstance(raw, InputSchema):
        return raw
    return parse_input_schema(raw)


async def require_version(uow: UnitOfWork, version_id: UUID) -> ToolVersion:
    version = await uow.versions.get(version_id)
    if version is None:
        raise not_found("ToolVersion", version_id=str(version_id))
    return version


async def _is_maintainer(uow: UnitOfWork, tool_id: UUID, actor: User) -> bool:
    return await uow.tools.is_maintainer(tool_id, actor.id)


class CreateDraftVersion(UseCase):
    """ED-05: maintainer or admin; ``derived_from`` must exist, be viewable and be this tool's."""

    async def __call__(
        self,
        actor: User,
        *,
        tool_id: UUID,
        source_code: str,
        entrypoint: str | None = None,
        change_summary: str | None = None,
        derived_from_version_id: UUID | None = None,
        input_schema: SchemaInput = KEEP,
    ) -> ToolVersion:
        """``input_schema``: JSON-like data (contract 2), None (contract 1), or KEEP to take
        the derived-from version's."""
        require_real_user(actor)
        schema = resolve_schema(input_schema, None)
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            tool = await require_tool(uow, tool_id)
            maintainer = await _is_maintainer(uow, tool.id, actor)
            require_tool_scripting_access(actor, is_maintainer=maintainer)
            derived = None
            if derived_from_version_id is not None:
                derived = await require_version(uow, derived_from_version_id)
                if derived.tool_id != tool.id:
                    raise conflict(
                        "derived_from version belongs to another tool",
                        derived_from_version_id=str(derived.id),
                    )
                require_can_view_version(actor, derived, is_maintainer=maintainer)
            version = create_draft(
                id=self.deps.ids.new_id(),
                tool_id=tool.id,
                version_number=await uow.versions.next_version_number(tool.id),
                source_code=source_code,
                entrypoint=entrypoint,
                created_by=actor.id,
                now=self.deps.clock.now(),
                derived_from=derived,
                change_summary=change_summary,
                input_schema=(derived.input_schema if derived else None)
                if input_schema is KEEP
                else schema,
            )
            await uow.versions.add(version)
            await self._audit(
                uow,
                actor,
                AuditAction.VERSION_CREATED,
                SubjectType.VERSION,
                version.id,
                tool_id=str(tool.id),
                version_number=version.version_number,
            )
            await uow.commit()
        return version


class SaveDraftVersion(UseCase):
    """ED-06, VER-15, VER-22: always a new draft row; the draft head must not have moved."""

    async def __call__(
        self,
        actor: User,
        *,
        version_id: UUID,
        expected_parent_version_id: UUID,
        source_code: str,
        entrypoint: str | None = None,
        change_summary: str | None = None,
        input_schema: SchemaInput = KEEP,
    ) -> ToolVersion:
        """``input_schema`` as for CreateDraftVersion; KEEP takes the previous draft's."""
        require_real_user(actor)
        schema = resolve_schema(input_schema, None)
        if expected_parent_version_id != version_id:
            raise validation_error(
                "Version mismatch; reload and try again",
                expected_parent_version_id=str(expected_parent_version_id),
            )
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            previous = await require_version(uow, version_id)
            maintainer = await _is_maintainer(uow, previous.tool_id, actor)
            require_can_save_draft(actor, previous, is_maintainer=maintainer)
            head = await uow.versions.get_draft_head(previous.tool_id)
            if head is None:
                raise conflict("The tool has no draft to save")
            if head.id != previous.id:
                raise conflict(
                    "Draft head has advanced; reload before saving",
                    current_head_version_id=str(head.id),
                )
            version = save_draft_snapshot(
                previous,
                id=self.deps.ids.new_id(),
                version_number=await uow.versions.next_version_number(previous.tool_id),
                source_code=source_code,
                entrypoint=entrypoint,
                saved_by=actor.id,
                now=self.deps.clock.now(),
                change_summary=change_summary,
                input_schema=previous.input_schema if input_schema is KEEP else schema,
            )
            await uow.versions.add(version)
            await self._audit(
                uow,
                actor,
                AuditAction.VERSION_SAVED,
                SubjectType.VERSION,
                version.id,
                tool_id=str(version.tool_id),
                version_number=version.version_number,
                derived_from=str(previous.id),
            )
            await uow.commit()
        return version


class SubmitForReview(UseCase):
    """VER-16, ED-07."""

    async def __call__(
        self, actor: User, *, version_id: UUID, review_note: str | None = None
    ) -> ToolVersion:
        require_real_user(actor)
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            version = await require_version(uow, version_id)
            maintainer = await _is_maintainer(uow, version.tool_id, actor)
            require_can_submit(actor, version, is_maintainer=maintainer)
            submitted = submit_for_review(
                version, submitted_by=actor.id, now=self.deps.clock.now(), review_note=review_note
            )
            await uow.versions.update(submitted, expected_state=VersionState.DRAFT)
            await self._audit(
                uow,
                actor,
                AuditAction.VERSION_SUBMITTED,
                SubjectType.VERSION,
                version.id,
                tool_id=str(version.tool_id),
                version_number=version.version_number,
            )
            await uow.commit()
        return submitted


@attrs.frozen
class PublishResult:
    """GOV-02."""

    tool_id: UUID
    previous_active_version_id: UUID | None
    new_active_version_id: UUID
    archived_version_ids: tuple[UUID, ...]
    new_active: ToolVersion


class _Activating(UseCase):
    """Publish and rollback end the same way: VER-19's write order, one audit row, GOV-02."""

    async def _activate(
        self,
        uow: UnitOfWork,
        actor: User,
        tool: Tool,
        activation: Activation,
        previous: ToolVersion | None,
        *,
        source: ToolVersion,
        consumed_from: VersionState | None,
        action: AuditAction,
    ) -> PublishResult:
        # archive previous active → archive consumed → insert new → move pointer (VER-19)
        if activation.archived_previous is not None:
            await uow.versions.update(
                activation.archived_previous, expected_state=VersionState.ACTIVE
            )
        if activation.consumed is not None and consumed_from is not None:
            await uow.versions.update(activation.consumed, expected_state=consumed_from)
        new = activation.new_active
        await uow.versions.add(new)
        await uow.tools.update(attrs.evolve(tool, active_version_id=new.id))
        await self._audit(
            uow,
            actor,
            action,
            SubjectType.VERSION,
            new.id,
            tool_id=str(tool.id),
            version_number=new.version_number,
            from_version_id=str(source.id),
            previous_active_version_id=str(previous.id) if previous else None,
        )
        return PublishResult(
            tool_id=tool.id,
            previous_active_version_id=previous.id if previous else None,
            new_active_version_id=new.id,
            archived_version_ids=activation.archived_version_ids,
            new_active=new,
        )


class PublishVersion(_Activating):
    """GOV-01–GOV-03, VER-17, VER-19: admin+; copy-on-activate; catalog visibility unchanged
    (AMB-02)."""

    async def __call__(
        self, actor: User, *, version_id: UUID, change_summary: str | None = None
    ) -> PublishResult:
        require_real_user(actor)
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            require_admin(actor)
            reviewed = await require_version(uow, version_id)
            tool = await require_tool(uow, reviewed.tool_id)
            previous = await uow.versions.get_active(tool.id)
            activation = publish_version(
                reviewed,
                previous_active=previous,
                new_id=self.deps.ids.new_id(),
                new_version_number=await uow.versions.next_version_number(tool.id),
                publisher=actor.id,
                now=self.deps.clock.now(),
                change_summary=change_summary,
            )
            result = await self._activate(
                uow,
                actor,
                tool,
                activation,
                previous,
                source=reviewed,
                consumed_from=VersionState.IN_REVIEW,
                action=AuditAction.VERSION_PUBLISHED,
            )
            await uow.commit()
        return result


class RequestChanges(UseCase):
    """GOV-04: admin+; the reviewed row is archived and a new draft goes back to its author."""

    async def __call__(
        self, actor: User, *, version_id: UUID, message: str | None = None
    ) -> ToolVersion:
        require_real_user(actor)
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            require_admin(actor)
            reviewed = await require_version(uow, version_id)
            archived, draft = request_changes(
                reviewed,
                new_id=self.deps.ids.new_id(),
                new_version_number=await uow.versions.next_version_number(reviewed.tool_id),
                reviewer=actor.id,
                now=self.deps.clock.now(),
                message=message,
            )
            await uow.versions.update(archived, expected_state=VersionState.IN_REVIEW)
            await uow.versions.add(draft)
            await self._audit(
                uow,
                actor,
                AuditAction.VERSION_CHANGES_REQUESTED,
                SubjectType.VERSION,
                reviewed.id,
                tool_id=str(reviewed.tool_id),
                new_draft_version_id=str(draft.id),
                message=draft.change_summary,
            )
            await uow.commit()
        return draft


class RollbackVersion(_Activating):
    """GOV-05, VER-18, AMB-01: superuser; tool-scoped; ``is_published`` unchanged."""

    async def __call__(self, actor: User, *, tool_id: UUID, from_version_id: UUID) -> PublishResult:
        require_real_user(actor)
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            require_superuser(actor)
            tool = await require_tool(uow, tool_id)
            source = await require_version(uow, from_version_id)
            if source.tool_id != tool.id:
                raise conflict(
                    "The version belongs to another tool", version_id=str(from_version_id)
                )
            previous = await uow.versions.get_active(tool.id)
            activation = rollback_to_version(
                source,
                previous_active=previous,
                new_id=self.deps.ids.new_id(),
                new_version_number=await uow.versions.next_version_number(tool.id),
                actor=actor.id,
                now=self.deps.clock.now(),
            )
            result = await self._activate(
                uow,
                actor,
                tool,
                activation,
                previous,
                source=source,
                consumed_from=None,
                action=AuditAction.VERSION_ROLLED_BACK,
            )
            await uow.commit()
        return result


class ListVersions(UseCase):
    """ED-12, VER-25: the versions the actor may see, newest first."""

    async def __call__(self, actor: User, *, tool_id: UUID) -> Sequence[ToolVersion]:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            tool = await require_tool(uow, tool_id)
            maintainer = await _is_maintainer(uow, tool.id, actor)
            require_tool_scripting_access(actor, is_maintainer=maintainer)
            versions = await uow.versions.list_for_tool(tool.id)
        return visible_versions_for_actor(actor, versions, is_maintainer=maintainer)


class GetVersion(UseCase):
    """ED-03: NOT_FOUND if unknown; FORBIDDEN if the actor may not view it."""

    async def __call__(self, actor: User, *, version_id: UUID) -> ToolVersion:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            version = await require_version(uow, version_id)
            maintainer = await _is_maintainer(uow, version.tool_id, actor)
            require_can_view_version(actor, version, is_maintainer=maintainer)
        return version


def default_editor_version(versions: Sequence[ToolVersion]) -> ToolVersion | None:
    """ED-02: newest draft, else the active version, else the newest visible one.

    A draft that was saved over is not a candidate: a save leaves the old row in state draft
    (VER-15, AMB-15), so after "save, then send for review" the newest *draft* was the stale
    snapshot, and the editor opened on old code instead of the version waiting for review.
    """
    saved_over = {v.derived_from_version_id for v in versions if v.derived_from_version_id}
    drafts = [v for v in versions if v.state is VersionState.DRAFT and v.id not in saved_over]
    if drafts:
        return max(drafts, key=lambda v: v.version_number)
    active = next((v for v in versions if v.state is VersionState.ACTIVE), None)
    if active is not None:
        return active
    return max(versions, key=lambda v: v.version_number, default=None)
