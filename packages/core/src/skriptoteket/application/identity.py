"""Accounts, logins, sessions and API tokens (SPEC-baseline §2.1–§2.4, AMB-16, AMB-17)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from skriptoteket.application.context import UseCase
from skriptoteket.domain.audit import AuditAction, AuditValue, SubjectType
from skriptoteket.domain.errors import DomainError, ErrorCode, conflict, forbidden, not_found
from skriptoteket.domain.identity import (
    ApiToken,
    Role,
    Session,
    User,
    can_provision_local_user,
    deactivated,
    new_local_user,
    normalize_email,
    normalize_token_name,
    reactivated,
    require_at_least_role,
    require_can_change_role,
    require_can_deactivate,
    require_can_manage_tokens_of,
    require_can_reactivate,
    require_login_allowed,
    system_actor,
    validate_password,
    with_role,
)
from skriptoteket.ports.repositories import UnitOfWork

TOKEN_PREFIX = "skt_"
TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_api_token(secret: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is a safe, fast lookup key."""
    return hashlib.sha256(secret.encode()).hexdigest()


async def require_user_by_email(uow: UnitOfWork, email: str) -> User:
    user = await uow.users.get_by_email(normalize_email(email))
    if user is None:
        raise DomainError(
            ErrorCode.USER_NOT_FOUND,
            f"No user with email {email.strip()!r}",
            {"email": email.strip()},
        )
    return user


class _Provisioning(UseCase):
    async def _add_local_user(
        self,
        uow: UnitOfWork,
        actor: User,
        *,
        email: str,
        password: str,
        role: Role,
        duplicate_message: str,
        **audit: AuditValue,
    ) -> User:
        """ID-08/ID-11: one normalized email per account; the creation is audited."""
        if await uow.users.get_by_email(email) is not None:
            raise DomainError(ErrorCode.DUPLICATE_ENTRY, duplicate_message, {"email": email})
        user = new_local_user(
            id=self.deps.ids.new_id(),
            email=email,
            role=role,
            password_hash=self.deps.hasher.hash(password),
            now=self.deps.clock.now(),
        )
        await uow.users.add(user)
        await self._audit(
            uow,
            actor,
            AuditAction.USER_CREATED,
            SubjectType.USER,
            user.id,
            email=user.email,
            role=role.value,
            **audit,
        )
        return user


class CreateLocalUser(_Provisioning):
    """ID-06–ID-11: provisioning by an admin, a superuser or the operator."""

    async def __call__(self, actor: User, *, email: str, password: str, role: Role) -> User:
        clean = normalize_email(email)
        validate_password(password, email=clean)
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            if not can_provision_local_user(actor, role):
                raise forbidden(
                    "Insufficient permissions to provision that user",
                    actor_role=actor.role.value,
                    target_role=role.value,
                )
            user = await self._add_local_user(
                uow,
                actor,
                email=clean,
                password=password,
                role=role,
                duplicate_message="Email already exists",
            )
            await uow.commit()
        return user


class BootstrapSuperuser(_Provisioning):
    """ID-22, AMB-17: the first superuser; refuses when one exists unless ``force``."""

    async def __call__(self, *, email: str, password: str, force: bool = False) -> User:
        clean = normalize_email(email)
        validate_password(password, email=clean)
        actor = system_actor(self.deps.clock.now(), label="bootstrap")
        async with self.deps.uow() as uow:
            if not force and await uow.users.count_active(Role.SUPERUSER) > 0:
                raise conflict("A superuser already exists; use --force to add another")
            user = await self._add_local_user(
                uow,
                actor,
                email=clean,
                password=password,
                role=Role.SUPERUSER,
                duplicate_message="User already exists for that email.",
                bootstrap=True,
            )
            await uow.commit()
        return user


class FindActiveUser(UseCase):
    """Resolve an ``--actor`` email (or any email) to an active account."""

    async def __call__(self, email: str) -> User:
        async with self.deps.uow(readonly=True) as uow:
            user = await require_user_by_email(uow, email)
        if not user.is_active:
            raise DomainError(
                ErrorCode.USER_NOT_FOUND,
                f"User {user.email!r} is deactivated",
                {"email": user.email},
            )
        return user


