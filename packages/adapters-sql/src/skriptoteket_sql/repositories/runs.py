"""Tool runs (VER-05, VER-20, RUN-32), with keyset pagination for "my runs"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from skriptoteket.domain.errors import conflict, not_found, validation_error
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.domain.runs import Artifact, InputFile, RunContext, RunStatus, ToolRun

from skriptoteket_sql.repositories.base import SqlRepository
from skriptoteket_sql.tables import run_inputs, tool_runs

_PLAIN_FIELDS = (
    "id",
    "tool_id",
    "version_id",
    "requested_by_user_id",
    "created_at",
    "workdir_path",
    "started_at",
    "finished_at",
    "html_output",
    "stdout",
    "stderr",
    "error_summary",
    "owner",
    "worker",
)
_UNFINISHED = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)


def run_values(run: ToolRun) -> dict[str, Any]:
    values = {name: getattr(run, name) for name in _PLAIN_FIELDS}
    values.update(
        context=run.context.value,
        status=run.status.value,
        input_files=[{"name": f.name, "bytes": f.bytes, "field": f.field} for f in run.input_files],
        input_values=dict(run.input_values),
        artifacts=[
            {"artifact_id": a.artifact_id, "path": a.path, "bytes": a.bytes} for a in run.artifacts
        ],
        failure_code=run.failure_code.value if run.failure_code else None,
        failure_details=dict(run.failure_details) if run.failure_code else None,
    )
    return values


def run_from_row(row: sa.Row[Any]) -> ToolRun:
    m = row._mapping
    fields = {name: m[name] for name in _PLAIN_FIELDS}
    return ToolRun(
        context=RunContext(m["context"]),
        status=RunStatus(m["status"]),
        input_files=tuple(
            InputFile(name=f["name"], bytes=f["bytes"], field=f.get("field"))
            for f in m["input_files"]
        ),
        input_values=dict(m["input_values"]),
        artifacts=tuple(
            Artifact(artifact_id=a["artifact_id"], path=a["path"], bytes=a["bytes"])
            for a in m["artifacts"]
        ),
        failure_code=_failure_code(m["failure_code"]),
        failure_details=dict(m["failure_details"] or {}),
        **fields,
    )


def _failure_code(value: str | None) -> RunFailure | None:
    """A code this version does not know (written by a newer one) reads as internal."""
    if value is None:
        return None
    try:
        return RunFailure(value)
    except ValueError:
        return RunFailure.INTERNAL


class SqlToolRunRepository(SqlRepository):
    async def add(self, run: ToolRun) -> None:
        await self._insert(tool_runs, run_values(run))
        self._db.changed_runs.add(run.id)

    async def get(self, run_id: UUID) -> ToolRun | None:
        row = await self._first(sa.select(tool_runs).where(tool_runs.c.id == run_id))
        return run_from_row(row) if row else None

    async def update(self, run: ToolRun, *, expected_status: RunStatus) -> None:
        values = run_values(run)
        del values["id"]
        changed = await self._update_by_id(
            tool_runs, run.id, values, tool_runs.c.status == expected_status.value
        )
        if changed:
            self._db.changed_runs.add(run.id)
            return
        current = await self.get(run.id)
        if current is None:
            raise not_found("ToolRun", run_id=str(run.id))
        raise conflict(
            "The run changed status meanwhile",
            expected=expected_status.value,
            actual=current.status.value,
        )

    async def list_for_user(
        self,
        user_id: UUID,
        *,
        context: RunContext | None = None,
        limit: int = 50,
        before: tuple[datetime, UUID] | None = None,
    ) -> Sequence[ToolRun]:
        """Served by ix_tool_runs_requested_by_created_at_id (keyset, no OFFSET)."""
        stmt = (
            sa.select(tool_runs)
            .where(tool_runs.c.requested_by_user_id == user_id)
            .order_by(tool_runs.c.created_at.desc(), tool_runs.c.id.desc())
            .limit(limit)
        )
        if context is not None:
            stmt = stmt.where(tool_runs.c.context == context.value)
        if before is not None:
            created_at, run_id = before
            stmt = stmt.where(
                sa.tuple_(tool_runs.c.created_at, tool_runs.c.id)
                < sa.tuple_(
                    sa.literal(created_at, tool_runs.c.created_at.type),
                    sa.literal(run_id, tool_runs.c.id.type),
                )
            )
        return [run_from_row(r) for r in await self._rows(stmt)]

    async def list_unfinished(self) -> Sequence[ToolRun]:
        stmt = (
            sa.select(tool_runs)
            .where(tool_runs.c.status.in_(_UNFINISHED))
            .order_by(tool_runs.c.created_at, tool_runs.c.id)
        )
        return [run_from_row(r) for r in await self._rows(stmt)]


class SqlRunInputRepository(SqlRepository):
    async def add(self, run_id: UUID, files: Sequence[tuple[str, bytes]]) -> None:
        if await self._exists(sa.select(run_inputs.c.run_id).where(run_inputs.c.run_id == run_id)):
            raise conflict("The run's inputs are already stored", run_id=str(run_id))
        if not files:
            if not await self._exists(sa.select(tool_runs.c.id).where(tool_runs.c.id == run_id)):
                raise validation_error("Referenced run does not exist", run_id=str(run_id))
            return
        async with self._db.writing() as conn:
            await conn.execute(
                run_inputs.insert(),
                [
                    {"run_id": run_id, "position": i, "name": name, "data": data}
                    for i, (name, data) in enumerate(files)
                ],
            )

    async def list(self, run_id: UUID) -> Sequence[tuple[str, bytes]]:
        stmt = (
            sa.select(run_inputs.c.name, run_inputs.c.data)
            .where(run_inputs.c.run_id == run_id)
            .order_by(run_inputs.c.position)
        )
        return [(row.name, bytes(row.data)) for row in await self._rows(stmt)]

    async def delete(self, run_id: UUID) -> int:
        async with self._db.writing() as conn:
            result = await conn.execute(run_inputs.delete().where(run_inputs.c.run_id == run_id))
            return int(result.rowcount)
