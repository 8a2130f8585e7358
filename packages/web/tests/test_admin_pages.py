"""R12–R14 "Testyta" (TOOL-02–TOOL-07), R29 "Mina verktyg" (TOOL-17), user administration
(ID-10, AMB-16), nominations (NOM-01–NOM-07) and the audit log."""

from __future__ import annotations

from skriptoteket.domain.audit import AuditAction
from skriptoteket.domain.identity import Role

from .conftest import Site


def test_admin_tools_list_and_publish_flow_TOOL_07(site: Site) -> None:
    ready = site.tool("Klar att publicera")
    site.activate(ready)
    bare = site.tool("Utan version")
    csrf = site.login(Role.ADMIN)
    page = site.client.get("/admin/tools")
    for text in ("Testyta", "Ej publicerad", "Redigera", "Publicera", "Ingen aktiv version"):
        assert text in page.text
    assert f'href="/admin/tools/{ready.id}"' in page.text
    assert "disabled" in page.text  # the tool without an active version
    done = site.client.post(f"/admin/tools/{ready.id}/publish", data={"csrf_token": csrf})
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/tools?updated=1"
    after = site.client.get("/admin/tools?updated=1")
    assert "Uppdaterat." in after.text
    assert "Avpublicera" in after.text
    assert "Publicerad" in after.text
    refused = site.client.post(f"/admin/tools/{bare.id}/publish", data={"csrf_token": csrf})
    assert refused.status_code == 400
    assert "Verktyget har ingen aktiv version och kan inte publiceras." in refused.text
    off = site.client.post(f"/admin/tools/{ready.id}/depublish", data={"csrf_token": csrf})
    assert off.status_code == 303
    missing = site.client.post(
        "/admin/tools/00000000-0000-0000-0000-000000000001/publish", data={"csrf_token": csrf}
    )
    assert missing.status_code == 404
    assert "Verktyget hittades inte." in missing.text


def test_my_tools_TOOL_17(site: Site) -> None:
    site.login(Role.CONTRIBUTOR)
    assert "Du har inga verktyg att underhålla ännu." in site.client.get("/my-tools").text
    tool = site.tool("Mitt verktyg")
    page = site.client.get("/my-tools")
    assert "Mina verktyg" in page.text
    assert "Mitt verktyg" in page.text
    assert f'href="/admin/tools/{tool.id}"' in page.text


def test_navigation_by_role_UI_02(site: Site) -> None:
    site.login(Role.USER)
    user_nav = site.client.get("/").text
    assert 'href="/browse/">Katalog' in user_nav
    assert "Logga ut" in user_nav
    assert "Mina verktyg" not in user_nav
    assert "Testyta" not in user_nav
    site.login(Role.CONTRIBUTOR)
    contributor_nav = site.client.get("/").text
    assert "Mina verktyg" in contributor_nav
    assert "Föreslå skript" in contributor_nav
    assert "Testyta" not in contributor_nav
    site.login(Role.ADMIN)
    admin_nav = site.client.get("/").text
    assert 'href="/admin/suggestions">Förslag' in admin_nav
    assert "Testyta" in admin_nav


def test_admin_creates_users_within_ID_10(site: Site) -> None:
    csrf = site.login(Role.ADMIN)
    page = site.client.get("/admin/users")
    assert '<option value="contributor"' in page.text
    assert '<option value="admin"' not in page.text  # admins grant user/contributor only
    created = site.client.post(
        "/admin/users",
        data={
            "email": "Ny@Skolan.se",
            "password": "Gröna-äpplen-42",
            "role": "contributor",
            "csrf_token": csrf,
        },
    )
    assert created.status_code == 303
    listed = site.client.get(created.headers["location"])
    assert "Användaren är skapad." in listed.text
    assert "ny@skolan.se" in listed.text
    too_high = site.client.post(
        "/admin/users",
        data={
            "email": "chef@skolan.se",
            "password": "Gröna-äpplen-42",
            "role": "admin",
            "csrf_token": csrf,
        },
    )
    assert too_high.status_code == 403
    assert "Du saknar behörighet för detta." in too_high.text
    duplicate = site.client.post(
        "/admin/users",
        data={
            "email": "ny@skolan.se",
            "password": "Gröna-äpplen-42",
            "role": "user",
            "csrf_token": csrf,
        },
    )
    assert duplicate.status_code == 409
    assert "Det finns redan ett konto med den e-postadressen." in duplicate.text
    weak = site.client.post(
        "/admin/users",
        data={"email": "svag@skolan.se", "password": "kort", "role": "user", "csrf_token": csrf},
    )
    assert weak.status_code == 400
    assert "Lösenordet måste vara minst 8 tecken." in weak.text
    assert 'value="svag@skolan.se"' in weak.text


