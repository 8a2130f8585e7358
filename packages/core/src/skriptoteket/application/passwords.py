"""Passwords after provisioning: changing one's own, and an admin or superuser setting a new one
for someone else (issue 9 item 8; the password policy of ``domain.identity``).

Sessions: a change ends every other session of that user — the one it is made from stays, so
the person is not logged out of the page they are on; a password *set* by someone else ends all
of the user's sessions (whoever knew the old password is out). API tokens are separate
credentials and stay valid; revoke them on the profile page. The audit row never holds a
password or a hash, only the e-mail and how many sessions were ended."""

from __future__ import annotations

from uuid import UUID

from skriptoteket.application.context import UseCase
from skriptoteket.application.identity import require_user_by_email
from skriptoteket.domain.audit import AuditAction, SubjectType
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.identity import (
    User,
    normalize_email,
    require_can_set_password,
    require_local_password,
    require_real_user,
    validate_password,
    with_password_hash,
)
from skriptoteket.ports.repositories import UnitOfWork


class ChangeOwnPassword(UseCase):
    """The actor changes their own password: the current one must match; ``keep_session_id``
    (the session the change is made from, if any) stays logged in, every other one ends.

    The slow Argon2 work (verify, hash) happens between a read and the writing unit of work, so
    it never holds SQLite's write lock; a password changed in between is a CONFLICT."""

    async def __call__(
        self,
        actor: User,
        *,
        current_password: str,
        new_password: str,
        keep_session_id: UUID | None = None,
    ) -> User:
        require_real_user(actor)
        async with self.deps.uow(readonly=True) as uow:
            user = await self._actor(uow, actor)
        require_local_password(user)
        if not (
            user.password_hash and self.deps.hasher.verify(user.password_hash, current_password)
        ):
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                "The current password is wrong",
                {"field": "current_password"},
                reason="current_password_wrong",
            )
        validate_password(new_password, email=user.email)
        if new_password == current_password:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                "The new password is the same as the current one",
                {"field": "new_password"},
                reason="password_unchanged",
            )
        new_hash = self.deps.hasher.hash(new_password)
        async with self.deps.uow() as uow:
            stored = await self._actor(uow, actor)
            _require_unchanged(stored, user)
            now = self.deps.clock.now()
            updated = with_password_hash(stored, new_hash, now)
            await uow.users.update(updated)
            ended = await uow.sessions.revoke_for_user(user.id, now, keep=keep_session_id)
            await self._audit(
                uow,
                stored,
                AuditAction.USER_PASSWORD_CHANGED,
                SubjectType.USER,
                user.id,
                email=user.email,
                sessions_ended=ended,
            )
            await uow.commit()
        return updated


class SetUserPassword(UseCase):
    """An admin (users and contributors), a superuser or the operator (anyone) sets a new
    password for another account; all of that account's sessions end."""

    async def __call__(self, actor: User, *, email: str, password: str) -> User:
        async with self.deps.uow(readonly=True) as uow:
            await self._allowed_target(uow, actor, email)
        validate_password(password, email=normalize_email(email))
        new_hash = self.deps.hasher.hash(password)
        async with self.deps.uow() as uow:  # checked again: roles may have changed meanwhile
            actor, target = await self._allowed_target(uow, actor, email)
            now = self.deps.clock.now()
            updated = with_password_hash(target, new_hash, now)
            await uow.users.update(updated)
            ended = await uow.sessions.revoke_for_user(target.id, now)
            await self._audit(
                uow,
                actor,
                AuditAction.USER_PASSWORD_SET,
                SubjectType.USER,
                target.id,
                email=target.email,
                sessions_ended=ended,
            )
            await uow.commit()
        return updated

    async def _allowed_target(self, uow: UnitOfWork, actor: User, email: str) -> tuple[User, User]:
        actor = await self._actor(uow, actor)
        target = await require_user_by_email(uow, email)
        require_can_set_password(actor, target)
        require_local_password(target)
        return actor, target


def _require_unchanged(stored: User, read: User) -> None:
    if stored.password_hash != read.password_hash:
        raise DomainError(
            ErrorCode.CONFLICT,
            "The password was changed meanwhile; try again",
            {"email": stored.email},
            reason="password_changed_meanwhile",
        )
