"""Login throttling over the database (``domain.login_throttle`` holds the rules): every web
process and machine on one database counts the same failures. The login form and the
password-change form (a wrong *current* password) both use it, with the same (account, address)
pairs, so neither is a way around the other.

Keys are SHA-256 digests of the account and the client address: the table holds no e-mail
address or IP address in clear, and every key has the same short length whatever was typed.
Times come from the core's clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from skriptoteket.application.context import UseCase
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.login_throttle import ThrottlePolicy, whole_seconds
from skriptoteket.ports.repositories import UnitOfWork

ATTEMPTS = 3  # two processes inserting the first record of one key at once: one retries


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def pair_key(account: str, address: str) -> str:
    return _digest("pair", address, account)


def address_key(address: str) -> str:
    return _digest("address", address)


class LoginRetryAfter(UseCase):
    """Seconds until a password may be tried again for ``account`` from ``address`` (0: go
    ahead)."""

    async def __call__(self, policy: ThrottlePolicy, *, account: str, address: str) -> int:
        now = self.deps.clock.now()
        async with self.deps.uow(readonly=True) as uow:
            pair = await uow.login_failures.get(pair_key(account, address))
            by_address = await uow.login_failures.get(address_key(address))
        wait = max(policy.pair_wait(pair, now), policy.address_wait(by_address, now))
        return whole_seconds(wait)


class RecordLoginFailure(UseCase):
    """A wrong password for ``account`` from ``address``: the pair's delay grows and the address
    uses one more of its failures in the window. Then, in a transaction of its own (so it never
    waits for a row while holding these two), expired records go and the table is cut to
    ``policy.max_records``."""

    async def __call__(self, policy: ThrottlePolicy, *, account: str, address: str) -> None:
        now = self.deps.clock.now()

        async def record(uow: UnitOfWork) -> None:
            repo = uow.login_failures
            for key, failed in (
                (pair_key(account, address), policy.pair_failed),
                (address_key(address), policy.address_failed),
            ):
                found = await repo.get(key, lock=True)
                await repo.put(failed(key, found, now), new=found is None)

        async def prune(uow: UnitOfWork) -> None:
            await uow.login_failures.prune(now, keep=policy.max_records)

        await self._write(record)
        await self._write(prune)

    async def _write(self, work: Callable[[UnitOfWork], Awaitable[None]]) -> None:
        """``work`` in a committed unit of work, again when another process wrote the same row
        at the same moment (a duplicate first insert, a deadlock)."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                async with self.deps.uow() as uow:
                    await work(uow)
                    await uow.commit()
                return
            except DomainError as error:
                retry = error.code in (ErrorCode.DUPLICATE_ENTRY, ErrorCode.CONFLICT)
                if not retry or attempt == ATTEMPTS:
                    raise


class ClearLoginFailures(UseCase):
    """The right password for ``account`` from ``address``: that pair starts afresh (the
    address keeps its failures in the window)."""

    async def __call__(self, *, account: str, address: str) -> None:
        async with self.deps.uow() as uow:
            await uow.login_failures.delete(pair_key(account, address))
            await uow.commit()
