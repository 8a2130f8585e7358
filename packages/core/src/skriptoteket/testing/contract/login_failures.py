"""Contract: login-throttle records (ID-12, issue 10): round trip, replace, delete, and the
bounded table — expired records go, then the soonest-expiring beyond the cap."""

from __future__ import annotations

from skriptoteket.domain.errors import ErrorCode
from skriptoteket.domain.login_throttle import LoginFailures
from skriptoteket.ports.repositories import UnitOfWork, UnitOfWorkFactory
from skriptoteket.testing.contract.support import expect_error, write
from skriptoteket.testing.factories import at


def _record(key: str, expires: int, *recent: int, failures: int = 1) -> LoginFailures:
    times = tuple(at(s) for s in recent) or (at(0),)
    return LoginFailures(key, failures, times, at(expires))


class LoginFailureContract:
    async def test_login_failures_round_trip_replace_and_delete(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        first = LoginFailures("a" * 64, 3, (at(1), at(2.5), at(4)), at(900))
        await write(uow_factory, lambda uow: uow.login_failures.put(first, new=True))
        async with uow_factory(readonly=True) as uow:
            got = await uow.login_failures.get("a" * 64)
            assert got == first
            assert got is not None
            assert all(t.tzinfo is not None for t in got.recent)
            assert await uow.login_failures.get("b" * 64) is None

        replaced = LoginFailures("a" * 64, 4, (at(9),), at(1800))

        async def replace(uow: UnitOfWork) -> None:
            assert await uow.login_failures.get("a" * 64, lock=True) == first
            await uow.login_failures.put(replaced, new=False)

        await write(uow_factory, replace)
        async with uow_factory(readonly=True) as uow:
            assert await uow.login_failures.get("a" * 64) == replaced
        # A second "new" record of one key is refused: two processes that both read "none"
        # must not both write (the later one would replace the earlier one's count).
        await expect_error(
            {ErrorCode.DUPLICATE_ENTRY, ErrorCode.CONFLICT},
            uow_factory,
            lambda uow: uow.login_failures.put(first, new=True),
        )
        async with uow_factory(readonly=True) as uow:
            assert await uow.login_failures.get("a" * 64) == replaced
        await write(uow_factory, lambda uow: uow.login_failures.delete("a" * 64))
        await write(uow_factory, lambda uow: uow.login_failures.delete("a" * 64))  # no error
        async with uow_factory(readonly=True) as uow:
            assert await uow.login_failures.get("a" * 64) is None

    async def test_login_failures_prune_expired_then_beyond_the_cap(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        records = [_record(f"k{n}", expires) for n, expires in enumerate((5, 10, 30, 20, 40))]

        async def add_all(uow: UnitOfWork) -> None:
            for record in records:
                await uow.login_failures.put(record, new=True)

        await write(uow_factory, add_all)
        async with uow_factory() as uow:
            # k0 (5) and k1 (10) expired at 10; of the rest k3 (20) expires soonest.
            assert await uow.login_failures.prune(at(10), keep=2) == 3
            await uow.commit()
        async with uow_factory(readonly=True) as uow:
            left = {k: await uow.login_failures.get(k) for k in ("k0", "k1", "k2", "k3", "k4")}
        assert {k for k, v in left.items() if v is not None} == {"k2", "k4"}
        async with uow_factory() as uow:
            assert await uow.login_failures.prune(at(10), keep=2) == 0
            await uow.commit()
