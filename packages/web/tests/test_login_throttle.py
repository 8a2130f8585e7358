"""Issue 9 item 4 (ID-12): login throttling counts failures per (account, client address) with
growing delays, so wrong passwords from one address never lock the owner out from another; a
looser per-address cap stops one address trying many accounts; API tokens are unaffected."""

from __future__ import annotations

from skriptoteket.domain.identity import Role
from skriptoteket_web.throttle import LoginThrottle

from .conftest import EMAILS, PASSWORD, ManualTime, Site, post_login

TOO_MANY = "För många misslyckade inloggningsförsök."


def test_failures_from_one_address_do_not_block_another() -> None:
    time = ManualTime()
    throttle = LoginThrottle(failures_before_delay=5, max_failures_per_address=20, clock=time)
    for _ in range(12):
        throttle.failed("larare@skolan.se", "203.0.113.9")
    assert throttle.retry_after("larare@skolan.se", "203.0.113.9") > 0
    assert throttle.retry_after("larare@skolan.se", "198.51.100.4") == 0
    assert throttle.retry_after("rektor@skolan.se", "203.0.113.9") == 0  # under the address cap


def test_delays_grow_from_one_second_to_the_cap() -> None:
    time = ManualTime()
    throttle = LoginThrottle(
        failures_before_delay=5, max_delay_seconds=900, max_failures_per_address=1000, clock=time
    )
    waits = []
    for _ in range(16):
        wait = throttle.retry_after("a@skolan.se", "203.0.113.9")
        waits.append(wait)
        time.advance(wait)
        throttle.failed("a@skolan.se", "203.0.113.9")
    # Five free failures, then 1 s, 2 s, 4 s … capped at 15 minutes.
    assert waits == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    assert throttle.retry_after("a@skolan.se", "203.0.113.9") == 900


def test_a_success_from_the_address_clears_only_that_pair() -> None:
    time = ManualTime()
    throttle = LoginThrottle(failures_before_delay=2, clock=time)
    for address in ("203.0.113.9", "198.51.100.4"):
        for _ in range(2):
            throttle.failed("a@skolan.se", address)
    time.advance(1)
    throttle.succeeded("a@skolan.se", "198.51.100.4")
    throttle.failed("a@skolan.se", "198.51.100.4")
    assert throttle.retry_after("a@skolan.se", "198.51.100.4") == 0
    throttle.failed("a@skolan.se", "203.0.113.9")
    assert throttle.retry_after("a@skolan.se", "203.0.113.9") == 2


def test_login_page_waits_growing_delays_in_swedish(site: Site) -> None:
    """The site's throttle: 3 free failures, then 1 s, 2 s, … (6 failures from one address
    across accounts is that throttle's address cap, so this stops at 5)."""
    email = EMAILS[Role.USER]
    for _ in range(3):
        assert post_login(site.client, email, "fel-lösenord").status_code == 400
    for expected in (1, 2):
        blocked = post_login(site.client, email, PASSWORD)
        assert blocked.status_code == 429
        assert blocked.headers["retry-after"] == str(expected)
        assert TOO_MANY in blocked.text
        site.time.advance(expected)
        assert post_login(site.client, email, "fel-lösenord").status_code == 400
    site.time.advance(4)
    assert post_login(site.client, email, PASSWORD).status_code == 303


def test_forwarded_for_header_does_not_change_the_address(site: Site) -> None:
    email = EMAILS[Role.USER]
    for n in range(3):
        spoofed = {"X-Forwarded-For": f"198.51.100.{n}"}
        site.client.headers.update(spoofed)
        assert post_login(site.client, email, "fel-lösenord").status_code == 400
    site.client.headers["X-Forwarded-For"] = "198.51.100.77"
    assert post_login(site.client, email, PASSWORD).status_code == 429


def test_api_tokens_work_while_the_address_is_throttled(site: Site) -> None:
    user = site.users[Role.USER]
    issued = site.call(site.core.create_api_token, user, owner_email=user.email, name="skript")
    for n in range(6):
        assert post_login(site.client, f"okand{n}@skolan.se", "fel-lösenord").status_code == 400
    assert post_login(site.client, EMAILS[Role.USER], PASSWORD).status_code == 429
    me = site.client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.secret}"})
    assert me.status_code == 200
    assert me.json()["email"] == user.email
