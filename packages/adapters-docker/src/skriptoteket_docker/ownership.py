"""Who owns a sandbox container, and which containers a start-up sweep may remove (issue 10:
several workers, possibly on different hosts, share one Docker engine).

Every container carries two labels: the **worker name** (``SKRIPTOTEKET_WORKER_NAME``, set by
``skriptoteket worker``; by default the process identity) and the **process identity**
``host:pid:start-time`` (``skriptoteket.builtin.process_identity``). A sweep removes only:

- this process's own stopped containers (a sandbox is used once; e.g. the engine went away
  mid-run);
- containers of a process that ran on THIS host and is gone (its pid is gone or was reused);
- containers of an earlier incarnation of this worker name: another process identity that is not
  alive here (e.g. the worker was restarted in a container with a new host name). Worker names
  must therefore be unique among live workers;
- a stopped container of anyone else once it has been stopped for a grace period (it is garbage;
  its owner removes it itself, and is done reading its result within seconds).

A running or waiting (warm pool) container of any other worker is never removed: a process on
another host cannot be checked from here, so it counts as alive.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs
from skriptoteket.builtin.process_identity import current_owner, is_alive

MANAGED = "skriptoteket.managed"
INSTANCE = "skriptoteket.instance"
WORKER = "skriptoteket.worker"


@attrs.frozen
class Owner:
    """The labels this process puts on the containers it creates."""

    instance: str
    worker: str

    @classmethod
    def current(cls, worker_name: str = "") -> Owner:
        instance = current_owner()
        return cls(instance=instance, worker=worker_name or instance)

    @property
    def labels(self) -> dict[str, str]:
        return {INSTANCE: self.instance, WORKER: self.worker}


class Claim(enum.Enum):
    """A sweep's verdict on one managed container (the value is its log text)."""

    OWN = "this process's, in use"
    OWN_STOPPED = "this process's, stopped"
    DEAD_OWNER = "its owner process on this host is gone"
    EARLIER_INCARNATION = "an earlier incarnation of this worker"
    OTHER_LIVE = "another worker's"
    OTHER_STOPPED = "another worker's, stopped"

    @property
    def removable(self) -> bool:
        return self in (Claim.OWN_STOPPED, Claim.DEAD_OWNER, Claim.EARLIER_INCARNATION)


def claim(me: Owner, labels: Mapping[str, str], *, stopped: bool) -> Claim:
    """What ``me`` may do with a managed container carrying ``labels``. A container made before
    worker names existed counts as named after its process identity (the default name)."""
    instance = labels.get(INSTANCE, "")
    if instance == me.instance:
        return Claim.OWN_STOPPED if stopped else Claim.OWN
    alive = is_alive(instance)  # None: another host's process, which cannot be checked
    if alive is False:
        return Claim.DEAD_OWNER
    if alive is None and (labels.get(WORKER) or instance) == me.worker:
        return Claim.EARLIER_INCARNATION
    return Claim.OTHER_STOPPED if stopped else Claim.OTHER_LIVE
