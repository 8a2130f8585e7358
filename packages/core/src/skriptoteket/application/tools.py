"""Tools: create, metadata, slug, tags, catalog visibility and maintainers (TOOL-01–TOOL-18)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

import attrs

from skriptoteket.application.context import UseCase
from skriptoteket.application.identity import require_user_by_email
from skriptoteket.domain.audit import AuditAction, SubjectType
from skriptoteket.domain.errors import not_found, validation_error
from skriptoteket.domain.identity import Role, User, require_at_least_role
from skriptoteket.domain.policies import require_admin, require_tool_scripting_access
from skriptoteket.domain.taxonomy import clean_tag_slugs, require_known_slugs
from skriptoteket.domain.tools import (
    Tool,
    change_slug,
    clean_maintainer_reason,
    new_tool,
    require_maintainer_candidate,
    set_published_state,
    set_tags,
    update_metadata,
)
from skriptoteket.ports.repositories import UnitOfWork


async def require_tool(uow: UnitOfWork, tool_id: UUID) -> Tool:
    tool = await uow.tools.get(tool_id)
    if tool is None:
        raise not_found("Tool", tool_id=str(tool_id))
    return tool


async def _clean_tags(
    uow: UnitOfWork, professions: Iterable[str], categories: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    p = clean_tag_slugs(professions, kind="profession")
    c = clean_tag_slugs(categories, kind="category")
    require_known_slugs(
        p, [x.slug for x in await uow.taxonomy.list_professions()], kind="profession"
    )
    require_known_slugs(c, [x.slug for x in await uow.taxonomy.list_categories()], kind="category")
    return p, c


class CreateTool(UseCase):
    """TOOL-09: admin+ only; the tool starts unpublished with no version."""

    async def __call__(
        self,
        actor: User,
        *,
        slug: str,
        title: str,
        summary: str | None,
        professions: Iterable[str],
        categories: Iterable[str],
    ) -> Tool:
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            require_admin(actor)
            p, c = await _clean_tags(uow, professions, categories)
            tool = new_tool(
                id=self.deps.ids.new_id(),
                slug=slug,
                title=title,
                summary=summary,
                professions=p,
                categories=c,
                now=self.deps.clock.now(),
            )
            await uow.tools.add(tool)
            await self._audit(
                uow,
                actor,
                AuditAction.TOOL_CREATED,
                SubjectType.TOOL,
                tool.id,
                slug=tool.slug,
                title=tool.title,
            )
            await uow.commit()
        return tool


class UpdateTool(UseCase):
    """TOOL-10 metadata, AMB-20 slug (until first publish) and tags; admin+; no-op if unchanged.

    ``None`` leaves a field as it is. Each real change writes its own audit row.
    """

    async def __call__(
        self,
        actor: User,
        *,
        tool_id: UUID,
        title: str | None = None,
        summary: str | None = None,
        slug: str | None = None,
        professions: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
        clear_summary: bool = False,
    ) -> Tool:
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            require_admin(actor)
            tool = await require_tool(uow, tool_id)
            now = self.deps.clock.now()
            updated = tool
            if title is not None or summary is not None or clear_summary:
                updated = update_metadata(
                    updated,
                    title=updated.title if title is None else title,
                    summary=None
                    if clear_summary
                    else (summary if summary is not None else updated.summary),
                    now=now,
                )
            if slug is not None:
                updated = change_slug(updated, slug=slug, now=now)
            if professions is not None or categories is not None:
                p, c = await _clean_tags(
                    uow,
                    updated.professions if professions is None else professions,
                    updated.categories if categories is None else categories,
                )
                updated = set_tags(updated, professions=p, categories=c, now=now)
            if updated == tool:
                return tool
            await uow.tools.update(updated)
            await self._audit_changes(uow, actor, tool, updated)
            await uow.commit()
        return updated

    async def _audit_changes(self, uow: UnitOfWork, actor: User, old: Tool, new: Tool) -> None:
        if (old.title, old.summary) != (new.title, new.summary):
            await self._audit(
                uow,
                actor,
                AuditAction.TOOL_METADATA_UPDATED,
                SubjectType.TOOL,
                new.id,
                title=new.title,
            )
        if old.slug != new.slug:
            await self._audit(
                uow,
                actor,
                AuditAction.TOOL_SLUG_CHANGED,
                SubjectType.TOOL,
                new.id,
                from_slug=old.slug,
                to_slug=new.slug,
            )
        if (old.professions, old.categories) != (new.professions, new.categories):
            await self._audit(
                uow,
                actor,
                AuditAction.TOOL_TAGS_UPDATED,
                SubjectType.TOOL,
                new.id,
                professions=",".join(new.professions),
                categories=",".join(new.categories),
            )


class SetToolPublished(UseCase):
    """TOOL-02–TOOL-06: publish requires a valid active version; both are idempotent."""

    async def __call__(self, actor: User, *, tool_id: UUID, published: bool) -> Tool:
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            require_admin(actor)
            tool = await require_tool(uow, tool_id)
            active = (
                await uow.versions.get(tool.active_version_id) if tool.active_version_id else None
            )
            updated = set_published_state(
                tool, published=published, active_version=active, now=self.deps.clock.now()
            )
            if updated is tool:
                return tool
            await uow.tools.update(updated)
            action = AuditAction.TOOL_PUBLISHED if published else AuditAction.TOOL_DEPUBLISHED
            await self._audit(uow, actor, action, SubjectType.TOOL, tool.id, slug=tool.slug)
            await uow.commit()
        return updated


class GetTool(UseCase):
    """A tool for the editor or admin pages: admins, or a contributor who maintains it."""

    async def __call__(self, actor: User, *, tool_id: UUID) -> Tool:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            tool = await require_tool(uow, tool_id)
            require_tool_scripting_access(
                actor, is_maintainer=await uow.tools.is_maintainer(tool.id, actor.id)
            )
        return tool


class ListAllTools(UseCase):
    """TOOL-07: every tool by title then slug, for admins."""

    async def __call__(self, actor: User) -> Sequence[Tool]:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            require_admin(actor)
            return await uow.tools.list_all()


class ListMyTools(UseCase):
    """TOOL-17: tools the actor maintains (contributor+)."""

    async def __call__(self, actor: User) -> Sequence[Tool]:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            require_at_least_role(actor, Role.CONTRIBUTOR)
            return await uow.tools.list_for_maintainer(actor.id)


@attrs.frozen
class Maintainer:
    user_id: UUID
    email: str
    role: Role


class ListMaintainers(UseCase):
    async def __call__(self, actor: User, *, tool_id: UUID) -> Sequence[Maintainer]:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            require_admin(actor)
            await require_tool(uow, tool_id)
            result = []
            for user_id in await uow.tools.list_maintainers(tool_id):
                user = await uow.users.get(user_id)
                if user is not None:
                    result.append(Maintainer(user_id=user.id, email=user.email, role=user.role))
        return result


class AssignMaintainer(UseCase):
    """TOOL-14: admin+; target contributor+; an existing maintainer is a silent no-op."""

    async def __call__(
        self, actor: User, *, tool_id: UUID, email: str, reason: str | None = None
    ) -> bool:
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            require_admin(actor)
            tool = await require_tool(uow, tool_id)
            target = await require_user_by_email(uow, email)
            require_maintainer_candidate(target)
            if await uow.tools.is_maintainer(tool.id, target.id):
                return False
            await uow.tools.add_maintainer(tool.id, target.id)
            await self._audit(
                uow,
                actor,
                AuditAction.MAINTAINER_ASSIGNED,
                SubjectType.TOOL,
                tool.id,
                user_id=str(target.id),
                email=target.email,
                reason=clean_maintainer_reason(reason),
            )
            await uow.commit()
        return True


class RemoveMaintainer(UseCase):
    """TOOL-15: admin+; removing a non-maintainer is a validation error."""

    async def __call__(
        self, actor: User, *, tool_id: UUID, user_id: UUID, reason: str | None = None
    ) -> None:
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            require_admin(actor)
            tool = await require_tool(uow, tool_id)
            if not await uow.tools.is_maintainer(tool.id, user_id):
                raise validation_error(
                    "The user is not a maintainer of this tool", user_id=str(user_id)
                )
            await uow.tools.remove_maintainer(tool.id, user_id)
            target = await uow.users.get(user_id)
            await self._audit(
                uow,
                actor,
                AuditAction.MAINTAINER_REMOVED,
                SubjectType.TOOL,
                tool.id,
                user_id=str(user_id),
                email=target.email if target else None,
                reason=clean_maintainer_reason(reason),
            )
            await uow.commit()
