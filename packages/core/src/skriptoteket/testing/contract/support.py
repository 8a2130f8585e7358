"""Shared helpers for the contract suites."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.ports.repositories import UnitOfWork, UnitOfWorkFactory


async def write(
    factory: UnitOfWorkFactory, action: Callable[[UnitOfWork], Awaitable[object]]
) -> None:
    """Run ``action`` in its own unit of work and commit."""
    async with factory() as uow:
        await action(uow)
        await uow.commit()


async def expect_error(
    codes: set[ErrorCode],
    factory: UnitOfWorkFactory,
    action: Callable[[UnitOfWork], Awaitable[object]],
) -> DomainError:
    """``action`` (plus commit) must fail with one of ``codes``, as a DomainError."""

    async def attempt() -> None:
        async with factory() as uow:
            await action(uow)
            await uow.commit()

    with pytest.raises(DomainError) as info:
        await attempt()
    assert info.value.code in codes, f"{info.value!r} not in {codes}"
    return info.value
