"""Real Skriptoteket processes for end-to-end tests and benchmarks: ``skriptoteket serve`` and
``skriptoteket worker`` started as a school would start them, on 127.0.0.1 only.

Each process gets exactly the ``SKRIPTOTEKET_*`` variables given (the caller's are dropped), its
output goes to a log file, and it can be stopped politely (SIGTERM) or killed (SIGKILL) at any
moment. Nothing here asserts; the tests do.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def process_env(env: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment without its ``SKRIPTOTEKET_*`` settings, plus ``env``."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("SKRIPTOTEKET_")}
    full.update(env)
    full["PYTHONUNBUFFERED"] = "1"
    return full


def cli_output(env: Mapping[str, str], *args: str, timeout: float = 180.0) -> str:
    """Run ``skriptoteket ARGS`` to its end with ``env`` (see ``process_env``); its stdout.
    Raises ``RuntimeError`` with the output if it fails."""
    proc = subprocess.run(
        [sys.executable, "-m", "skriptoteket_cli", *args],
        env=process_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"skriptoteket {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


@attrs.define
class CliProcess:
    """One ``python -m skriptoteket_cli …`` process and its log."""

    args: tuple[str, ...]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "skriptoteket_cli", *self.args],
                env=process_env(self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the process itself (not its group), if it still runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signum)

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to exit; its exit code."""
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.returncode

    def kill(self) -> None:
        """SIGKILL the whole process group (uvicorn's worker processes too), as a crash would."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout: float = 60.0) -> int | None:
        """SIGTERM, wait up to ``timeout``, then SIGKILL; the exit code (None if killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        return self.proc.returncode

    def wait_for_output(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if not self.running():
                raise RuntimeError(f"{self.args[0]} exited:\n{self.output()}")
            time.sleep(0.1)
        raise RuntimeError(f"{self.args[0]} did not say {text!r} in {timeout} s:\n{self.output()}")


@attrs.define
class ServerProcess(CliProcess):
    port: int = 0

    @classmethod
    def create(
        cls, workdir: Path, env: Mapping[str, str], *, workers: int = 1, name: str = "server"
    ) -> ServerProcess:
        port = free_port()
        args: tuple[str, ...] = ("serve", "--host", LOOPBACK, "--port", str(port))
        if workers != 1:
            args += ("--workers", str(workers))
        return cls(args=args, env=dict(env), log=workdir / f"{name}.log", port=port)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise RuntimeError(f"the server exited:\n{self.output()}")
            with contextlib.suppress(OSError, ValueError):
                status, _, body = self.request("GET", "/health")
                if status == 200 and json.loads(body).get("status") == "ok":
                    return
            time.sleep(0.1)
        raise RuntimeError(f"/health did not answer in {timeout} s:\n{self.output()}")

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=dict(headers or {}))
            response = conn.getresponse()
            found = {k.lower(): v for k, v in response.getheaders()}
            return response.status, found, response.read()
        finally:
            conn.close()

    def api(
        self,
        method: str,
        path: str,
        token: str,
        *,
        files: Sequence[tuple[str, bytes]] = (),
    ) -> tuple[int, Any]:
        """A JSON API call with a bearer token; ``files`` go as the run form's ``files`` parts."""
        headers = {"Authorization": f"Bearer {token}"}
        body = None
        if files or method == "POST":
            boundary = "skriptoteket-test-boundary"
            parts = b""
            for name, data in files:
                parts += (
                    (
                        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                        f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                    ).encode()
                    + data
                    + b"\r\n"
                )
            body = parts + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        status, _, raw = self.request(method, f"/api/v1{path}", body=body, headers=headers)
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw


def worker_process(
    workdir: Path, env: Mapping[str, str], *, name: str, concurrency: int = 1
) -> CliProcess:
    """``skriptoteket worker --name NAME --concurrency N`` with its own data directory."""
    data_dir = workdir / f"data-{name}"
    data_dir.mkdir(parents=True, exist_ok=True)
    return CliProcess(
        args=("worker", "--name", name, "--concurrency", str(concurrency)),
        env={**env, "SKRIPTOTEKET_DATA_DIR": str(data_dir)},
        log=workdir / f"worker-{name}.log",
    )


def processes_mentioning(text: str) -> list[str]:
    """``pid: command line`` of every process (but this one) whose command line holds
    ``text``: e.g. a run id, to prove a run's sandbox is gone."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{pid}: {cmdline}")
    return found
