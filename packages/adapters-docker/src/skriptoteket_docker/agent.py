"""The in-container agent (AMB-04 transfer): runs as PID 1 of every sandbox container.

It is copied into the runner image as ``/runner/agent.py`` (read-only, root-owned) and started
as ``python3 -I /runner/agent.py``, as user ``runner``, with no shell (AMB-03). Standard library
only; it must run on the image's Python (Debian bookworm: 3.11). The host never imports it.

Protocol over the container's attached stdin/stdout (no host bind mount, no volume):

1. host → agent: a 4-byte big-endian length, a JSON header of that length, then
   ``header["tar_bytes"]`` bytes of an uncompressed tar holding ``script.py``, ``inputs.json``
   and ``input/…``. A warm-pool container sits blocked in step 1 until its one job arrives.
2. The agent extracts it into ``/sandbox`` (a size-limited tmpfs), runs the fixed wrapper
   (``python3 -I /runner/wrapper.py``) with the header's environment, keeps the first
   ``max_stdout``/``max_stderr`` bytes of its pipes (draining the rest), and at the wall-clock
   limit kills every process in the container but itself (it is PID 1: ``kill(-1, SIGKILL)``).
3. agent → host: ONE uncompressed tar stream on stdout with ``result.json`` (when the wrapper
   wrote a regular one), ``stdout``, ``stderr``, ``output/…`` (regular files and directories
   only, walked iteratively; the first symlink, FIFO, socket or device, an entry deeper than
   ``max_output_depth`` or past ``max_output_entries`` ends the output and is reported as
   ``violation`` in ``meta.json``) and, last, ``meta.json``. When ``/sandbox`` or ``/tmp`` ran
   out of bytes or inodes (tmpfs ``size``/``nr_inodes``) during the run, the agent kills the
   tool and ``meta.json`` says ``work_area_full``: ``bytes`` or ``files``.

Everything the agent sends is untrusted by the host: the tool runs as the same user and could
tamper with it. The host validates every entry again (``skriptoteket_docker.transfer``).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import resource
import runpy
import selectors
import signal
import stat
import struct
import sys
import tarfile
import time
from typing import IO, Any

SANDBOX = "/sandbox"
OUTPUT_DIR = SANDBOX + "/output"
WRAPPER = "/runner/wrapper.py"
CHUNK = 65536
WORK_AREAS = (SANDBOX, "/tmp")
FULL_BYTES = 64 * 1024  # less free than this in a work area: it is full
FULL_INODES = 2


class _Limited(io.RawIOBase):
    """Reads at most ``remaining`` bytes of ``source`` (the tar part of stdin)."""

    def __init__(self, source: IO[bytes], remaining: int) -> None:
        self._source = source
        self._remaining = remaining

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._remaining <= 0:
            return 0
        data = self._source.read(min(len(buffer), self._remaining))
        if not data:
            return 0
        buffer[: len(data)] = data
        self._remaining -= len(data)
        return len(data)


def _read_exact(source: IO[bytes], size: int) -> bytes:
    parts: list[bytes] = []
    while size > 0:
        data = source.read(size)
        if not data:
            raise EOFError("stdin closed before the job arrived")
        parts.append(data)
        size -= len(data)
    return b"".join(parts)


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return not name.startswith("/") and all(p not in ("", "..") for p in parts if p != ".")


def _receive(stdin: IO[bytes]) -> dict[str, Any]:
    (size,) = struct.unpack(">I", _read_exact(stdin, 4))
    header: dict[str, Any] = json.loads(_read_exact(stdin, size))
    with tarfile.open(fileobj=_Limited(stdin, int(header["tar_bytes"])), mode="r|") as tar:
        for member in tar:
            name = member.name
            if not _safe_name(name) or not (member.isfile() or member.isdir()):
                continue
            target = os.path.join(SANDBOX, name)
            if member.isdir():
                os.makedirs(target, mode=0o755, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            with open(target, "xb") as handle:
                while chunk := source.read(CHUNK):
                    handle.write(chunk)
    os.makedirs(OUTPUT_DIR, mode=0o755, exist_ok=True)
    return header


def _kill_others() -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(-1, signal.SIGKILL)
    _reap()


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _set_dumpable(flag: int) -> None:
    """PR_SET_DUMPABLE: 0 keeps the tool (same uid) out of the agent's /proc entries."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(4, flag, 0, 0, 0)


def _child(env: dict[str, str], max_file: int, out_w: int, err_w: int) -> None:
    """In the forked child: become the wrapper (no second interpreter start-up)."""
    try:
        _set_dumpable(1)
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.closerange(3, 256)
        if max_file > 0:
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_file, max_file))
        os.chdir(SANDBOX)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = [WRAPPER]
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        runpy.run_path(WRAPPER, run_name="__main__")
    finally:
        os._exit(1)


class _Forked:
    """The wrapper process (forked from the agent) and the read ends of its pipes."""

    def __init__(self, env: dict[str, str], max_file: int) -> None:
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(out_r)
            os.close(err_r)
            _child(env, max_file, out_w, err_w)
        os.close(out_w)
        os.close(err_w)
        self.pid = pid
        self.stdout = os.fdopen(out_r, "rb", buffering=0)
        self.stderr = os.fdopen(err_r, "rb", buffering=0)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


def _full() -> str | None:
    """``files`` or ``bytes`` when a work area tmpfs is (about) full, else None."""
    for area in WORK_AREAS:
        try:
            info = os.statvfs(area)
        except OSError:
            continue
        if info.f_files and info.f_favail < FULL_INODES:
            return "files"
        if info.f_blocks and info.f_bavail * info.f_frsize < FULL_BYTES:
            return "bytes"
    return None


