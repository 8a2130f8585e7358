"""Launchers for the local runner: shells started ahead of time, each already inside a fresh
pids cgroup of its own, waiting for the one run it will become (the local twin of the Docker
runner's warm pool).

Why: moving a process into a cgroup (v1) waits for an RCU grace period, ~15 ms a run on this
kind of host — more than bubblewrap itself. A launcher pays that before the request arrives.
When a run comes, the runner writes the run's launch script (``exec bwrap … </dev/null``) into
the run's private directory and sends its path on the launcher's stdin; the shell sources it, so
bubblewrap starts inside the launcher's cgroup and every process of the run is born there.

A launcher serves one run and is never reused. If our process dies, the launchers' stdin
closes, ``read`` fails and they exit: nothing is left waiting. A launcher made in another event
loop (a new ``asyncio.run``) is not used; the pool is then made anew.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import shlex
import subprocess
from collections.abc import Coroutine
from pathlib import Path

import attrs

from skriptoteket.builtin import local_sandbox as sb
from skriptoteket.builtin.local_cgroup import PidsCgroups, RunCgroup
from skriptoteket.builtin.local_process import Spawned, spawn

# $0 is the cgroup's procs file. A failed move or an empty stdin ends the shell (status 125)
# before anything of a run starts.
LAUNCHER_SCRIPT = 'echo 0 > "$0" || exit 125; read -r launch || exit 125; . "$launch"'
LAUNCH_FILE = "launch.sh"


@attrs.frozen
class Launcher:
    spawned: Spawned
    cgroup: RunCgroup

    def usable(self) -> bool:
        return not self.spawned.protocol.exited.done()

    def start(self, job_dir: Path, argv: list[str], max_processes: int) -> None:
        """Become the run: its process limit, its launch script, go."""
        (self.cgroup.path / "pids.max").write_text(str(max_processes))
        launch = job_dir / LAUNCH_FILE
        launch.write_text("exec " + shlex.join(argv) + " </dev/null\n", encoding="utf-8")
        stdin = self.spawned.protocol.stdin
        assert stdin is not None
        stdin.write(str(launch).encode() + b"\n")
        stdin.close()


class Launchers:
    """Up to ``size`` ready launchers, refilled in the background after each take."""

    def __init__(self, cgroups: PidsCgroups, cwd: Path, size: int, max_processes: int) -> None:
        self.cgroups = cgroups
        self.cwd = cwd
        self.size = size
        self.max_processes = max_processes
        self._ready: collections.deque[Launcher] = collections.deque()
        self._filling: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    async def fill(self) -> None:
        """Start launchers up to ``size`` in this event loop and wait until they are ready."""
        self._adopt_loop()
        self._refill()
        if self._filling:
            await asyncio.gather(*self._filling, return_exceptions=True)

    def take(self) -> Launcher | None:
        """A ready launcher of this event loop, or None (the caller spawns the usual way)."""
        if self._closed or self.size <= 0:
            return None
        self._adopt_loop()
        found = None
        while self._ready and found is None:
            candidate = self._ready.popleft()
            if candidate.usable():
                found = candidate
            else:
                self._spawn_task(self._discard(candidate))
        self._refill()
        return found

    async def close(self) -> None:
        self._closed = True
        if self._filling:
            await asyncio.gather(*self._filling, return_exceptions=True)
        while self._ready:
            await self._discard(self._ready.popleft())

    def _adopt_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._abandon()
            self._loop = loop

    def _refill(self) -> None:
        if self._closed:
            return
        for _ in range(self.size - len(self._ready) - len(self._filling)):
            self._spawn_task(self._fill_one())

    def _spawn_task(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._filling.add(task)
        task.add_done_callback(self._filling.discard)

    async def _fill_one(self) -> None:
        cgroup = self.cgroups.create(self.max_processes)
        cgroup.close_fd()
        argv = [sb.JOIN_CGROUP_SHELL, "-c", LAUNCHER_SCRIPT, str(cgroup.path / "cgroup.procs")]
        try:
            spawned = await spawn(argv, {}, str(self.cwd), None, stdin=subprocess.PIPE)
        except BaseException:
            await cgroup.remove()
            raise
        launcher = Launcher(spawned, cgroup)
        if self._closed or self._loop is not asyncio.get_running_loop():
            await self._discard(launcher)
        else:
            self._ready.append(launcher)

    async def _discard(self, launcher: Launcher) -> None:
        stdin = launcher.spawned.protocol.stdin
        if stdin is not None:
            stdin.close()  # its `read` fails: it exits by itself
        sb.kill_group(launcher.spawned.pid)
        await launcher.spawned.protocol.exited
        await launcher.cgroup.remove()
        launcher.spawned.transport.close()

    def _abandon(self) -> None:
        """Launchers of a finished event loop: kill them without that loop (best effort)."""
        while self._ready:
            launcher = self._ready.popleft()
            sb.kill_group(launcher.spawned.pid)
            launcher.cgroup.kill_all()
            with contextlib.suppress(OSError):
                launcher.cgroup.path.rmdir()
        self._filling.clear()
