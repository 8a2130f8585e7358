"""ID-12 (issue 9 item 4, issue 10): the login throttle's rules through the core's use cases
over a real store — growing delays per (account, address), a per-address cap across accounts,
a success clears only its pair, and the records never grow without bound."""

from __future__ import annotations

from skriptoteket.application.container import Skriptoteket
from skriptoteket.application.login_throttle import address_key, pair_key
from skriptoteket.builtin.memory.uow import MemoryStore
from skriptoteket.domain.login_throttle import ThrottlePolicy
from skriptoteket.testing.fakes import FakeClock
from skriptoteket.testing.world import make_app

ADDRESS, OTHER = "203.0.113.9", "198.51.100.4"


def _app() -> tuple[Skriptoteket, FakeClock, MemoryStore]:
    store, clock = MemoryStore.seeded(), FakeClock()
    return make_app(store, clock), clock, store


async def test_failures_from_one_address_do_not_block_another() -> None:
    app, _, _ = _app()
    policy = ThrottlePolicy(failures_before_delay=5, max_failures_per_address=20)
    for _ in range(12):
        await app.record_login_failure(policy, account="larare@skolan.se", address=ADDRESS)
    assert await app.login_retry_after(policy, account="larare@skolan.se", address=ADDRESS) > 0
    assert await app.login_retry_after(policy, account="larare@skolan.se", address=OTHER) == 0
    # Under the address cap, another account from the same address may still try.
    assert await app.login_retry_after(policy, account="rektor@skolan.se", address=ADDRESS) == 0


async def test_delays_grow_from_one_second_to_the_cap() -> None:
    app, clock, _ = _app()
    policy = ThrottlePolicy(
        failures_before_delay=5, max_delay_seconds=900, max_failures_per_address=1000
    )
    waits = []
    for _ in range(16):
        wait = await app.login_retry_after(policy, account="a@skolan.se", address=ADDRESS)
        waits.append(wait)
        clock.advance(wait)
        await app.record_login_failure(policy, account="a@skolan.se", address=ADDRESS)
    # Five free failures, then 1 s, 2 s, 4 s … capped at 15 minutes.
    assert waits == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    assert await app.login_retry_after(policy, account="a@skolan.se", address=ADDRESS) == 900


async def test_a_success_from_the_address_clears_only_that_pair() -> None:
    app, clock, _ = _app()
    policy = ThrottlePolicy(failures_before_delay=2)
    for address in (ADDRESS, OTHER):
        for _ in range(2):
            await app.record_login_failure(policy, account="a@skolan.se", address=address)
    clock.advance(1)
    await app.clear_login_failures(account="a@skolan.se", address=OTHER)
    await app.record_login_failure(policy, account="a@skolan.se", address=OTHER)
    assert await app.login_retry_after(policy, account="a@skolan.se", address=OTHER) == 0
    await app.record_login_failure(policy, account="a@skolan.se", address=ADDRESS)
    assert await app.login_retry_after(policy, account="a@skolan.se", address=ADDRESS) == 2


async def test_the_address_cap_waits_for_the_oldest_failure_to_leave_the_window() -> None:
    app, clock, _ = _app()
    policy = ThrottlePolicy(failures_before_delay=100, max_failures_per_address=3)
    for n in range(3):
        await app.record_login_failure(policy, account=f"{n}@skolan.se", address=ADDRESS)
        clock.advance(10)
    # The first failure was 30 s ago; it leaves the 900 s window in 870 s.
    assert await app.login_retry_after(policy, account="ny@skolan.se", address=ADDRESS) == 870
    assert await app.login_retry_after(policy, account="ny@skolan.se", address=OTHER) == 0
    clock.advance(870)
    assert await app.login_retry_after(policy, account="ny@skolan.se", address=ADDRESS) == 0


async def test_a_quiet_pair_is_forgotten_after_its_delay_plus_the_window() -> None:
    app, clock, store = _app()
    policy = ThrottlePolicy(failures_before_delay=1, window_seconds=60)
    accounts = ("a@skolan.se", "b@skolan.se")
    for _ in range(3):  # waits 0, 1, 2; after the third failure the delay is 4 s
        for account in accounts:
            clock.advance(await app.login_retry_after(policy, account=account, address=ADDRESS))
            await app.record_login_failure(policy, account=account, address=ADDRESS)
    clock.advance(63)  # a: quiet for 63 s < 4 s + 60 s, so the count goes on: 8 s
    await app.record_login_failure(policy, account="a@skolan.se", address=ADDRESS)
    assert await app.login_retry_after(policy, account="a@skolan.se", address=ADDRESS) == 8
    clock.advance(1)  # b: quiet for 64 s, forgotten: the failure is its first again (1 s)
    await app.record_login_failure(policy, account="b@skolan.se", address=ADDRESS)
    assert await app.login_retry_after(policy, account="b@skolan.se", address=ADDRESS) == 1
    assert store.state.login_failures[pair_key("b@skolan.se", ADDRESS)].failures == 1


async def test_records_are_bounded_and_keys_hold_no_clear_text() -> None:
    """An attacker trying many addresses cannot grow the table past ``max_records``; expired
    records go at the next failure."""
    app, clock, store = _app()
    policy = ThrottlePolicy(max_records=10, window_seconds=60)
    for n in range(40):
        await app.record_login_failure(policy, account=f"{n}@skolan.se", address=f"10.0.0.{n}")
        assert len(store.state.login_failures) <= 10
        clock.advance(1)
    newest = address_key("10.0.0.39")
    assert newest in store.state.login_failures  # the latest are the ones kept
    assert all(len(k) == 64 and "@" not in k for k in store.state.login_failures)
    clock.advance(60)  # the newest record expires 60 s after the last failure
    await app.record_login_failure(policy, account="x@skolan.se", address=OTHER)
    assert set(store.state.login_failures) == {
        pair_key("x@skolan.se", OTHER),
        address_key(OTHER),
    }
