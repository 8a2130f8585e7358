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


class ProcessLiveness(Protocol):
    """Who this process is as the owner of runs, and whether another owner still lives."""

    @property
    def owner(self) -> str:
        """This process's owner string, ``host:pid:start-time``; fixed for its lifetime."""
        ...

    def is_alive(self, owner: str) -> bool | None:
        """True/False for an owner on this host (its pid runs AND started when the owner
        says: a reused pid is another process); None for another host's (unknown here)."""
        ...
