"""Issue 9 item 4 (ID-12): login throttling counts failures per (account, client address) with
growing delays, so wrong passwords from one address never lock the owner out from another; a
looser per-address cap stops one address trying many accounts; API tokens are unaffected. The
rules themselves are tested in the core (packages/core/tests/test_login_throttle.py); a wrong
current password on the password-change form counts too (issue 10)."""

from __future__ import annotations

from skriptoteket.domain.identity import Role

from .conftest import EMAILS, PASSWORD, Site, post_login

TOO_MANY = "För många misslyckade inloggningsförsök."


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


def _change_password(site: Site, csrf: str, current: str) -> int:
    form = {
        "csrf_token": csrf,
        "current_password": current,
        "new_password": "Blå-bilar-kör-17",
        "new_password_again": "Blå-bilar-kör-17",
    }
    response = site.client.post("/profile/password", data=form)
    if response.status_code == 429:
        assert "För många felaktiga lösenord." in response.text
        assert int(response.headers["retry-after"]) > 0
    return response.status_code


def test_wrong_current_passwords_on_the_password_form_are_throttled(site: Site) -> None:
    """A stolen session cannot guess the password through the profile form faster than through
    the login form: the same (account, address) pair, the same delays — and the login form
    then waits too."""
    email = EMAILS[Role.USER]
    csrf = site.login(Role.USER)
    for _ in range(3):
        assert _change_password(site, csrf, "fel-lösenord") == 400
    assert _change_password(site, csrf, PASSWORD) == 429  # even the right one must wait
    site.anonymous()
    assert post_login(site.client, email, PASSWORD).status_code == 429
    site.time.advance(1)
    csrf = site.login(Role.USER)
    assert _change_password(site, csrf, PASSWORD) == 303  # the wait is over; success clears
    site.anonymous()
    assert post_login(site.client, email, "fel-lösenord").status_code == 400
    assert post_login(site.client, email, "Blå-bilar-kör-17").status_code == 303
