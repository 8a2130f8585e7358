"""The profile page: API tokens are created (secret shown once) and revoked; someone else's
token is 404 (ERR-06)."""

from __future__ import annotations

from skriptoteket.domain.identity import Role

from .conftest import Site


def test_create_shows_the_secret_once_then_revoke(site: Site) -> None:
    csrf = site.login(Role.USER)
    page = site.client.get("/profile")
    assert "Du har inga API-nycklar." in page.text
    created = site.client.post("/profile/tokens", data={"name": "bärbar", "csrf_token": csrf})
    assert created.status_code == 201
    assert "Kopiera nyckeln nu. Den visas bara en gång." in created.text
    tokens = site.call(site.core.list_api_tokens, site.users[Role.USER])
    assert len(tokens) == 1
    secret_start = tokens[0].prefix
    assert f'value="{secret_start}' in created.text
    again = site.client.get("/profile")
    assert "bärbar" in again.text
    assert "Kopiera nyckeln nu" not in again.text
    assert f'value="{secret_start}' not in again.text
    revoked = site.client.post(f"/profile/tokens/{tokens[0].id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 303
    assert "API-nyckeln är återkallad." in site.client.get("/profile?revoked=1").text


def test_someone_elses_token_is_404(site: Site) -> None:
    owner = site.users[Role.ADMIN]
    issued = site.call(site.core.create_api_token, owner, owner_email=owner.email, name="admin")
    csrf = site.login(Role.USER)
    response = site.client.post(
        f"/profile/tokens/{issued.token.id}/revoke", data={"csrf_token": csrf}
    )
    assert response.status_code == 404
    assert "API-nyckeln hittades inte." in response.text
