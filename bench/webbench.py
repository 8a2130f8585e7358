"""Shared helpers of the web benchmarks (``web_*.py``): a database, the real server, a login, wrk.

Everything stays on 127.0.0.1: the server binds a free loopback port and wrk only talks to it.
Not a test module: pytest never collects ``bench/`` (see ``testpaths``), and nothing here asserts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import attrs
import sqlalchemy as sa
from skriptoteket.testing.processes import LOOPBACK, ServerProcess

SESSION_COOKIE = "skriptoteket_session"
PASSWORD = "Kanelbulle-2026"


def machine() -> str:
    """CPU count and load averages, for the report (the CI machine is shared)."""
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.2f} {five:.2f} {fifteen:.2f}"


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        print(
            "wrk is not installed: apt-get install -y wrk (Debian package 'wrk')", file=sys.stderr
        )
        raise SystemExit(2)
    return found


@contextlib.contextmanager
def database(postgres: str | None, sqlite_path: Path) -> Iterator[str]:
    """A fresh database URL: a SQLite file, or a new database on the PostgreSQL server of the
    URL given (created here, dropped afterwards; the role needs CREATEDB)."""
    if not postgres:
        yield f"sqlite:///{sqlite_path}"
        return
    from skriptoteket_sql.engine import driver_url

    admin = sa.create_engine(
        driver_url(postgres, use_async=False), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
    )
    name = f"skt_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield sa.make_url(postgres).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@attrs.define
class Server(ServerProcess):
    """The real server (``skriptoteket serve``) and a teacher's login on it."""

    def login(self, email: str, password: str = PASSWORD) -> str:
        """The ``Cookie`` header value of a fresh session of ``email`` (the login form's token
        first: its cookie and hidden field, README "The JSON API")."""
        _, page_headers, page = self.request("GET", "/login")
        token = re.search(rb'name="login_token" value="([^"]+)"', page)
        login_cookie = re.search(r"skriptoteket_login=([^;]+)", page_headers.get("set-cookie", ""))
        if token is None or login_cookie is None:
            raise RuntimeError("the login page has no login token")
        login_token = token.group(1).decode()
        form = f"email={email}&password={password}&login_token={login_token}".encode()
        status, headers, _ = self.request(
            "POST",
            "/login",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"skriptoteket_login={login_cookie.group(1)}",
            },
        )
        cookie = headers.get("set-cookie", "")
        match = re.search(rf"{SESSION_COOKIE}=([^;]+)", cookie)
        if status != 303 or match is None:
            raise RuntimeError(f"login of {email} failed: {status} {cookie!r}")
        return f"{SESSION_COOKIE}={match.group(1)}"


@contextlib.contextmanager
def serve(
    workdir: Path, env: dict[str, str], *, workers: int = 1, timeout: float = 60
) -> Iterator[Server]:
    """``skriptoteket serve`` on 127.0.0.1 and a free port, as a school would start it; its
    output (uvicorn's access log included) goes to ``workdir/server.log``."""
    server = Server.create(workdir, env, workers=workers)
    server.start()
    try:
        server.wait_healthy(timeout)
        yield server
    finally:
        server.stop(timeout=20)


@attrs.frozen
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str
    non_2xx: int


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(
    url: str,
    *,
    headers: dict[str, str],
    seconds: int,
    connections: int,
    threads: int = 2,
) -> WrkResult:
    """``wrk --latency`` against one loopback URL; requests/s and latency percentiles."""
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError("the benchmarks only send traffic to 127.0.0.1")
    command = [require_wrk(), "--latency", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Socket errors:.*", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return WrkResult(
        requests_per_second=rate,
        p50_ms=p50,
        p99_ms=p99,
        requests=total,
        errors=errors.group(0) if errors else "",
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


def row(name: str, result: WrkResult, *, target_rps: float | None, target_p99: float) -> str:
    verdict = result.p99_ms <= target_p99 and (
        target_rps is None or result.requests_per_second >= target_rps
    )
    flags = ""
    if result.non_2xx:
        flags += f"  {result.non_2xx} non-2xx/3xx!"
    if result.errors:
        flags += f"  {result.errors}"
    return (
        f"{name:44} {result.requests_per_second:9.0f} {result.p50_ms:8.1f} "
        f"{result.p99_ms:8.1f} {result.requests:8d}  {'ok' if verdict else 'MISSED'}{flags}"
    )


HEADER = f"{'what':44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>8}  target"
