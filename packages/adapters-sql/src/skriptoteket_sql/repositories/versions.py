"""Tool versions (VER-01–VER-23). The single-active and number rules are enforced by the database
(VER-02, VER-03); a violation, including one caused by a concurrent writer, becomes CONFLICT."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from skriptoteket.domain.errors import conflict, not_found
from skriptoteket.domain.input_schema import parse_input_schema, schema_to_data
from skriptoteket.domain.versions import ToolVersion, VersionState

from skriptoteket_sql.repositories.base import SqlRepository
from skriptoteket_sql.tables import tool_versions

_FIELDS = (
    "id",
    "tool_id",
    "version_number",
    "source_code",
    "entrypoint",
    "content_hash",
    "created_by_user_id",
    "created_at",
    "derived_from_version_id",
    "submitted_for_review_by_user_id",
    "submitted_for_review_at",
    "reviewed_by_user_id",
    "reviewed_at",
    "published_by_user_id",
    "published_at",
    "change_summary",
    "review_note",
)


def version_values(v: ToolVersion) -> dict[str, Any]:
    values = {name: getattr(v, name) for name in _FIELDS}
    values["state"] = v.state.value
    values["input_schema"] = None if v.input_schema is None else schema_to_data(v.input_schema)
    return values


def version_from_row(row: sa.Row[Any]) -> ToolVersion:
    m = row._mapping
    fields = {name: m[name] for name in _FIELDS}
    schema = m["input_schema"]
    return ToolVersion(
        state=VersionState(m["state"]),
        input_schema=None if schema is None else parse_input_schema(schema),
        **fields,
    )


class SqlToolVersionRepository(SqlRepository):
    async def add(self, version: ToolVersion) -> None:
        await self._insert(tool_versions, version_values(version))

    async def get(self, version_id: UUID) -> ToolVersion | None:
        row = await self._first(sa.select(tool_versions).where(tool_versions.c.id == version_id))
        return version_from_row(row) if row else None

    async def update(self, version: ToolVersion, *, expected_state: VersionState) -> None:
        """Compare-and-set on ``state``: a concurrent change is CONFLICT, a missing row
        NOT_FOUND (VER-21)."""
        values = version_values(version)
        del values["id"]
        changed = await self._update_by_id(
            tool_versions, version.id, values, tool_versions.c.state == expected_state.value
        )
        if changed:
            return
        current = await self.get(version.id)
        if current is None:
            raise not_found("ToolVersion", version_id=str(version.id))
        raise conflict(
            "The version changed state meanwhile; reload",
            expected=expected_state.value,
            actual=current.state.value,
        )

    async def list_for_tool(self, tool_id: UUID) -> Sequence[ToolVersion]:
        stmt = (
            sa.select(tool_versions)
            .where(tool_versions.c.tool_id == tool_id)
            .order_by(tool_versions.c.version_number.desc())
        )
        return [version_from_row(r) for r in await self._rows(stmt)]

    async def next_version_number(self, tool_id: UUID) -> int:
        stmt = sa.select(sa.func.max(tool_versions.c.version_number)).where(
            tool_versions.c.tool_id == tool_id
        )
        return int(await self._scalar(stmt) or 0) + 1

    async def get_active(self, tool_id: UUID) -> ToolVersion | None:
        stmt = sa.select(tool_versions).where(
            tool_versions.c.tool_id == tool_id,
            tool_versions.c.state == VersionState.ACTIVE.value,
        )
        row = await self._first(stmt)
        return version_from_row(row) if row else None

    async def get_draft_head(self, tool_id: UUID) -> ToolVersion | None:
        stmt = (
            sa.select(tool_versions)
            .where(
                tool_versions.c.tool_id == tool_id,
                tool_versions.c.state == VersionState.DRAFT.value,
            )
            .order_by(tool_versions.c.version_number.desc())
            .limit(1)
        )
        row = await self._first(stmt)
        return version_from_row(row) if row else None
