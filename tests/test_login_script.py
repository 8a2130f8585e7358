"""Issue 9 item 3: the README's "JSON API" example of a script that logs in with curl (the
login form's token first, then the login post, then a CSRF-protected API call) works against a
real server, and a cross-site login post gets 403 without a session cookie. Issue 9 item 4:
wrong passwords from one client address do not lock the account for another."""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.harness import ACCOUNTS, REPO_ROOT, Server, running_server

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("login")) as running:
        yield running


def _readme_login_script() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks: list[str] = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    return next(b for b in blocks if "login_token" in b)


def test_readme_curl_login_example_works(server: Server, tmp_path: Path) -> None:
    account = ACCOUNTS["user"]
    script = (
        _readme_login_script()
        .replace("http://127.0.0.1:8000", server.base_url)
        .replace("larare@skolan.se", account.email)
        .replace("password=…", f"password={account.password}")
    )
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"secret"' in done.stdout or '"token"' in done.stdout, done.stdout


def test_cross_site_login_post_gets_403_and_no_session(server: Server) -> None:
    account = ACCOUNTS["user"]
    form = urllib.parse.urlencode({"email": account.email, "password": account.password})
    request = urllib.request.Request(
        server.url("/login"),
        data=form.encode(),
        headers={"Origin": "https://angripare.example"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    with refused.value:  # closes its socket
        assert refused.value.code == 403
        assert "skriptoteket_session=" not in (refused.value.headers.get("set-cookie") or "")


def _login_from(server: Server, source: str, password: str) -> int:
    """A login through the form (token first) from the loopback address ``source``."""
    parts = urllib.parse.urlsplit(server.base_url)
    conn = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=30, source_address=(source, 0)
    )
    try:
        conn.request("GET", "/login")
        page = conn.getresponse()
        html = page.read().decode()
        cookie = (page.getheader("set-cookie") or "").split(";")[0]
        found = re.search(r'name="login_token" value="([^"]+)"', html)
        assert found is not None
        form = urllib.parse.urlencode(
            {
                "email": ACCOUNTS["contributor"].email,
                "password": password,
                "login_token": found.group(1),
            }
        )
        conn.request(
            "POST",
            "/login",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


def test_wrong_passwords_from_one_address_do_not_lock_out_another(server: Server) -> None:
    """Issue 9 item 4 on a real server: the socket peer is the client address."""
    for _ in range(5):
        assert _login_from(server, "127.0.0.2", "fel-lösenord") == 400
    assert _login_from(server, "127.0.0.2", ACCOUNTS["contributor"].password) == 429
    assert _login_from(server, "127.0.0.3", ACCOUNTS["contributor"].password) == 303
