"""R1–R3 login and logout (ID-12–ID-18), sessions (ID-16, a new session id at every login) and
login throttling (429 per account and client address, and per address; allowed again later)."""

from __future__ import annotations

import uuid

from skriptoteket.domain.identity import Role

from .conftest import COOKIE, EMAILS, PASSWORD, Site, post_login


def _login(site: Site, email: str, password: str = PASSWORD) -> int:
    response = post_login(site.client, email, password)
    return response.status_code


def test_login_page_texts_UI_06(site: Site) -> None:
    page = site.client.get("/login")
    assert page.status_code == 200
    for text in ("Logga in", "E-post", "Lösenord"):
        assert text in page.text


def test_login_sets_session_cookie_and_redirects_home_ID_14_ID_15(site: Site) -> None:
    response = post_login(site.client, "  LARARE@skolan.se ", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "Max-Age=604800" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    home = site.client.get("/")
    assert home.status_code == 200
    assert "Inloggad som <strong>larare@skolan.se</strong> (Användare)." in home.text
    assert "Öppna verktygskatalogen (yrke → kategori → verktyg)." in home.text


def test_wrong_password_rerenders_with_one_message_ID_12_ID_13(site: Site) -> None:
    for email, password in [
        (EMAILS[Role.USER], "fel-lösenord"),
        ("okand@skolan.se", PASSWORD),
        ("inte-en-adress", PASSWORD),
    ]:
        response = post_login(site.client, email, password)
        assert response.status_code == 400
        assert "Fel e-post eller lösenord." in response.text
        assert COOKIE not in response.headers.get("set-cookie", "")


def test_deactivated_user_cannot_log_in_and_session_ends_ID_12_ID_16(site: Site) -> None:
    site.login(Role.USER)
    assert site.client.get("/").status_code == 200
    site.call(site.core.deactivate_user, site.users[Role.ADMIN], email=EMAILS[Role.USER])
    assert site.client.get("/").status_code == 303
    site.anonymous()
    assert _login(site, EMAILS[Role.USER]) == 400


def test_every_login_gets_a_new_session_and_the_old_one_ends(site: Site) -> None:
    csrf = site.login(Role.USER)
    first = site.client.cookies[COOKIE]
    again = post_login(site.client, EMAILS[Role.USER], PASSWORD, csrf_token=csrf)
    assert again.status_code == 303
    second = again.cookies[COOKIE]
    assert second != first
    assert site.call(site.core.resolve_session, uuid.UUID(first)) is None
    assert site.call(site.core.resolve_session, uuid.UUID(second)) is not None


def test_logged_in_user_visiting_login_goes_home(site: Site) -> None:
    site.login(Role.USER)
    response = site.client.get("/login")
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_garbage_or_unknown_cookie_is_anonymous_ID_16(site: Site) -> None:
    for value in ("inte-ett-uuid", str(uuid.uuid4())):
        site.client.cookies.set(COOKIE, value)
        response = site.client.get("/")
        assert response.status_code == 303
        assert response.headers["location"] == "/login"


def test_expired_session_is_anonymous_ID_16(site: Site) -> None:
    site.login(Role.USER)
    site.core.deps.clock.advance(604800)  # type: ignore[attr-defined]
    assert site.client.get("/").status_code == 303


def test_logout_revokes_the_session_and_deletes_the_cookie_ID_18(site: Site) -> None:
    csrf = site.login(Role.USER)
    session_id = site.client.cookies[COOKIE]
    response = site.client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert f'{COOKIE}=""' in response.headers["set-cookie"]
    assert site.call(site.core.resolve_session, uuid.UUID(session_id)) is None
    site.client.cookies.set(COOKIE, session_id)
    assert site.client.get("/").status_code == 303


def test_logout_without_cookie_goes_to_login_ID_18(site: Site) -> None:
    response = site.client.post("/logout", data={"csrf_token": "x"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_logout_with_unknown_session_is_403_ID_18(site: Site) -> None:
    site.client.cookies.set(COOKIE, str(uuid.uuid4()))
    response = site.client.post("/logout", data={"csrf_token": "x"})
    assert response.status_code == 403
    assert "Sidan har gått ut. Ladda om den och försök igen." in response.text


def test_too_many_failures_for_an_account_answer_429_then_allow_after_window(
    site: Site,
) -> None:
    email = EMAILS[Role.USER]
    for _ in range(3):
        assert _login(site, email, "fel-lösenord") == 400
    blocked = post_login(site.client, email, PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "För många misslyckade inloggningsförsök." in blocked.text
    # Other accounts are not locked out by one account's failures.
    assert _login(site, EMAILS[Role.ADMIN]) == 303
    site.time.advance(61)
    site.anonymous()
    assert _login(site, email) == 303


def test_too_many_failures_from_one_address_answer_429(site: Site) -> None:
    for n in range(6):
        assert _login(site, f"okand{n}@skolan.se", "fel-lösenord") == 400
    assert _login(site, EMAILS[Role.ADMIN]) == 429
    site.time.advance(61)
    assert _login(site, EMAILS[Role.ADMIN]) == 303


def test_success_clears_the_account_failures(site: Site) -> None:
    email = EMAILS[Role.USER]
    for _ in range(2):
        assert _login(site, email, "fel-lösenord") == 400
    assert _login(site, email) == 303
    site.anonymous()
    for _ in range(2):
        assert _login(site, email, "fel-lösenord") == 400
    assert _login(site, email) == 303
