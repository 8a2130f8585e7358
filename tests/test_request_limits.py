"""Issue 9 item 2: request bodies are capped while they stream in, on a real server.

A 1 GB upload and a 600 MB JSON body, sent by a client that streams them, are refused with 413
long before they are sent, and the server's peak memory (``VmHWM`` of the server process) grows
by less than 150 MB — with and without ``Content-Length``, for a cookie page form, the API with a
bearer token and an anonymous ``POST /login``. A 100,000-deep JSON body is 400, not 500.
"""

from __future__ import annotations

import json
import re
import select
import socket
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.harness import ACCOUNTS, Server, run_cli, running_server

MB = 1024 * 1024
RSS_GROWTH_LIMIT = 150 * MB
CHUNK = b"x" * MB
BOUNDARY = "skriptoteket-test-boundary"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("limits")) as running:
        yield running


@pytest.fixture(scope="module")
def bearer(server: Server) -> str:
    out = run_cli(server, "users", "token", ACCOUNTS["user"].email)
    return out.strip().splitlines()[-1]


def _memory(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {key} in /proc/{pid}/status")


class Answer:
    def __init__(self, raw: bytes, sent: int) -> None:
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1]) if lines[0] else 0
        self.headers = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
        }
        self.sent = sent

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def stream(
    server: Server,
    path: str,
    *,
    headers: dict[str, str],
    prefix: bytes = b"",
    total: int,
    chunked: bool = False,
) -> Answer:
    """POST ``prefix`` and then filler up to ``total`` bytes, a megabyte at a time, stopping the
    moment the server answers (or closes); the answer and how much of the body was sent."""
    parts = urllib.parse.urlsplit(server.base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    sock = socket.create_connection((host, port), timeout=60)
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    sent = 0
    pieces = [prefix] if prefix else []
    try:
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            piece = pieces.pop() if pieces else CHUNK[: total - sent]
            data = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
            sock.sendall(data)
            sent += len(piece)
        if chunked and sent >= total:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    raw = b""
    try:
        while True:
            got = sock.recv(65536)
            if not got:
                break
            raw += got
            if b"\r\n\r\n" in raw:
                head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
                length = re.search(r"content-length:\s*(\d+)", head)
                if length and len(raw.split(b"\r\n\r\n", 1)[1]) >= int(length.group(1)):
                    break
    except (ConnectionResetError, TimeoutError):
        pass
    finally:
        sock.close()
    return Answer(raw, sent)


def login_cookie(server: Server) -> tuple[str, str]:
    """A teacher's session cookie and CSRF token, through the login form."""
    import http.cookiejar
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(server.url("/login")) as answer:
        page = answer.read().decode()
    token = re.search(r'name="login_token" value="([^"]+)"', page)
    assert token is not None
    account = ACCOUNTS["user"]
    data = {"email": account.email, "password": account.password, "login_token": token.group(1)}
    with opener.open(server.url("/login"), urllib.parse.urlencode(data).encode()) as answer:
        answer.read()
    session = next(c.value or "" for c in jar if c.name == "skriptoteket_session")
    me = urllib.request.Request(
        server.url("/api/v1/me"), headers={"Cookie": f"skriptoteket_session={session}"}
    )
    with urllib.request.urlopen(me) as answer:
        csrf = str(json.loads(answer.read())["csrf_token"])
    return session, csrf


def multipart_head(fields: dict[str, str], file_field: str) -> bytes:
    out = b""
    for name, value in fields.items():
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    out += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; '
        'filename="stor.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    return out


CASES = ["content-length", "chunked"]


def _check_refused(server: Server, answer: Answer, before: int, *, cap: int) -> None:
    pid = server.pid
    assert answer.status == 413, answer.text[:500]
    assert answer.sent <= cap + 8 * MB, f"sent {answer.sent} bytes before the 413"
    assert _memory(pid, "VmHWM") - before < RSS_GROWTH_LIMIT


@pytest.mark.parametrize("mode", CASES)
def test_gigabyte_upload_with_cookie_session_is_refused_early(server: Server, mode: str) -> None:
    """A teacher's run form (cookie session, CSRF token as a form field) posting 1 GB."""
    session, csrf = login_cookie(server)
    before = _memory(server.pid, "VmRSS")
    answer = stream(
        server,
        "/tools/vardnadshavare-mejl/run",
        headers={
            "Cookie": f"skriptoteket_session={session}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
        prefix=multipart_head({"csrf_token": csrf}, "file"),
        total=1024 * MB,
        chunked=mode == "chunked",
    )
    _check_refused(server, answer, before, cap=51 * MB)
    assert "text/html" in answer.headers.get("content-type", "")
    assert "Förfrågan är för stor: högst 50 MB kan skickas." in answer.text


@pytest.mark.parametrize("mode", CASES)
def test_gigabyte_upload_with_bearer_token_is_refused_early(
    server: Server, bearer: str, mode: str
) -> None:
    before = _memory(server.pid, "VmRSS")
    answer = stream(
        server,
        "/api/v1/tools/vardnadshavare-mejl/runs",
        headers={
            "Authorization": f"Bearer {bearer}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
        prefix=multipart_head({}, "files"),
        total=1024 * MB,
        chunked=mode == "chunked",
    )
    _check_refused(server, answer, before, cap=51 * MB)
    body = json.loads(answer.body)
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert body["error"]["details"] == {"reason": "request_too_large", "max_bytes": 51 * MB}
    assert "correlation_id" in body


@pytest.mark.parametrize("mode", CASES)
def test_600_mb_json_body_with_bearer_token_is_refused_early(
    server: Server, bearer: str, mode: str
) -> None:
    before = _memory(server.pid, "VmRSS")
    answer = stream(
        server,
        "/api/v1/tokens",
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
        prefix=b'{"name": "',
        total=600 * MB,
        chunked=mode == "chunked",
    )
    _check_refused(server, answer, before, cap=1 * MB)
    assert json.loads(answer.body)["error"]["details"]["max_bytes"] == MB


@pytest.mark.parametrize("mode", CASES)
def test_600_mb_json_body_with_cookie_session_is_refused_early(server: Server, mode: str) -> None:
    session, csrf = login_cookie(server)
    before = _memory(server.pid, "VmRSS")
    answer = stream(
        server,
        "/api/v1/tokens",
        headers={
            "Cookie": f"skriptoteket_session={session}",
            "X-CSRF-Token": csrf,
            "Content-Type": "application/json",
        },
        prefix=b'{"name": "',
        total=600 * MB,
        chunked=mode == "chunked",
    )
    _check_refused(server, answer, before, cap=1 * MB)


@pytest.mark.parametrize("mode", CASES)
def test_anonymous_600_mb_login_post_is_refused_before_authentication(
    server: Server, mode: str
) -> None:
    before = _memory(server.pid, "VmRSS")
    answer = stream(
        server,
        "/login",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        prefix=b"email=larare%40skolan.se&password=",
        total=600 * MB,
        chunked=mode == "chunked",
    )
    _check_refused(server, answer, before, cap=1 * MB)
    assert "Förfrågan är för stor" in answer.text


@pytest.mark.parametrize("mode", CASES)
def test_big_cookie_form_post_is_refused(server: Server, mode: str) -> None:
    """A form post (not an upload route) with the CSRF token in the body: the small cap."""
    session, csrf = login_cookie(server)
    before = _memory(server.pid, "VmRSS")
    answer = stream(
        server,
        "/suggestions/new",
        headers={
            "Cookie": f"skriptoteket_session={session}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        prefix=f"csrf_token={csrf}&title=x&description=".encode(),
        total=600 * MB,
        chunked=mode == "chunked",
    )
    _check_refused(server, answer, before, cap=1 * MB)


def test_json_nested_100000_deep_is_400(server: Server, bearer: str) -> None:
    deep = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = stream(
        server,
        "/api/v1/tokens",
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
        prefix=deep,
        total=len(deep),
    )
    assert answer.status == 400, answer.text[:500]
    assert json.loads(answer.body)["error"]["code"] == "VALIDATION_ERROR"
