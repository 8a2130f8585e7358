"""Users, sessions, API tokens and admin nominations (ID-03, ID-14–ID-19, NOM-01–NOM-06)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from skriptoteket.domain.errors import DomainError, ErrorCode, conflict, not_found
from skriptoteket.domain.identity import ApiToken, AuthProvider, Role, Session, User
from skriptoteket.domain.nominations import Nomination, NominationStatus

from skriptoteket_sql.repositories.base import SqlRepository
from skriptoteket_sql.tables import api_tokens, nominations, sessions, users


def user_values(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role.value,
        "auth_provider": user.auth_provider.value,
        "external_id": user.external_id,
        "password_hash": user.password_hash,
        "is_active": user.is_active,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "preferred_language": user.preferred_language,
    }


def user_from_row(row: sa.Row[Any]) -> User:
    m = row._mapping
    return User(
        id=m["id"],
        email=m["email"],
        role=Role(m["role"]),
        auth_provider=AuthProvider(m["auth_provider"]),
        external_id=m["external_id"],
        password_hash=m["password_hash"],
        is_active=bool(m["is_active"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        preferred_language=m["preferred_language"],
    )


class SqlUserRepository(SqlRepository):
    async def get(self, user_id: UUID) -> User | None:
        row = await self._first(sa.select(users).where(users.c.id == user_id))
        return user_from_row(row) if row else None

    async def get_by_email(self, email: str) -> User | None:
        row = await self._first(sa.select(users).where(users.c.email == email))
        return user_from_row(row) if row else None

    async def add(self, user: User) -> None:
        try:
            await self._insert(users, user_values(user))
        except DomainError as error:
            if error.code is ErrorCode.DUPLICATE_ENTRY:
                raise DomainError(
                    ErrorCode.DUPLICATE_ENTRY, "Email already exists", {"email": user.email}
                ) from error
            raise

    async def update(self, user: User) -> None:
        values = user_values(user)
        del values["id"]
        if await self._update_by_id(users, user.id, values) == 0:
            raise not_found("User", user_id=str(user.id))

    async def list(self, *, limit: int = 100, offset: int = 0) -> Sequence[User]:
        stmt = sa.select(users).order_by(users.c.email).limit(limit).offset(offset)
        return [user_from_row(r) for r in await self._rows(stmt)]

    async def count_active(self, role: Role) -> int:
        stmt = (
            sa.select(sa.func.count())
            .select_from(users)
            .where(users.c.is_active.is_(True), users.c.role == role.value)
        )
        return int(await self._scalar(stmt) or 0)


def session_from_row(row: sa.Row[Any]) -> Session:
    m = row._mapping
    return Session(
        id=m["id"],
        user_id=m["user_id"],
        csrf_token=m["csrf_token"],
        created_at=m["created_at"],
        expires_at=m["expires_at"],
        revoked_at=m["revoked_at"],
    )


class SqlSessionRepository(SqlRepository):
    async def add(self, session: Session) -> None:
        await self._insert(
            sessions,
            {
                "id": session.id,
                "user_id": session.user_id,
                "csrf_token": session.csrf_token,
                "created_at": session.created_at,
                "expires_at": session.expires_at,
                "revoked_at": session.revoked_at,
            },
        )

    async def get(self, session_id: UUID) -> Session | None:
        row = await self._first(sa.select(sessions).where(sessions.c.id == session_id))
        return session_from_row(row) if row else None

    async def update(self, session: Session) -> None:
        changed = await self._update_by_id(
            sessions,
            session.id,
            {
                "user_id": session.user_id,
                "csrf_token": session.csrf_token,
                "created_at": session.created_at,
                "expires_at": session.expires_at,
                "revoked_at": session.revoked_at,
            },
        )
        if changed == 0:
            raise DomainError(ErrorCode.SESSION_NOT_FOUND, "Session not found")

    async def delete_expired(self, now: datetime) -> int:
        async with self._db.writing() as conn:
            result = await conn.execute(sessions.delete().where(sessions.c.expires_at <= now))
            return int(result.rowcount)

    async def revoke_for_user(
        self, user_id: UUID, now: datetime, *, keep: UUID | None = None
    ) -> int:
        stmt = sessions.update().where(
            sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None)
        )
        if keep is not None:
            stmt = stmt.where(sessions.c.id != keep)
        async with self._db.writing() as conn:
            result = await conn.execute(stmt.values(revoked_at=now))
            return int(result.rowcount)


def token_values(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "user_id": token.user_id,
        "name": token.name,
        "token_hash": token.token_hash,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


def token_from_row(row: sa.Row[Any]) -> ApiToken:
    m = row._mapping
    return ApiToken(
        id=m["id"],
        user_id=m["user_id"],
        name=m["name"],
        token_hash=m["token_hash"],
        prefix=m["prefix"],
        created_at=m["created_at"],
        last_used_at=m["last_used_at"],
        revoked_at=m["revoked_at"],
    )


class SqlApiTokenRepository(SqlRepository):
    async def add(self, token: ApiToken) -> None:
        await self._insert(api_tokens, token_values(token))

    async def get(self, token_id: UUID) -> ApiToken | None:
        row = await self._first(sa.select(api_tokens).where(api_tokens.c.id == token_id))
        return token_from_row(row) if row else None

    async def get_by_hash(self, token_hash: str) -> ApiToken | None:
        stmt = sa.select(api_tokens).where(api_tokens.c.token_hash == token_hash)
        row = await self._first(stmt)
        return token_from_row(row) if row else None

    async def list_for_user(self, user_id: UUID) -> Sequence[ApiToken]:
        stmt = (
            sa.select(api_tokens)
            .where(api_tokens.c.user_id == user_id)
            .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id.desc())
        )
        return [token_from_row(r) for r in await self._rows(stmt)]

    async def update(self, token: ApiToken) -> None:
        values = token_values(token)
        del values["id"]
        if await self._update_by_id(api_tokens, token.id, values) == 0:
            raise not_found("ApiToken", token_id=str(token.id))


def nomination_values(n: Nomination) -> dict[str, Any]:
    return {
        "id": n.id,
        "nominee_user_id": n.nominee_user_id,
        "nominated_by_user_id": n.nominated_by_user_id,
        "rationale": n.rationale,
        "status": n.status.value,
        "created_at": n.created_at,
        "decided_by_user_id": n.decided_by_user_id,
        "decided_at": n.decided_at,
        "decision_rationale": n.decision_rationale,
    }


def nomination_from_row(row: sa.Row[Any]) -> Nomination:
    m = row._mapping
    return Nomination(
        id=m["id"],
        nominee_user_id=m["nominee_user_id"],
        nominated_by_user_id=m["nominated_by_user_id"],
        rationale=m["rationale"],
        status=NominationStatus(m["status"]),
        created_at=m["created_at"],
        decided_by_user_id=m["decided_by_user_id"],
        decided_at=m["decided_at"],
        decision_rationale=m["decision_rationale"],
    )


class SqlNominationRepository(SqlRepository):
    async def add(self, nomination: Nomination) -> None:
        await self._insert(nominations, nomination_values(nomination))

    async def get(self, nomination_id: UUID) -> Nomination | None:
        row = await self._first(sa.select(nominations).where(nominations.c.id == nomination_id))
        return nomination_from_row(row) if row else None

    async def update(self, nomination: Nomination, *, expected_status: NominationStatus) -> None:
        values = nomination_values(nomination)
        del values["id"]
        changed = await self._update_by_id(
            nominations, nomination.id, values, nominations.c.status == expected_status.value
        )
        if changed:
            return
        current = await self.get(nomination.id)
        if current is None:
            raise not_found("Nomination", nomination_id=str(nomination.id))
        raise conflict(
            "Nomination has already been decided",
            reason="already_decided",
            expected=expected_status.value,
            actual=current.status.value,
        )

    async def list(self, *, status: NominationStatus | None = None) -> Sequence[Nomination]:
        stmt = sa.select(nominations).order_by(
            nominations.c.created_at.desc(), nominations.c.id.desc()
        )
        if status is not None:
            stmt = stmt.where(nominations.c.status == status.value)
        found: builtins.list[Nomination] = [nomination_from_row(r) for r in await self._rows(stmt)]
        return found
