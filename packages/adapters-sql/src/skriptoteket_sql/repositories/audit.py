"""The append-only audit log (GOV-06, AMB-28). The database refuses UPDATE and DELETE."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from skriptoteket.domain.audit import AuditAction, AuditEntry, SubjectType

from skriptoteket_sql.repositories.base import SqlRepository
from skriptoteket_sql.tables import audit_log


def entry_from_row(row: sa.Row[Any]) -> AuditEntry:
    m = row._mapping
    return AuditEntry(
        id=m["id"],
        occurred_at=m["occurred_at"],
        actor_user_id=m["actor_user_id"],
        actor_label=m["actor_label"],
        action=AuditAction(m["action"]),
        subject_type=SubjectType(m["subject_type"]),
        subject_id=m["subject_id"],
        details=dict(m["details"]),
    )


class SqlAuditLogRepository(SqlRepository):
    async def append(self, entry: AuditEntry) -> None:
        await self._insert(
            audit_log,
            {
                "id": entry.id,
                "occurred_at": entry.occurred_at,
                "actor_user_id": entry.actor_user_id,
                "actor_label": entry.actor_label,
                "action": entry.action.value,
                "subject_type": entry.subject_type.value,
                "subject_id": entry.subject_id,
                "details": dict(entry.details),
            },
        )

    async def list(
        self,
        *,
        action: AuditAction | None = None,
        actor_user_id: UUID | None = None,
        subject_id: UUID | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[AuditEntry]:
        stmt = (
            sa.select(audit_log)
            .order_by(audit_log.c.occurred_at.desc(), audit_log.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        if action is not None:
            stmt = stmt.where(audit_log.c.action == action.value)
        if actor_user_id is not None:
            stmt = stmt.where(audit_log.c.actor_user_id == actor_user_id)
        if subject_id is not None:
            stmt = stmt.where(audit_log.c.subject_id == subject_id)
        return [entry_from_row(r) for r in await self._rows(stmt)]
