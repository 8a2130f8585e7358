"""Reading the audit log (admin+)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from skriptoteket.application.context import UseCase
from skriptoteket.domain.audit import AuditAction, AuditEntry
from skriptoteket.domain.identity import User
from skriptoteket.domain.policies import require_admin


class ListAuditLog(UseCase):
    async def __call__(
        self,
        actor: User,
        *,
        action: AuditAction | None = None,
        actor_user_id: UUID | None = None,
        subject_id: UUID | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[AuditEntry]:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            require_admin(actor)
            return await uow.audit.list(
                action=action,
                actor_user_id=actor_user_id,
                subject_id=subject_id,
                limit=max(1, min(limit, 1000)),
                offset=max(0, offset),
            )
