"""What every use case needs: the unit-of-work factory and the system services."""

from __future__ import annotations

from uuid import UUID

import attrs

from skriptoteket.domain.audit import AuditAction, AuditValue, SubjectType, audit_entry
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import User
from skriptoteket.ports.repositories import UnitOfWork, UnitOfWorkFactory
from skriptoteket.ports.system import Clock, IdGenerator, PasswordHasher, TokenGenerator


@attrs.frozen
class Deps:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    hasher: PasswordHasher
    tokens: TokenGenerator
    session_ttl_seconds: int = 604800


@attrs.frozen
class UseCase:
    deps: Deps

    async def _actor(self, uow: UnitOfWork, actor: User) -> User:
        """Re-read the actor inside the transaction, so a stale or forged ``User`` object
        cannot carry a role it no longer has (ID-05). The system operator is taken as given."""
        if actor.is_system:
            return actor
        stored = await uow.users.get(actor.id)
        if stored is None or not stored.is_active:
            raise DomainError(ErrorCode.UNAUTHORIZED, "The acting user is unknown or inactive")
        return stored

    async def _audit(
        self,
        uow: UnitOfWork,
        actor: User,
        action: AuditAction,
        subject_type: SubjectType,
        subject_id: UUID,
        **details: AuditValue,
    ) -> None:
        await uow.audit.append(
            audit_entry(
                id=self.deps.ids.new_id(),
                now=self.deps.clock.now(),
                actor=actor,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                **details,
            )
        )
