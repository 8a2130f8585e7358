"""A per-run pids cgroup for the local runner, where the host lets us make one.

RLIMIT_NPROC does not bind a process whose host uid is root (the kernel exempts root's user
struct, also inside a user namespace that maps to root), so when the app runs as root the only
real bound on a fork bomb is a pids cgroup. Supports cgroup v1 (``/sys/fs/cgroup/pids``) and
cgroup v2 where the ``pids`` controller is enabled for our cgroup's children. The cgroup also
finds every leftover process of a run, even one that left the process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
import uuid
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PREFIX = "skriptoteket-run-"


class PidsCgroups:
    def __init__(self, base: Path) -> None:
        self.base = base

    @classmethod
    def probe(cls) -> PidsCgroups | None:
        base = _own_pids_cgroup()
        if base is None:
            return None
        try:
            group = cls(base).create(4)
        except OSError:
            return None
        group.close_fd()
        with contextlib.suppress(OSError):
            group.path.rmdir()
        found = cls(base)
        found.sweep()
        return found

    def sweep(self, older_than_seconds: float = 60.0) -> int:
        """Remove run cgroups left empty by processes that ended without cleaning up (a killed
        app, a runner never closed). Only empty ones can go (rmdir refuses others), and only old
        ones: a run's cgroup is filled milliseconds after it is made."""
        removed = 0
        now = time.time()
        for path in self.base.glob(f"{PREFIX}*"):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > older_than_seconds:
                    path.rmdir()
                    removed += 1
        return removed

    def create(self, max_pids: int) -> RunCgroup:
        path = self.base / f"{PREFIX}{uuid.uuid4().hex}"
        path.mkdir()
        try:
            (path / "pids.max").write_text(str(max_pids))
            fd = os.open(path / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC)
        except OSError:
            with contextlib.suppress(OSError):
                path.rmdir()
            raise
        return RunCgroup(path, fd)


class RunCgroup:
    def __init__(self, path: Path, procs_fd: int) -> None:
        self.path = path
        self.procs_fd: int | None = procs_fd

    def close_fd(self) -> None:
        if self.procs_fd is not None:
            os.close(self.procs_fd)
            self.procs_fd = None

    def pids(self) -> list[int]:
        try:
            text = (self.path / "cgroup.procs").read_text()
        except OSError:
            return []
        return [int(line) for line in text.split()]

    def kill_all(self) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    async def remove(self, grace_seconds: float = 5.0) -> None:
        """Kill whatever is still in the cgroup, wait until it is empty, remove it."""
        self.close_fd()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_seconds
        while True:
            self.kill_all()
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                if loop.time() > deadline:
                    return
            await asyncio.sleep(0.01)


def _own_pids_cgroup() -> Path | None:
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, rel = line.split(":", 2)
        if "pids" in controllers.split(","):
            candidate = CGROUP_ROOT / "pids" / rel.lstrip("/")
            if (candidate / "pids.max").exists() or candidate == CGROUP_ROOT / "pids":
                return candidate
    for line in lines:
        hierarchy, controllers, rel = line.split(":", 2)
        if hierarchy == "0" and controllers == "":
            candidate = CGROUP_ROOT / rel.lstrip("/")
            try:
                enabled = (candidate / "cgroup.subtree_control").read_text().split()
            except OSError:
                return None
            return candidate if "pids" in enabled else None
    return None
