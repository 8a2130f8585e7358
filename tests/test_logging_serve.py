"""Logs of the real ``skriptoteket serve`` (a subprocess on 127.0.0.1) and of a one-shot CLI
command: JSON lines by default, every line of a request with its correlation id (ERR-08),
every line of a run with its run id (RUN-35), the fields of NFR-10, format and level from
``SKRIPTOTEKET_LOG_FORMAT`` / ``SKRIPTOTEKET_LOG_LEVEL``, and no secret in any line."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from skriptoteket.testing.processes import LOOPBACK, cli_output, free_port

from .browser.harness import (
    ACCEPTANCE_DATA,
    ACCOUNTS,
    clean_env,
    cli_options,
    seed,
)

CLASS_LIST = ACCEPTANCE_DATA / "klasslista_7b_utf8_bom_semikolon.csv"
TOOL = "vardnadshavare-mejl"
FINAL = {"succeeded", "failed", "timed_out", "cancelled"}
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) ")


@attrs.frozen
class Site:
    data_dir: Path
    env: dict[str, str]
    token: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A SQLite database with the demo accounts and tools, and a teacher's API token."""
    env = clean_env(tmp_path_factory.mktemp("logging") / "data")
    seed(env, cli_options())
    token = cli_output(env, "users", "token", ACCOUNTS["user"].email).strip().splitlines()[-1]
    return Site(Path(env["SKRIPTOTEKET_DATA_DIR"]), env, token)


@attrs.define
class Served:
    base_url: str
    stderr_path: Path
    stderr: str = ""

    def lines(self) -> list[str]:
        return self.stderr.splitlines()

    def json_lines(self) -> list[dict[str, Any]]:
        parsed = []
        for line in self.lines():
            value = json.loads(line)  # every line is JSON: a failure here fails the test
            assert isinstance(value, dict), line
            parsed.append(value)
        return parsed


@contextlib.contextmanager
def serve(site: Site, **settings: str) -> Iterator[Served]:
    """``skriptoteket serve`` with ``SKRIPTOTEKET_<NAME>`` settings; ``stderr`` is filled in
    once the server has stopped (so every line it wrote is there)."""
    env = dict(site.env)
    env.update({f"SKRIPTOTEKET_{name.upper()}": value for name, value in settings.items()})
    port = free_port()
    workdir = site.data_dir.parent
    stderr_path = workdir / f"serve-{port}.stderr"
    served = Served(f"http://{LOOPBACK}:{port}", stderr_path)
    command = [sys.executable, "-m", "skriptoteket_cli", "serve", "--host", LOOPBACK]
    with stderr_path.open("wb") as err, (workdir / f"serve-{port}.stdout").open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--port", str(port)],
            env=env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        try:
            _wait_healthy(served, proc)
            yield served
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            served.stderr = stderr_path.read_text(encoding="utf-8")


def _wait_healthy(served: Served, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, served.stderr_path.read_text(errors="replace")
        with contextlib.suppress(OSError):
            if http(served.base_url + "/health")[0] == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"serve did not start:\n{served.stderr_path.read_text()}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def http(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, Any, bytes]:
    """(status, headers, body) — a 4xx or 3xx answer is returned, not raised."""
    request = urllib.request.Request(
        url, data=body if method != "GET" else None, method=method, headers=headers or {}
    )
    try:
        with _OPENER.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as answer:
        with answer:  # its socket too
            return answer.code, answer.headers, answer.read()


def _multipart(name: str, path: Path) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return f"multipart/form-data; boundary={boundary}", body


def _start_run(served: Served, token: str, correlation_id: str) -> str:
    content_type, body = _multipart("files", CLASS_LIST)
    status, _, answer = http(
        f"{served.base_url}/api/v1/tools/{TOOL}/runs",
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": content_type,
            "X-Correlation-ID": correlation_id,
        },
        body=body,
    )
    assert status == 202, answer
    run_id: str = json.loads(answer)["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _, _, got = http(
            f"{served.base_url}/api/v1/runs/{run_id}",
            headers={"Authorization": f"Bearer {token}"},
        )
        if json.loads(got)["status"] in FINAL:
            return run_id
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish")