def _execute(header: dict[str, Any]) -> tuple[bytes, bytes, int | None, bool, str | None]:
    env = {str(k): str(v) for k, v in header["env"].items()}
    deadline = time.monotonic() + float(header["timeout"])
    proc = _Forked(env, int(header.get("max_file_bytes", 0)))
    assert proc.stdout is not None
    assert proc.stderr is not None
    caps: dict[Any, int] = {
        proc.stdout: int(header["max_stdout"]),
        proc.stderr: int(header["max_stderr"]),
    }
    kept: dict[Any, bytearray] = {proc.stdout: bytearray(), proc.stderr: bytearray()}
    selector = selectors.DefaultSelector()
    for stream in caps:
        os.set_blocking(stream.fileno(), False)
        selector.register(stream, selectors.EVENT_READ)
    timed_out = False
    full: str | None = None
    while selector.get_map():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        full = _full()
        if full is not None:
            break
        # Grandchildren may hold the pipes open after the wrapper exits: poll it too.
        for key, _ in selector.select(min(remaining, 0.2)):
            data = os.read(key.fd, CHUNK)
            if not data:
                selector.unregister(key.fileobj)
                continue
            room = caps[key.fileobj] - len(kept[key.fileobj])
            if room > 0:
                kept[key.fileobj] += data[:room]
        if proc.poll() is not None and not selector.select(0):
            break
    while not timed_out and full is None and proc.poll() is None:  # pipes closed, still running
        if time.monotonic() >= deadline:
            timed_out = True
        else:
            full = _full()
            time.sleep(0.01)
    _kill_others()
    selector.close()
    full = full or _full()
    exit_code = None if timed_out else proc.returncode
    return bytes(kept[proc.stdout]), bytes(kept[proc.stderr]), exit_code, timed_out, full


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, name: str, path: str, limit: int) -> str | None:
    """Add one regular file (never following a symlink); the reason when skipped."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        return "unreadable: " + error.__class__.__name__
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return "not a regular file"
        if st.st_size > limit:
            return "too large"
        info = tarfile.TarInfo(name)
        info.size = st.st_size
        info.mode = 0o644
        info.mtime = int(st.st_mtime)
        tar.addfile(info, handle)
    return None


_KINDS = ((stat.S_ISLNK, "symlink"), (stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket"))


def _kind(mode: int) -> str:
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special_file"


def _add_output(
    tar: tarfile.TarFile, header: dict[str, Any], skipped: list[list[str]], budget: int
) -> list[str] | None:
    """Add ``output/`` (iteratively: no recursion, whatever the depth); the first entry the
    output may not hold ends it: ``[path, kind]``. The host checks everything again."""
    max_depth = int(header.get("max_output_depth", 64))
    max_entries = int(header.get("max_output_entries", 20000))
    info = tarfile.TarInfo("output")
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    tar.addfile(info)
    pending = [("output", 0)]
    count = 0
    while pending:
        rel_dir, depth = pending.pop()
        try:
            names = sorted(os.listdir(os.path.join(SANDBOX, rel_dir)))
        except OSError as error:
            if error.errno == errno.ENAMETOOLONG:
                return [rel_dir, "too_deep"]
            skipped.append([rel_dir, "unreadable: " + error.__class__.__name__])
            continue
        for name in names:
            rel = rel_dir + "/" + name
            count += 1
            if depth + 1 > max_depth:
                return [rel, "too_deep"]
            if count > max_entries:
                return [rel, "too_many_entries"]
            path = os.path.join(SANDBOX, rel)
            try:
                st = os.lstat(path)
            except OSError as error:
                if error.errno == errno.ENAMETOOLONG:
                    return [rel, "too_deep"]
                skipped.append([rel, "unreadable: " + error.__class__.__name__])
                continue
            if stat.S_ISDIR(st.st_mode):
                info = tarfile.TarInfo(rel)
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
                pending.append((rel, depth + 1))
                continue
            if not stat.S_ISREG(st.st_mode):
                return [rel, _kind(st.st_mode)]
            if st.st_size > budget:
                skipped.append([rel, "output size cap"])
                continue
            reason = _add_file(tar, rel, path, budget)
            if reason:
                skipped.append([rel, reason])
            else:
                budget -= st.st_size
    return None


def _send(header: dict[str, Any], stdout: bytes, stderr: bytes, meta: dict[str, Any]) -> None:
    result_path = header["env"].get("SKRIPTOTEKET_RESULT_PATH", SANDBOX + "/result.json")
    skipped: list[list[str]] = []
    budget = int(header["max_output_bytes"])
    with tarfile.open(fileobj=sys.stdout.buffer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        if os.path.lexists(result_path):
            reason = _add_file(tar, "result.json", result_path, int(header["max_result"]))
            if reason:
                skipped.append(["result.json", reason])
        _add_bytes(tar, "stdout", stdout)
        _add_bytes(tar, "stderr", stderr)
        violation = _add_output(tar, header, skipped, budget)
        if violation is not None:
            meta["violation"] = violation
        meta["skipped"] = skipped
        _add_bytes(tar, "meta.json", json.dumps(meta).encode())
    sys.stdout.buffer.flush()


def main() -> None:
    os.umask(0o022)
    _set_dumpable(0)
    try:
        header = _receive(sys.stdin.buffer)
    except EOFError:
        return  # the host closed the pool container without a job
    started = time.monotonic()
    stdout, stderr, exit_code, timed_out, full = _execute(header)
    meta = {
        "exit_code": exit_code,
        "timed_out": timed_out,
        "duration": round(time.monotonic() - started, 4),
        "work_area_full": full,
    }
    _send(header, stdout, stderr, meta)


if __name__ == "__main__":
    main()
