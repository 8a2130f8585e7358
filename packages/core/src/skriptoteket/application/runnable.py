"""What the run pages need beyond the catalog: a runnable tool with the input form of its
active version (EXE-01/EXE-02, DESIGN §4), and the names of tools in a user's run history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from uuid import UUID

import attrs

from skriptoteket.application.context import UseCase
from skriptoteket.domain.errors import not_found
from skriptoteket.domain.identity import User, require_real_user
from skriptoteket.domain.input_schema import InputSchema
from skriptoteket.domain.policies import is_admin
from skriptoteket.domain.tools import Tool, is_runnable


@attrs.frozen
class RunnableTool:
    """A tool any user may run, with its active version's id and input schema (None: contract
    1, one file). The source code is not part of it."""

    tool: Tool
    version_id: UUID
    input_schema: InputSchema | None
    contract_version: int


@attrs.frozen
class ToolName:
    id: UUID
    slug: str
    title: str


class GetRunnableTool(UseCase):
    """EXE-01, AMB-21: unknown slug, not published, no or a non-active version → NOT_FOUND."""

    async def __call__(self, actor: User, *, slug: str) -> RunnableTool:
        require_real_user(actor)
        async with self.deps.uow(readonly=True) as uow:
            await self._actor(uow, actor)
            tool = await uow.tools.get_by_slug(slug)
            active = (
                await uow.versions.get(tool.active_version_id)
                if tool and tool.active_version_id
                else None
            )
        if tool is None or active is None or not is_runnable(tool, active):
            raise not_found("Tool", slug=slug)
        return RunnableTool(
            tool=tool,
            version_id=active.id,
            input_schema=active.input_schema,
            contract_version=active.contract_version,
        )


class ListToolNames(UseCase):
    """Titles for a run history: tools that are runnable now, or any tool for an admin or one
    of its maintainers. Others are left out (a depublished tool stays hidden, TOOL-06). One
    query for all the tools of a page, never one per tool."""

    async def __call__(self, actor: User, *, tool_ids: Iterable[UUID]) -> Mapping[UUID, ToolName]:
        require_real_user(actor)
        found: dict[UUID, ToolName] = {}
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            for entry in await uow.tools.list_entries(set(tool_ids)):
                tool = entry.tool
                if not (
                    entry.runnable
                    or is_admin(actor)
                    or await uow.tools.is_maintainer(tool.id, actor.id)
                ):
                    continue
                found[tool.id] = ToolName(id=tool.id, slug=tool.slug, title=tool.title)
        return found