def test_serve_writes_json_lines_with_the_request_correlation_id_and_the_run_id(
    site: Site,
) -> None:
    with serve(site) as served:
        status, headers, _ = http(
            served.base_url + "/nope", headers={"X-Correlation-ID": "test-123"}
        )
        assert (status, headers["X-Correlation-ID"]) == (404, "test-123")
        run_id = _start_run(served, site.token, "run-req-1")
    lines = served.json_lines()
    assert lines, "serve wrote no log line"
    for line in lines:
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line["timestamp"]), line
        assert line["level"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), line
        assert isinstance(line["logger"], str), line
        assert isinstance(line["event"], str), line
        assert line["service.name"] == "skriptoteket", line
        assert line["deployment.environment"] == "development", line
    # The 404's access line is written inside the request: it carries the caller's id.
    (not_found,) = [line for line in lines if line.get("correlation_id") == "test-123"]
    assert (not_found["logger"], not_found["url.path"]) == ("uvicorn.access", "/nope")
    assert not_found["http.response.status_code"] == 404
    # The run: queued in the request (so with its correlation id too), finished by the queue.
    of_run = {line["event"]: line for line in lines if line.get("run_id") == run_id}
    assert {"run queued", "run finished"} <= set(of_run), lines
    assert of_run["run queued"]["correlation_id"] == "run-req-1"
    assert of_run["run queued"]["tool_id"]
    assert isinstance(of_run["run finished"]["seconds"], float)
    started = [line for line in lines if line["event"] == "Application startup complete."]
    assert [line["level"] for line in started] == ["INFO"]


def test_serve_writes_text_lines_with_log_format_text(site: Site) -> None:
    with serve(site, log_format="text") as served:
        http(served.base_url + "/nope", headers={"X-Correlation-ID": "text-1"})
    lines = served.lines()
    assert lines
    for line in lines:
        with pytest.raises(json.JSONDecodeError):
            json.loads(line)
    (access,) = [line for line in lines if "correlation_id=text-1" in line]
    stamp, level, logger, event = access.split(" ", 3)
    assert (stamp[-1], level, logger) == ("Z", "INFO", "uvicorn.access")
    assert '"GET /nope HTTP/1.1" 404' in event


def test_serve_drops_info_lines_with_log_level_warning(site: Site) -> None:
    with serve(site, log_level="WARNING") as served:
        http(served.base_url + "/nope", headers={"X-Correlation-ID": "quiet-1"})
        _start_run(served, site.token, "quiet-2")
    assert all(line["level"] in ("WARNING", "ERROR", "CRITICAL") for line in served.json_lines())
    assert "quiet-" not in served.stderr


def test_no_line_holds_a_password_token_or_cookie_even_at_debug(site: Site) -> None:
    account = ACCOUNTS["user"]
    with serve(site, log_level="DEBUG") as served:
        _, login_headers, page = http(served.base_url + "/login")
        hidden = re.search(rb'name="login_token" value="([^"]+)"', page)
        assert hidden is not None
        login_token = hidden.group(1).decode()
        form = urllib.parse.urlencode(
            {"email": account.email, "password": account.password, "login_token": login_token}
        )
        status, headers, _ = http(
            served.base_url + "/login",
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": served.base_url,
                "Sec-Fetch-Site": "same-origin",
                "Cookie": login_headers["Set-Cookie"].split(";", 1)[0],
            },
            body=form.encode(),
        )
        assert status == 303, status
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        _, _, me = http(served.base_url + "/api/v1/me", headers={"Cookie": cookie})
        csrf = json.loads(me)["csrf_token"]
        ok, _, _ = http(
            served.base_url + "/api/v1/tools", headers={"Authorization": f"Bearer {site.token}"}
        )
        assert ok == 200
    lines = served.json_lines()
    assert any(line["level"] == "DEBUG" for line in lines), "DEBUG lines were not written"
    assert any(line.get("url.path") == "/login" for line in lines)
    secrets = {
        "password": account.password,
        "session cookie": cookie.split("=", 1)[1],
        "login token": login_token,
        "CSRF token": csrf,
        "API token": site.token,
    }
    for what, secret in secrets.items():
        assert secret not in served.stderr, f"the {what} is in the log"


def test_a_one_shot_command_logs_text_from_warning_unless_told(site: Site, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "skriptoteket_cli", "run", TOOL, str(CLASS_LIST)]

    def run(**settings: str) -> subprocess.CompletedProcess[str]:
        env = dict(site.env)
        env.update({f"SKRIPTOTEKET_{k.upper()}": v for k, v in settings.items()})
        return subprocess.run(
            [*command, "--out", str(tmp_path / uuid.uuid4().hex)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    quiet = run()  # its stderr has the command's own progress lines, no log line
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr.startswith("… queued")
    assert not [line for line in quiet.stderr.splitlines() if LOG_LINE.match(line)]
    told = run(log_level="INFO")
    assert told.returncode == 0, told.stderr
    runs = [line for line in told.stderr.splitlines() if " skriptoteket.runs run " in line]
    assert all(LOG_LINE.match(line) for line in runs)
    ids = {re.search(r" run_id=(\S+)", line).group(1) for line in runs}  # type: ignore[union-attr]
    assert [line.split(" ")[3:5] for line in runs] == [
        ["run", "queued"],
        ["run", "started"],
        ["run", "finished"],
    ]
    assert len(ids) == 1
    refused = run(log_format="xml")
    assert (refused.returncode, refused.stderr) == (
        1,
        "Error: SKRIPTOTEKET_LOG_FORMAT must be json or text, not 'xml'\n",
    )