class ListUsers(UseCase):
    async def __call__(self, actor: User, *, limit: int = 1000, offset: int = 0) -> Sequence[User]:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            require_at_least_role(actor, Role.ADMIN)
            return await uow.users.list(limit=limit, offset=offset)


async def _refuse_last_superuser(uow: UnitOfWork, target: User, *, losing: bool) -> None:
    if (
        losing
        and target.role is Role.SUPERUSER
        and target.is_active
        and await uow.users.count_active(Role.SUPERUSER) <= 1
    ):
        raise conflict(
            "Cannot remove the last active superuser",
            reason="last_superuser",
            email=target.email,
        )


class ChangeUserRole(UseCase):
    """AMB-16, ID-21: role changes by admins (within ID-10) or superusers, always audited."""

    async def __call__(self, actor: User, *, email: str, role: Role) -> User:
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            target = await require_user_by_email(uow, email)
            require_can_change_role(actor, target, role)
            if target.role is role:
                return target
            await _refuse_last_superuser(uow, target, losing=True)
            updated = with_role(target, role, self.deps.clock.now())
            await uow.users.update(updated)
            await self._audit(
                uow,
                actor,
                AuditAction.USER_ROLE_CHANGED,
                SubjectType.USER,
                target.id,
                email=target.email,
                from_role=target.role.value,
                to_role=role.value,
            )
            await uow.commit()
        return updated


class DeactivateUser(UseCase):
    """Users are deactivated, never deleted (AMB-24); their sessions stop resolving (ID-16)."""

    async def __call__(self, actor: User, *, email: str) -> User:
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            target = await require_user_by_email(uow, email)
            require_can_deactivate(actor, target)
            if not target.is_active:
                return target
            await _refuse_last_superuser(uow, target, losing=True)
            updated = deactivated(target, self.deps.clock.now())
            await uow.users.update(updated)
            await self._audit(
                uow,
                actor,
                AuditAction.USER_DEACTIVATED,
                SubjectType.USER,
                target.id,
                email=target.email,
            )
            await uow.commit()
        return updated


class ReactivateUser(UseCase):
    """Undo a deactivation (same rule as deactivating: ``can_manage_user``). Sessions ended by
    the deactivation stay ended; the user logs in again with the same password."""

    async def __call__(self, actor: User, *, email: str) -> User:
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            target = await require_user_by_email(uow, email)
            require_can_reactivate(actor, target)
            if target.is_active:
                return target
            updated = reactivated(target, self.deps.clock.now())
            await uow.users.update(updated)
            await self._audit(
                uow,
                actor,
                AuditAction.USER_REACTIVATED,
                SubjectType.USER,
                target.id,
                email=target.email,
            )
            await uow.commit()
        return updated


@attrs.frozen
class LoginResult:
    user: User
    session: Session


class Login(UseCase):
    """ID-12, ID-14: one error for every failure; a new server-side session on success."""

    async def __call__(self, *, email: str, password: str) -> LoginResult:
        try:
            clean = normalize_email(email)
        except DomainError:
            raise DomainError(ErrorCode.INVALID_CREDENTIALS, "Invalid credentials") from None
        async with self.deps.uow() as uow:
            user = await uow.users.get_by_email(clean)
            ok = bool(
                user
                and user.password_hash
                and self.deps.hasher.verify(user.password_hash, password)
            )
            user = require_login_allowed(user, ok)
            now = self.deps.clock.now()
            session = Session(
                id=self.deps.ids.new_id(),
                user_id=user.id,
                csrf_token=self.deps.tokens.new_token(),
                created_at=now,
                expires_at=now + timedelta(seconds=self.deps.session_ttl_seconds),
            )
            await uow.sessions.add(session)
            await uow.commit()
        return LoginResult(user=user, session=session)


@attrs.frozen
class CurrentSession:
    user: User
    session: Session


class ResolveSession(UseCase):
    """ID-16: anything but a live session of an active user is anonymous (None)."""

    async def __call__(self, session_id: UUID | None) -> CurrentSession | None:
        if session_id is None:
            return None
        async with self.deps.uow(readonly=True) as uow:
            session = await uow.sessions.get(session_id)
            if session is None or not session.is_valid_at(self.deps.clock.now()):
                return None
            user = await uow.users.get(session.user_id)
        if user is None or not user.is_active:
            return None
        return CurrentSession(user=user, session=session)


