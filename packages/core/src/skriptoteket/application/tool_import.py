"""Bringing a tool in from a folder (``skriptoteket tools import``; CLI-06 semantics): the tool
is created or its metadata synced, and new code goes through the normal governance path —
draft → review → publish — with every step audited. Idempotent: the same folder twice
changes nothing the second time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from skriptoteket.application import tools, versions
from skriptoteket.application.context import UseCase
from skriptoteket.domain.identity import User
from skriptoteket.domain.input_schema import parse_input_schema
from skriptoteket.domain.policies import require_admin
from skriptoteket.domain.tools import Tool, clean_slug, require_real_slug
from skriptoteket.domain.versions import ToolVersion, clean_entrypoint, compute_content_hash


@attrs.frozen
class ToolPackage:
    """A tool as a folder holds it (``tool.toml`` + ``script.py``), as plain data."""

    slug: str
    title: str
    summary: str | None
    professions: tuple[str, ...]
    categories: tuple[str, ...]
    source_code: str
    entrypoint: str = "run_tool"
    input_schema: Mapping[str, Any] | None = None

    @property
    def contract_version(self) -> int:
        return 1 if self.input_schema is None else 2


@attrs.frozen
class ImportOutcome:
    tool: Tool
    created: bool
    new_version: ToolVersion | None
    published_now: bool


class ImportTool(UseCase):
    """Admin+ only (TOOL-09). Each step is its own use case, so each is checked and audited."""

    async def __call__(
        self, actor: User, *, package: ToolPackage, publish: bool = False
    ) -> ImportOutcome:
        deps = self.deps
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            require_admin(actor)
            tool = await uow.tools.get_by_slug(package.slug.strip().lower())
            active = (
                await uow.versions.get(tool.active_version_id)
                if tool and tool.active_version_id
                else None
            )
        if publish and (tool is None or tool.first_published_at is None):
            # AMB-20: refuse before anything is written, not after draft → review → publish.
            require_real_slug(clean_slug(package.slug))
        created = tool is None
        if tool is None:
            tool = await tools.CreateTool(deps)(
                actor,
                slug=package.slug,
                title=package.title,
                summary=package.summary,
                professions=package.professions,
                categories=package.categories,
            )
        else:
            tool = await tools.UpdateTool(deps)(
                actor,
                tool_id=tool.id,
                title=package.title,
                summary=package.summary,
                clear_summary=package.summary is None,
                professions=package.professions,
                categories=package.categories,
            )
        schema = None if package.input_schema is None else parse_input_schema(package.input_schema)
        wanted = compute_content_hash(
            clean_entrypoint(package.entrypoint), package.source_code, schema
        )
        new_version = None
        if active is None or active.content_hash != wanted:
            first = active is None
            draft = await versions.CreateDraftVersion(deps)(
                actor,
                tool_id=tool.id,
                source_code=package.source_code,
                entrypoint=package.entrypoint,
                input_schema=schema,
                derived_from_version_id=active.id if active else None,
                change_summary="Importerad från mapp" if first else "Uppdaterad från mapp",
            )
            await versions.SubmitForReview(deps)(
                actor, version_id=draft.id, review_note="Automatiskt inskickad vid import."
            )
            result = await versions.PublishVersion(deps)(
                actor,
                version_id=draft.id,
                change_summary="Publicerad vid import" if first else "Publicerad vid uppdatering",
            )
            new_version = result.new_active
        published_now = False
        if publish:
            current = await tools.GetTool(deps)(actor, tool_id=tool.id)
            published_now = not current.is_published
            await tools.SetToolPublished(deps)(actor, tool_id=tool.id, published=True)
        tool = await tools.GetTool(deps)(actor, tool_id=tool.id)
        return ImportOutcome(
            tool=tool, created=created, new_version=new_version, published_now=published_now
        )
