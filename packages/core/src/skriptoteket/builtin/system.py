"""Default system services: UTC clock, UUID4 ids, argon2id hashing, ``secrets`` tokens."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

import argon2


class UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Uuid4Generator:
    def new_id(self) -> uuid.UUID:
        return uuid.uuid4()


class Argon2PasswordHasher:
    """ID-09: argon2-cffi defaults (argon2id); verify never raises."""

    def __init__(self, hasher: argon2.PasswordHasher | None = None) -> None:
        self._hasher = hasher or argon2.PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (
            argon2.exceptions.VerificationError,
            argon2.exceptions.InvalidHashError,
            ValueError,
        ):
            return False


class SecretsTokenGenerator:
    def new_token(self) -> str:
        return secrets.token_urlsafe(32)
