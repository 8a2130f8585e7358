"""Injected system services, so tests are deterministic (ARCH-11)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class IdGenerator(Protocol):
    def new_id(self) -> UUID: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """False on a mismatch or a malformed hash; never raises (ID-09)."""
        ...


class TokenGenerator(Protocol):
    def new_token(self) -> str:
        """A URL-safe secret with at least 256 bits of entropy."""
        ...
