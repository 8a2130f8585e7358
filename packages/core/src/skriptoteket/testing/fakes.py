"""Deterministic stand-ins for the system services (ARCH-11) and fault injection for units of
work, for tests of the use cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from skriptoteket.ports.repositories import UnitOfWork, UnitOfWorkFactory
from skriptoteket.testing.factories import T0


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime = T0) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 1.0) -> datetime:
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


class FakePasswordHasher:
    """Fast and obviously fake; ``verify`` never raises, like the real one (ID-09)."""

    PREFIX = "fake$"

    def hash(self, password: str) -> str:
        return self.PREFIX + password[::-1]

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == self.hash(password)


class InjectedFault(Exception):
    """Raised by a faulty repository method (never a DomainError, like a crash would be)."""


Fault = Callable[[UnitOfWork], None]


class _FaultyUnitOfWork:
    def __init__(self, inner: UnitOfWork, fault: Fault) -> None:
        self._inner = inner
        self._fault = fault

    async def __aenter__(self) -> UnitOfWork:
        uow = await self._inner.__aenter__()
        self._fault(uow)
        return uow

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)


class FaultyUnitOfWorkFactory:
    """Wraps a factory; on entering each unit of work, ``fault`` may patch its repositories."""

    def __init__(self, inner: UnitOfWorkFactory, fault: Fault) -> None:
        self._inner = inner
        self._fault = fault

    def __call__(self, *, readonly: bool = False) -> Any:
        return _FaultyUnitOfWork(self._inner(readonly=readonly), self._fault)


def fail_when(
    repo: object, method: str, predicate: Callable[..., bool] = lambda *a, **k: True
) -> None:
    """Patch ``repo.method`` so calls matching ``predicate`` raise ``InjectedFault``."""
    original = getattr(repo, method)

    async def patched(*args: Any, **kwargs: Any) -> Any:
        if predicate(*args, **kwargs):
            raise InjectedFault(f"injected failure in {method}")
        return await original(*args, **kwargs)

    setattr(repo, method, patched)
