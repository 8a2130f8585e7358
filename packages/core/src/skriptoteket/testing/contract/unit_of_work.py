"""Contract: transactions commit everything or nothing (ARCH-09)."""

from __future__ import annotations

import pytest

from skriptoteket.domain.errors import DomainError
from skriptoteket.ports.repositories import UnitOfWorkFactory
from skriptoteket.testing.factories import make_tool, make_user


class UnitOfWorkContract:
    async def test_leaving_without_commit_rolls_back(self, uow_factory: UnitOfWorkFactory) -> None:
        user = make_user()
        async with uow_factory() as uow:
            await uow.users.add(user)
            assert await uow.users.get(user.id) == user
        async with uow_factory(readonly=True) as uow:
            assert await uow.users.get(user.id) is None

    async def test_failure_half_way_leaves_nothing(self, uow_factory: UnitOfWorkFactory) -> None:
        user, tool = make_user(), make_tool()

        async def attempt() -> None:
            async with uow_factory() as uow:
                await uow.users.add(user)
                await uow.tools.add(tool)
                await uow.tools.add(make_tool(slug=tool.slug))  # fails: duplicate slug
                await uow.commit()

        with pytest.raises(DomainError):
            await attempt()
        async with uow_factory(readonly=True) as uow:
            assert await uow.users.get(user.id) is None
            assert await uow.tools.get(tool.id) is None

    async def test_explicit_rollback_and_reuse_after_commit(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        kept, dropped, later = make_user(), make_user(), make_user()
        async with uow_factory() as uow:
            await uow.users.add(kept)
            await uow.commit()
            await uow.users.add(dropped)
            await uow.rollback()
            await uow.users.add(later)
            await uow.commit()
        async with uow_factory(readonly=True) as uow:
            assert await uow.users.get(kept.id) == kept
            assert await uow.users.get(dropped.id) is None
            assert await uow.users.get(later.id) == later

    async def test_uncommitted_writes_are_invisible_to_others(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        user = make_user()
        async with uow_factory() as writer:
            await writer.users.add(user)
            async with uow_factory(readonly=True) as reader:
                assert await reader.users.get(user.id) is None
            await writer.commit()
        async with uow_factory(readonly=True) as reader:
            assert await reader.users.get(user.id) == user
