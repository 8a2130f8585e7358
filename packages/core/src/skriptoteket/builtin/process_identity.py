"""This process's identity as the owner of runs, and the liveness of other owners on this host
(issue 10: owner-aware start-up recovery).

An owner is ``host:pid:start-time``; the start time is field 22 of ``/proc/PID/stat`` (clock
ticks since boot), so a pid the kernel has handed to a new process is told apart from the dead
owner. Another host's processes cannot be checked from here: their liveness is unknown (None).
"""

from __future__ import annotations

import functools
import os
import socket


def process_start_time(pid: int) -> str | None:
    """Field 22 (``starttime``) of ``/proc/PID/stat``; None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return None
    # Field 2 (comm) is in parentheses and may hold spaces and ")": split after its last ")".
    # The fields after it start at field 3, so field 22 is index 19.
    after_comm = stat.rsplit(")", 1)[-1].split()
    return after_comm[19] if len(after_comm) > 19 else None


def owner_of(host: str, pid: int, start_time: str) -> str:
    return f"{host}:{pid}:{start_time}"


@functools.cache
def current_owner() -> str:
    """This process's owner string, computed once (the values cannot change while it runs)."""
    pid = os.getpid()
    return owner_of(socket.gethostname(), pid, process_start_time(pid) or "0")


def default_worker_name() -> str:
    """``hostname:pid``: the name a process executing runs stamps on them (``ToolRun.worker``)
    unless told another (``skriptoteket worker --name``)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def is_alive(owner: str) -> bool | None:
    """True/False for an owner on this host, None for another host's; a malformed owner on
    this host is not alive (nothing could hold its runs)."""
    host, pid_text, start_time = _parse(owner)
    if host != socket.gethostname():
        return None
    if not pid_text.isdigit() or not start_time:
        return False
    return process_start_time(int(pid_text)) == start_time


def _parse(owner: str) -> tuple[str, str, str]:
    # The host name has no ":"; split from the right so an odd host name still parses.
    host, _, rest = owner.rpartition(":")
    host, _, pid_text = host.rpartition(":")
    return host, pid_text, rest


class LocalProcessLiveness:
    """The ``ProcessLiveness`` port for processes that run on one host or many."""

    @property
    def owner(self) -> str:
        return current_owner()

    def is_alive(self, owner: str) -> bool | None:
        return is_alive(owner)
