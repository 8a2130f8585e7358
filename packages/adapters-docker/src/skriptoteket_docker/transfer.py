"""Host side of the file transfer (AMB-04): the job goes in as one tar stream on the container's
stdin, the results come back as one tar stream on its stdout (see ``agent.py``).

Both directions are blocking socket I/O: callers run them in a worker thread (RUN-30).

Extraction into ``job.workspace/output`` is streaming and safe: only regular files and
directories are written, every target must resolve inside the output directory, files are opened
with ``O_NOFOLLOW | O_EXCL``, and a byte cap bounds the whole stream. The first symlink, link,
device, FIFO, unsafe name, entry deeper than ``MAX_OUTPUT_DEPTH`` or past the entry cap is the
run's output violation (``Collected.violation``, RUN-22–RUN-24): nothing more is written to the
output and the run fails, as on every runner. Nothing is ever followed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import struct
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from skriptoteket import sandbox
from skriptoteket.domain.run_results import MAX_OUTPUT_DEPTH, unsafe_output_name
from skriptoteket.ports.execution import RunJob, RunLimits

SANDBOX = "/sandbox"
CHUNK = 65536
MAX_AGENT_STDERR = 64 * 1024


def job_env(job: RunJob) -> dict[str, str]:
    """The wrapper's environment: the ENV_* names plus HOME/TMPDIR/PATH/LANG — no secrets."""
    env = {
        sandbox.ENV_SCRIPT_PATH: f"{SANDBOX}/script.py",
        sandbox.ENV_ENTRYPOINT: job.entrypoint,
        sandbox.ENV_CONTRACT: str(job.contract_version),
        sandbox.ENV_INPUT_DIR: f"{SANDBOX}/input",
        sandbox.ENV_INPUTS_PATH: f"{SANDBOX}/inputs.json",
        sandbox.ENV_OUTPUT_DIR: f"{SANDBOX}/output",
        sandbox.ENV_RESULT_PATH: f"{SANDBOX}/result.json",
        sandbox.ENV_MAX_RESULT_BYTES: str(job.limits.max_result_bytes),
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
    }
    if job.input_names:
        env[sandbox.ENV_INPUT_PATH] = f"{SANDBOX}/input/{job.input_names[0]}"
    return env