def test_role_change_and_deactivation_are_audited_AMB_16_ID_21(site: Site) -> None:
    target = site.add_user(Role.USER, "mal@skolan.se")
    csrf = site.login(Role.ADMIN)
    done = site.client.post(
        "/admin/users/role",
        data={"email": target.email, "role": "contributor", "csrf_token": csrf},
    )
    assert done.status_code == 303
    assert "Rollen är ändrad." in site.client.get(done.headers["location"]).text
    gone = site.client.post(
        "/admin/users/deactivate",
        data={"email": target.email, "confirm": "yes", "csrf_token": csrf},
    )
    assert gone.status_code == 303
    self_off = site.client.post(
        "/admin/users/deactivate",
        data={"email": "admin@skolan.se", "confirm": "yes", "csrf_token": csrf},
    )
    assert self_off.status_code == 400
    assert "Du kan inte inaktivera ditt eget konto." in self_off.text
    superuser = site.client.post(
        "/admin/users/role", data={"email": "rektor@skolan.se", "role": "user", "csrf_token": csrf}
    )
    assert superuser.status_code == 403
    log = site.call(site.core.list_audit_log, site.users[Role.ADMIN])
    actions = [e.action for e in log]
    assert AuditAction.USER_ROLE_CHANGED in actions
    assert AuditAction.USER_DEACTIVATED in actions


def test_nominate_then_superuser_approves_NOM_01_NOM_03_NOM_05(site: Site) -> None:
    nominee = site.add_user(Role.CONTRIBUTOR, "blivande@skolan.se")
    csrf = site.login(Role.ADMIN)
    done = site.client.post(
        "/admin/nominations",
        data={"email": nominee.email, "rationale": "Har koll", "csrf_token": csrf},
    )
    assert done.status_code == 303
    page = site.client.get(done.headers["location"])
    assert "Nomineringen är sparad." in page.text
    assert "Väntar" in page.text
    assert "Godkänn" not in page.text  # only a superuser sees the decision buttons
    nominations = site.call(site.core.list_nominations, site.users[Role.ADMIN])
    url = f"/admin/nominations/{nominations[0].id}/decision"
    assert (
        site.client.post(url, data={"decision": "approve", "csrf_token": csrf}).status_code == 403
    )
    su_csrf = site.login(Role.SUPERUSER)
    assert "Godkänn" in site.client.get("/admin/nominations").text
    odd = site.client.post(url, data={"decision": "kanske", "csrf_token": su_csrf})
    assert odd.status_code == 400
    assert "Okänt beslut." in odd.text
    approved = site.client.post(url, data={"decision": "approve", "csrf_token": su_csrf})
    assert approved.status_code == 303
    assert "Godkänd" in site.client.get("/admin/nominations").text
    users = {u.email: u for u in site.call(site.core.list_users, site.users[Role.SUPERUSER])}
    assert users[nominee.email].role is Role.ADMIN
    again = site.client.post(url, data={"decision": "deny", "csrf_token": su_csrf})
    assert again.status_code == 409
    assert "Nomineringen är redan beslutad." in again.text


def test_audit_log_filters_and_pages(site: Site) -> None:
    for n in range(55):
        site.add_user(Role.USER, f"elev{n}@skolan.se")
    site.login(Role.ADMIN)
    first = site.client.get("/admin/audit")
    assert "Händelselogg" in first.text
    assert "Användare skapad" in first.text
    assert "Äldre →" in first.text
    assert "← Nyare" not in first.text
    assert first.text.count("<tr>") == 51  # header + 50 rows
    second = site.client.get("/admin/audit", params={"page": "2"})
    assert "← Nyare" in second.text
    filtered = site.client.get("/admin/audit", params={"action": "user.deactivated"})
    assert "Inga händelser." in filtered.text
    assert '<option value="user.deactivated" selected>' in filtered.text
    junk = site.client.get("/admin/audit", params={"action": "drop table", "page": "x"})
    assert junk.status_code == 200


def test_dates_are_swedish_UI_09(site: Site) -> None:
    site.login(Role.ADMIN)
    page = site.client.get("/admin/users").text
    # the fake clock starts in UTC; shown in Europe/Stockholm as YYYY-MM-DD HH:MM
    import re

    assert re.search(r"<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</td>", page)
