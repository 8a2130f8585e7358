"""Behind a reverse proxy (docs/deploy.md) every request comes from the proxy's address. With
``SKRIPTOTEKET_TRUSTED_PROXIES`` the login throttle counts the client the proxy names, so one
address's wrong passwords never block everyone else's logins; without it forwarded headers are
ignored (a client cannot pick its own address). Real servers on 127.0.0.1; the forwarded
addresses are documentation addresses that only appear in headers."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from skriptoteket.bootstrap import bootstrap
from skriptoteket.domain.identity import Role
from skriptoteket.settings import Settings
from skriptoteket.testing.processes import ServerProcess
from skriptoteket_sql.migrations import AlembicMigrations

TEACHER = "larare@skolan.se"
PASSWORD = "Blabarssylt-17"
ATTACKER = "203.0.113.7"
COLLEAGUE = "203.0.113.8"


async def _seed(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    await asyncio.to_thread(AlembicMigrations(settings.database_url).upgrade, "head")
    async with bootstrap(settings) as app:
        root = await app.bootstrap_superuser(email="rektor@skolan.se", password="Kanelbulle-42")
        await app.create_user(root, email=TEACHER, password=PASSWORD, role=Role.USER)


def _login(server: ServerProcess, email: str, password: str, forwarded_for: str) -> int:
    """The login form as a browser behind the proxy sends it; the response's status."""
    via = {"X-Forwarded-For": forwarded_for}
    _, headers, page = server.request("GET", "/login", headers=via)
    token = re.search(rb'name="login_token" value="([^"]+)"', page)
    cookie = re.search(r"skriptoteket_login=([^;]+)", headers.get("set-cookie", ""))
    assert token is not None
    assert cookie is not None
    form = f"email={email}&password={password}&login_token={token.group(1).decode()}"
    status, _, _ = server.request(
        "POST",
        "/login",
        body=form.encode(),
        headers={
            **via,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"skriptoteket_login={cookie.group(1)}",
        },
    )
    return status


@pytest.mark.parametrize(
    ("trusted", "colleague_status"),
    [("127.0.0.1", 303), ("", 429)],
    ids=["proxy-trusted", "no-trusted-proxy"],
)
def test_the_throttle_counts_the_client_a_trusted_proxy_names(
    tmp_path: Path, trusted: str, colleague_status: int
) -> None:
    asyncio.run(_seed(tmp_path / "data"))
    env = {
        "SKRIPTOTEKET_DATA_DIR": str(tmp_path / "data"),
        "SKRIPTOTEKET_LOGIN_MAX_FAILURES_PER_ADDRESS": "3",
        "SKRIPTOTEKET_TRUSTED_PROXIES": trusted,
    }
    server = ServerProcess.create(tmp_path, env)
    server.start()
    try:
        server.wait_healthy()
        for n in range(3):  # three accounts guessed from one address: its cap is reached
            assert _login(server, f"gissning{n}@skolan.se", "fel", ATTACKER) == 400
        assert _login(server, "gissning9@skolan.se", "fel", ATTACKER) == 429
        # A colleague behind the same proxy: blocked only when the proxy is not trusted (then
        # everyone is the proxy's address, and the forwarded header counts for nothing).
        assert _login(server, TEACHER, PASSWORD, COLLEAGUE) == colleague_status
    finally:
        server.stop()