class Logout(UseCase):
    """ID-18: the CSRF token must match; the session is revoked."""

    async def __call__(self, *, session_id: UUID, csrf_token: str) -> None:
        async with self.deps.uow() as uow:
            session = await uow.sessions.get(session_id)
            if session is None or session.csrf_token != csrf_token:
                raise forbidden("CSRF validation failed", reason="csrf")
            if session.revoked_at is None:
                await uow.sessions.update(attrs.evolve(session, revoked_at=self.deps.clock.now()))
                await uow.commit()


@attrs.frozen
class IssuedToken:
    token: ApiToken
    secret: str


class CreateApiToken(UseCase):
    async def __call__(
        self, actor: User, *, owner_email: str, name: str | None = None
    ) -> IssuedToken:
        token_name = normalize_token_name(name)
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            owner = await require_user_by_email(uow, owner_email)
            require_can_manage_tokens_of(actor, owner)
            if not owner.is_active:
                raise conflict("Cannot issue a token for a deactivated user", email=owner.email)
            secret = TOKEN_PREFIX + self.deps.tokens.new_token()
            token = ApiToken(
                id=self.deps.ids.new_id(),
                user_id=owner.id,
                name=token_name,
                token_hash=hash_api_token(secret),
                prefix=secret[:12],
                created_at=self.deps.clock.now(),
            )
            await uow.tokens.add(token)
            await self._audit(
                uow,
                actor,
                AuditAction.TOKEN_CREATED,
                SubjectType.TOKEN,
                token.id,
                owner=owner.email,
                name=token_name,
            )
            await uow.commit()
        return IssuedToken(token=token, secret=secret)


class ListApiTokens(UseCase):
    async def __call__(self, actor: User) -> Sequence[ApiToken]:
        async with self.deps.uow(readonly=True) as uow:
            actor = await self._actor(uow, actor)
            return await uow.tokens.list_for_user(actor.id)


class RevokeApiToken(UseCase):
    async def __call__(self, actor: User, *, token_id: UUID) -> ApiToken:
        async with self.deps.uow() as uow:
            actor = await self._actor(uow, actor)
            token = await uow.tokens.get(token_id)
            if token is None:
                raise not_found("ApiToken", token_id=str(token_id))
            owner = await uow.users.get(token.user_id)
            if owner is None:
                raise not_found("User")
            try:
                require_can_manage_tokens_of(actor, owner)
            except DomainError:
                raise not_found("ApiToken", token_id=str(token_id)) from None
            if token.revoked_at is not None:
                return token
            revoked = attrs.evolve(token, revoked_at=self.deps.clock.now())
            await uow.tokens.update(revoked)
            await self._audit(
                uow,
                actor,
                AuditAction.TOKEN_REVOKED,
                SubjectType.TOKEN,
                token.id,
                owner=owner.email,
                name=token.name,
            )
            await uow.commit()
        return revoked


class AuthenticateApiToken(UseCase):
    """A bearer token resolves to its active owner, or None; last use is recorded (at most once
    per ``TOKEN_LAST_USED_RESOLUTION``). Reads in a read-only unit of work and writes only when
    the time is due: a writing one per API call serialised every call on SQLite's write lock."""

    async def __call__(self, secret: str) -> User | None:
        if not secret.startswith(TOKEN_PREFIX):
            return None
        async with self.deps.uow(readonly=True) as uow:
            token = await uow.tokens.get_by_hash(hash_api_token(secret))
            if token is None or not token.is_active:
                return None
            user = await uow.users.get(token.user_id)
            if user is None or not user.is_active:
                return None
        now = self.deps.clock.now()
        if _last_use_due(token.last_used_at, now):
            async with self.deps.uow() as uow:
                current = await uow.tokens.get(token.id)
                if current is not None and _last_use_due(current.last_used_at, now):
                    await uow.tokens.update(attrs.evolve(current, last_used_at=now))
                    await uow.commit()
        return user


def _last_use_due(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= TOKEN_LAST_USED_RESOLUTION
