"""Admin nomination and superuser approval (NOM-01–NOM-07, AMB-29)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from skriptoteket.application.context import UseCase
from skriptoteket.application.identity import require_user_by_email
from skriptoteket.domain.audit import AuditAction, SubjectType
from skriptoteket.domain.errors import not_found, validation_error
from skriptoteket.domain.identity import (
    Role,
    User,
    require_at_least_role,
    require_real_user,
    with_role,
)
from skriptoteket.domain.nominations import (
    Nomination,
    NominationDecision,
    NominationStatus,
    decide_nomination,
    nominate,
)
from skriptoteket.ports.repositories import UnitOfWork


class NominateAdmin(UseCase):
    async def __call__(self, actor: User, *, nominee_email: str, rationale: str) -> Nomination:
        require_real_user(actor)
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            nominee = await require_user_by_email(uow, nominee_email)
            nomination = nominate(
                id=self.deps.ids.new_id(),
                actor=actor,
                nominee=nominee,
                rationale=rationale,
                now=self.deps.clock.now(),
            )
            await uow.nominations.add(nomination)
            await self._audit(
                uow,
                actor,
                AuditAction.NOMINATION_CREATED,
                SubjectType.NOMINATION,
                nomination.id,
                nominee=nominee.email,
            )
            await uow.commit()
        return nomination


class ListNominations(UseCase):
    """NOM-02 (admins see them too, so they can follow their own nominations)."""

    async def __call__(
        self, actor: User, *, status: NominationStatus | None = None
    ) -> Sequence[Nomination]:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            require_at_least_role(actor, Role.ADMIN)
            return await uow.nominations.list(status=status)


class DecideNomination(UseCase):
    """NOM-03–NOM-05: approve makes the nominee admin; deny leaves the role alone."""

    async def __call__(
        self,
        actor: User,
        *,
        nomination_id: UUID,
        decision: NominationDecision,
        rationale: str | None = None,
    ) -> Nomination:
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            nomination = await uow.nominations.get(nomination_id)
            if nomination is None:
                raise not_found("Nomination", nomination_id=str(nomination_id))
            decided = decide_nomination(
                nomination,
                actor=actor,
                decision=decision,
                rationale=rationale,
                now=self.deps.clock.now(),
            )
            await uow.nominations.update(decided, expected_status=NominationStatus.PENDING)
            nominee = await uow.users.get(nomination.nominee_user_id)
            if nominee is None:
                raise not_found("User")
            if decision is NominationDecision.APPROVE and not nominee.is_active:
                raise validation_error(
                    "The nominee has been deactivated and cannot be promoted",
                    field="nominee",
                    email=nominee.email,
                )
            if decision is NominationDecision.APPROVE:
                promoted = await self._promote(uow, actor, nominee)
                email = promoted.email
                action = AuditAction.NOMINATION_APPROVED
            else:
                email = nominee.email
                action = AuditAction.NOMINATION_DENIED
            await self._audit(
                uow, actor, action, SubjectType.NOMINATION, nomination.id, nominee=email
            )
            await uow.commit()
        return decided

    async def _promote(self, uow: UnitOfWork, actor: User, nominee: User) -> User:
        if nominee.role.rank >= Role.ADMIN.rank:
            return nominee
        promoted = with_role(nominee, Role.ADMIN, self.deps.clock.now())
        await uow.users.update(promoted)
        await self._audit(
            uow,
            actor,
            AuditAction.USER_ROLE_CHANGED,
            SubjectType.USER,
            nominee.id,
            email=nominee.email,
            from_role=nominee.role.value,
            to_role=Role.ADMIN.value,
            via="nomination",
        )
        return promoted