def inputs_document(job: RunJob) -> bytes:
    """``inputs.json`` for contract 2. The app passes file fields under ``__files__`` (field →
    names); list values outside it are taken as file fields too. Names are relative to input/."""
    values: dict[str, Any] = {}
    files: dict[str, list[str]] = {}
    raw: Mapping[str, Any] = job.inputs
    for key, value in raw.items():
        if key == "__files__" and isinstance(value, dict):
            for field, names in value.items():
                files[str(field)] = [str(n) for n in names]
        elif isinstance(value, list):
            files[key] = [str(v) for v in value]
        else:
            values[key] = value
    values["__files__"] = files
    return json.dumps(values, ensure_ascii=False).encode("utf-8")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def job_payload(job: RunJob, limits_extra: dict[str, Any] | None = None) -> bytes:
    """Header + tar of the job (script, inputs.json, the workspace's ``input/`` files)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        _add_bytes(tar, "script.py", job.source_code.encode("utf-8"))
        _add_bytes(tar, "inputs.json", inputs_document(job))
        info = tarfile.TarInfo("input")
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        tar.addfile(info)
        input_dir = job.workspace / "input"
        if input_dir.is_dir():
            for path in sorted(input_dir.iterdir()):
                if path.is_file() and not path.is_symlink():
                    with path.open("rb") as handle:
                        member = tarfile.TarInfo(f"input/{path.name}")
                        member.size = os.fstat(handle.fileno()).st_size
                        member.mode = 0o644
                        tar.addfile(member, handle)
    data = buffer.getvalue()
    limits = job.limits
    header: dict[str, Any] = {
        "tar_bytes": len(data),
        "timeout": limits.timeout_seconds,
        "env": job_env(job),
        "max_stdout": limits.max_stdout_bytes,
        "max_stderr": limits.max_stderr_bytes,
        "max_result": limits.max_result_bytes,
        "max_file_bytes": limits.max_file_bytes,
        "max_output_bytes": limits.work_area_bytes,
        "max_output_depth": MAX_OUTPUT_DEPTH,
        "max_output_entries": limits.work_area_files,
    }
    header.update(limits_extra or {})
    encoded = json.dumps(header).encode("utf-8")
    return struct.pack(">I", len(encoded)) + encoded + data


class Channel:
    """The attached stdin/stdout of one container: the SDK's socket file object and the plain
    socket under it. ``close`` closes both (else the socket's file descriptor stays open)."""

    def __init__(self, attached: Any) -> None:
        self._attached = attached
        sock = getattr(attached, "_sock", attached)
        assert isinstance(sock, socket.socket)
        self.sock = sock

    def close(self) -> None:
        for item in (self._attached, self.sock):
            with contextlib.suppress(OSError):
                item.close()


class DemuxReader(io.RawIOBase):
    """The stdout payload of Docker's multiplexed attach stream (8-byte frame headers, no TTY).
    The agent's own stderr frames are kept, capped, in ``agent_stderr``."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._frame_left = 0
        self._eof = False
        self.agent_stderr = bytearray()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def _recv_exact(self, size: int) -> bytes | None:
        parts = bytearray()
        while len(parts) < size:
            data = self._sock.recv(size - len(parts))
            if not data:
                return None
            parts += data
        return bytes(parts)

    def _next_stdout_frame(self) -> bool:
        while True:
            head = self._recv_exact(8)
            if head is None:
                return False
            kind, size = head[0], struct.unpack(">I", head[4:8])[0]
            if kind == 1:
                self._frame_left = size
                if size:
                    return True
                continue
            payload = self._recv_exact(size)
            if payload is None:
                return False
            room = MAX_AGENT_STDERR - len(self.agent_stderr)
            if room > 0:
                self.agent_stderr += payload[:room]

    def readinto(self, buffer: Any) -> int:
        if self._eof:
            return 0
        if self._frame_left == 0 and not self._next_stdout_frame():
            self._eof = True
            return 0
        view = memoryview(buffer)
        data = self._sock.recv_into(view[: min(len(view), self._frame_left)])
        if data == 0:
            self._eof = True
            return 0
        self._frame_left -= data
        self.bytes_read += data
        return data


@attrs.define
class Collected:
    """What came back from one sandbox; filled while the stream is read, so a killed run keeps
    whatever arrived before the kill."""

    result_json: bytes | None = None
    stdout: bytes = b""
    stderr: bytes = b""
    meta: dict[str, Any] | None = None
    skipped: list[tuple[str, str]] = attrs.field(factory=list)
    output_bytes: int = 0
    result_size: int = 0
    """result.json's size as the tar stream gave it (also when it was too large to keep)."""
    complete: bool = False
    error: str | None = None
    violation: tuple[str, str] | None = None
    """The first output entry not allowed: (``output/<rel>``, kind)."""
    entries: int = 0

    def refuse(self, path: str, kind: str) -> None:
        if self.violation is None:
            self.violation = (path, kind)


def _relative_parts(name: str) -> list[str] | None:
    if name.startswith("/") or "\\" in name or "\x00" in name:
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return parts


def _inside(root: Path, target: Path) -> bool:
    real_root = os.path.realpath(root)
    real = os.path.realpath(target)
    return real == real_root or real.startswith(real_root + os.sep)


def _read_capped(source: io.BufferedReader | Any, cap: int) -> bytes:
    kept = bytearray()
    while chunk := source.read(CHUNK):
        room = cap - len(kept)
        if room > 0:
            kept += chunk[:room]
    return bytes(kept)


def _write_file(source: Any, target: Path, budget: int) -> int | None:
    """Stream one file to ``target``; the bytes written, or None when over ``budget``."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    fd = os.open(target, flags, 0o644)
    written = 0
    with os.fdopen(fd, "wb") as handle:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > budget:
                break
            handle.write(chunk)
    if written > budget:
        target.unlink()
        return None
    return written


def _refused_kind(rel_parts: list[str], member: tarfile.TarInfo) -> str | None:
    """Why an output entry is not allowed (RUN-22–RUN-24), or None."""
    if any(unsafe_output_name(part) for part in rel_parts):
        return "unsafe_name"
    if len(rel_parts) > MAX_OUTPUT_DEPTH:
        return "too_deep"
    if member.isfile() or member.isdir():
        return None
    if member.issym():
        return "symlink"
    if member.islnk():
        return "hardlink"
    if member.isfifo():
        return "fifo"
    if member.ischr() or member.isblk():
        return "device"
    return "special_file"


def collect(
    reader: io.RawIOBase | io.BufferedIOBase,
    out: Collected,
    output_dir: Path,
    *,
    max_stdout: int,
    max_stderr: int,
    max_result: int,
    max_output_bytes: int,
    max_output_entries: int = RunLimits().work_area_files,
) -> None:
    """Read the agent's result tar from ``reader`` into ``out`` and ``output_dir``."""
    output_dir.mkdir(parents=True, exist_ok=True)
    stream = io.BufferedReader(reader, CHUNK) if isinstance(reader, io.RawIOBase) else reader
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            name = member.name
            parts = _relative_parts(name)
            source = tar.extractfile(member) if member.isfile() else None
            if name in ("result.json", "stdout", "stderr", "meta.json") and source is not None:
                cap = {
                    "result.json": max_result + 1,
                    "stdout": max_stdout,
                    "stderr": max_stderr,
                    "meta.json": 1_000_000,
                }[name]
                data = _read_capped(source, cap)
                if name == "result.json":
                    out.result_size = max(member.size, len(data))
                    if len(data) > max_result:
                        out.skipped.append(("result.json", "too large"))
                    else:
                        out.result_json = data
                elif name == "stdout":
                    out.stdout = data
                elif name == "stderr":
                    out.stderr = data
                else:
                    out.meta = json.loads(data)
                    for entry in out.meta.get("skipped", []):
                        out.skipped.append((str(entry[0]), str(entry[1])))
                    out.complete = True
                continue
            if parts is None or parts[0] != "output":
                out.refuse(name, "unsafe_name")
                continue
            if len(parts) == 1:  # the output directory itself
                continue
            if out.violation is not None:  # the output is refused: read on to meta.json
                continue
            kind = _refused_kind(parts[1:], member)
            out.entries += 1
            if kind is None and out.entries > max_output_entries:
                kind = "too_many_entries"
            if kind is not None:
                out.refuse("/".join(parts), kind)
                continue
            target = output_dir.joinpath(*parts[1:])
            if member.isdir():
                if not _inside(output_dir, target.parent):
                    out.skipped.append((name, "outside the output directory"))
                    continue
                target.mkdir(parents=True, exist_ok=True)
                continue
            assert source is not None
            target.parent.mkdir(parents=True, exist_ok=True)
            if not _inside(output_dir, target.parent) or target.is_symlink():
                out.skipped.append((name, "outside the output directory"))
                continue
            try:
                written = _write_file(source, target, max_output_bytes - out.output_bytes)
            except OSError as error:
                out.skipped.append((name, f"not written ({error.__class__.__name__})"))
                continue
            if written is None:
                out.skipped.append((name, "output size cap"))
                out.error = "The output exceeded the size cap."
                return
            out.output_bytes += written
