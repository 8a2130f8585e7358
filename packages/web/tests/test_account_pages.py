"""Own password on the profile page, an admin setting a password and reactivating on the users
page, and the confirmation step before deactivation (issue 9 item 8; ID-10, ID-16, ID-20)."""

from __future__ import annotations

from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.identity import Role

from .conftest import EMAILS, PASSWORD, Site, post_login

NEW = "Blåbärspaj-2027"


def _audit(site: Site, action: AuditAction) -> list[object]:
    return list(site.call(site.core.list_audit_log, site.users[Role.SUPERUSER], action=action))


def test_change_own_password_keeps_this_session_ends_the_others(site: Site) -> None:
    other = site.call(site.core.login, email=EMAILS[Role.USER], password=PASSWORD).session
    csrf = site.login(Role.USER)
    page = site.client.get("/profile")
    assert "Byt lösenord" in page.text
    assert 'name="current_password"' in page.text
    done = site.client.post(
        "/profile/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW,
            "new_password_again": NEW,
            "csrf_token": csrf,
        },
    )
    assert done.status_code == 303
    shown = site.client.get(done.headers["location"])
    assert shown.status_code == 200  # still logged in here
    assert "Ditt lösenord är bytt. Dina andra inloggningar har loggats ut." in shown.text
    assert site.call(site.core.resolve_session, other.id) is None
    [row] = _audit(site, AuditAction.USER_PASSWORD_CHANGED)
    assert row.actor_user_id == site.users[Role.USER].id  # type: ignore[attr-defined]
    site.client.cookies.clear()
    old = post_login(site.client, EMAILS[Role.USER], PASSWORD)
    assert old.status_code == 400  # the wrong password (not a refused login token)
    new = post_login(site.client, EMAILS[Role.USER], NEW)
    assert new.status_code == 303


def test_change_own_password_errors_in_swedish_and_nothing_changes(site: Site) -> None:
    csrf = site.login(Role.USER)
    cases = [
        ({"current_password": "fel-lösenord-1", "new_password": NEW}, NEW,
         "Det nuvarande lösenordet är fel."),
        ({"current_password": PASSWORD, "new_password": NEW}, NEW + "x",
         "De två nya lösenorden är inte likadana."),
        ({"current_password": PASSWORD, "new_password": "kort"}, "kort",
         "Lösenordet måste vara minst 8 tecken."),
        ({"current_password": PASSWORD, "new_password": PASSWORD}, PASSWORD,
         "Det nya lösenordet måste skilja sig från det nuvarande."),
    ]  # fmt: skip
    for data, again, message in cases:
        response = site.client.post(
            "/profile/password", data={**data, "new_password_again": again, "csrf_token": csrf}
        )
        assert response.status_code == 400, data
        assert message in response.text
    assert _audit(site, AuditAction.USER_PASSWORD_CHANGED) == []
    no_csrf = site.client.post(
        "/profile/password",
        data={"current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW},
    )
    assert no_csrf.status_code == 403
    assert _audit(site, AuditAction.USER_PASSWORD_CHANGED) == []


def test_admin_sets_a_password_within_the_role_rules(site: Site) -> None:
    target = site.add_user(Role.CONTRIBUTOR, "mal@skolan.se")
    theirs = site.call(site.core.login, email=target.email, password=PASSWORD).session
    csrf = site.login(Role.ADMIN)
    page = site.client.get("/admin/users")
    assert "Sätt nytt lösenord" in page.text
    assert 'action="/admin/users/password"' in page.text
    done = site.client.post(
        "/admin/users/password",
        data={"email": target.email, "password": NEW, "password_again": NEW, "csrf_token": csrf},
    )
    assert done.status_code == 303
    assert "Det nya lösenordet är satt." in site.client.get(done.headers["location"]).text
    assert site.call(site.core.resolve_session, theirs.id) is None
    [row] = _audit(site, AuditAction.USER_PASSWORD_SET)
    assert row.actor_user_id == site.users[Role.ADMIN].id  # type: ignore[attr-defined]
    assert row.subject_id == target.id  # type: ignore[attr-defined]
    differ = site.client.post(
        "/admin/users/password",
        data={"email": target.email, "password": NEW, "password_again": "x", "csrf_token": csrf},
    )
    assert differ.status_code == 400
    assert "De två nya lösenorden är inte likadana." in differ.text
    above = site.client.post(
        "/admin/users/password",
        data={"email": EMAILS[Role.SUPERUSER], "password": NEW, "password_again": NEW,
              "csrf_token": csrf},
    )  # fmt: skip
    assert above.status_code == 403
    own = site.client.post(
        "/admin/users/password",
        data={"email": EMAILS[Role.ADMIN], "password": NEW, "password_again": NEW,
              "csrf_token": csrf},
    )  # fmt: skip
    assert own.status_code == 400
    assert "Byt ditt eget lösenord på din profilsida." in own.text
    assert len(_audit(site, AuditAction.USER_PASSWORD_SET)) == 1


def test_one_post_without_confirmation_does_not_deactivate(site: Site) -> None:
    """The confirmation step works without JavaScript: the list links to a confirm page; a POST
    that lacks confirm=yes (a stray or forged single click) only shows that page again."""
    target = site.add_user(Role.USER, "mal@skolan.se")
    csrf = site.login(Role.ADMIN)
    listing = site.client.get("/admin/users")
    link = "/admin/users/deactivate?email=mal%40skolan.se"
    assert f'href="{link}"' in listing.text
    assert '<form method="post" action="/admin/users/deactivate">' not in listing.text
    single = site.client.post(
        "/admin/users/deactivate", data={"email": target.email, "csrf_token": csrf}
    )
    assert single.status_code == 200
    assert "Vill du inaktivera <strong>mal@skolan.se</strong>" in single.text
    still = site.call(site.core.find_active_user, target.email)
    assert still.is_active
    assert _audit(site, AuditAction.USER_DEACTIVATED) == []
    confirm = site.client.get(link)
    assert confirm.status_code == 200
    assert '<input type="hidden" name="confirm" value="yes">' in confirm.text
    assert "Ja, inaktivera mal@skolan.se" in confirm.text
    assert 'href="/admin/users"' in confirm.text  # cancel
    done = site.client.post(
        "/admin/users/deactivate",
        data={"email": target.email, "confirm": "yes", "csrf_token": csrf},
    )
    assert done.status_code == 303
    assert len(_audit(site, AuditAction.USER_DEACTIVATED)) == 1
    unknown = site.client.get("/admin/users/deactivate?email=ingen%40skolan.se")
    assert unknown.status_code == 404


def test_reactivate_button_for_deactivated_users(site: Site) -> None:
    target = site.add_user(Role.USER, "mal@skolan.se")
    site.call(site.core.deactivate_user, site.users[Role.ADMIN], email=target.email)
    csrf = site.login(Role.ADMIN)
    listing = site.client.get("/admin/users")
    assert 'action="/admin/users/reactivate"' in listing.text
    assert "Återaktivera" in listing.text
    done = site.client.post(
        "/admin/users/reactivate", data={"email": target.email, "csrf_token": csrf}
    )
    assert done.status_code == 303
    assert "Användaren är återaktiverad." in site.client.get(done.headers["location"]).text
    assert site.call(site.core.find_active_user, target.email).is_active
    [row] = _audit(site, AuditAction.USER_REACTIVATED)
    assert row.subject_id == target.id  # type: ignore[attr-defined]
    audit_page = site.client.get("/admin/audit", params={"action": "user.reactivated"})
    assert "Användare återaktiverad" in audit_page.text
