"""The hardened sandbox container (RUN-10–RUN-14, AMB-03/04) and the engine connection.

Every function here is blocking (Docker SDK): callers run it in a worker thread (RUN-30).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import socket
import time
import uuid
from collections.abc import Mapping
from typing import Any

import attrs
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.run_failures import RunFailure
from skriptoteket.ports.execution import RunLimits
from skriptoteket.settings import Settings, parse_size

from skriptoteket_docker.ownership import INSTANCE as INSTANCE
from skriptoteket_docker.ownership import MANAGED as MANAGED
from skriptoteket_docker.ownership import WORKER as WORKER
from skriptoteket_docker.ownership import Claim, Owner, claim
from skriptoteket_docker.transfer import Channel

RUNNER_UID = 10001
IMAGE_HASH_LABEL = "skriptoteket.runner.hash"
AGENT_COMMAND = ("python3", "-I", "/runner/agent.py")
TMPFS_TMP = "rw,noexec,nosuid,nodev,size=256m,mode=1777"
log = logging.getLogger(__name__)
START_HINT = "start it with `sudo dockerd` or `sudo systemctl start docker`"
BUILD_HINT = "build it with `skriptoteket runner build-image`"


def engine_unavailable(detail: object) -> DomainError:
    return DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        f"The Docker engine is not reachable ({detail}); {START_HINT}.",
        reason=RunFailure.ENGINE_UNAVAILABLE,
    )


@attrs.frozen
class SandboxSpec:
    """The resource limits a container is created with; a pool container serves a job only
    when the job's spec is equal (RUN-12)."""

    image: str
    memory_bytes: int
    nano_cpus: int
    pids_limit: int
    work_area_bytes: int
    work_area_files: int = RunLimits().work_area_files

    @classmethod
    def from_settings(cls, settings: Settings) -> SandboxSpec:
        return cls(
            image=settings.runner_image,
            memory_bytes=parse_size(settings.runner_memory_limit),
            nano_cpus=int(settings.runner_cpu_limit * 1e9),
            pids_limit=settings.runner_pids_limit,
            work_area_bytes=parse_size(settings.runner_work_area_limit),
            work_area_files=settings.runner_work_area_files,
        )

    @classmethod
    def for_job(cls, image: str, limits: RunLimits) -> SandboxSpec:
        return cls(
            image=image,
            memory_bytes=limits.memory_bytes,
            nano_cpus=int(limits.cpu_count * 1e9),
            pids_limit=limits.max_processes,
            work_area_bytes=limits.work_area_bytes,
            work_area_files=limits.work_area_files,
        )


def create_kwargs(spec: SandboxSpec, labels: Mapping[str, str]) -> dict[str, Any]:
    """The keyword arguments of ``containers.create`` (tests inspect the created container)."""
    return {
        "image": spec.image,
        "command": list(AGENT_COMMAND),
        "user": f"{RUNNER_UID}:{RUNNER_UID}",
        "working_dir": "/sandbox",
        "network_mode": "none",
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "read_only": True,
        # nr_inodes bounds the entries (RUN-12/RUN-14): 200,000 empty files end as ENOSPC,
        # which the agent reports as the work area being full.
        "tmpfs": {
            "/tmp": f"{TMPFS_TMP},nr_inodes={spec.work_area_files}",
            "/sandbox": (
                f"rw,noexec,nosuid,nodev,size={spec.work_area_bytes},"
                f"nr_inodes={spec.work_area_files},mode=1777"
            ),
        },
        "pids_limit": spec.pids_limit,
        "mem_limit": spec.memory_bytes,
        "memswap_limit": spec.memory_bytes,
        "nano_cpus": spec.nano_cpus,
        "ipc_mode": "private",
        "environment": {"HOME": "/tmp", "TMPDIR": "/tmp"},
        "labels": {MANAGED: "1", **labels},
        "log_config": {"type": "none"},  # results travel over the attach socket only
        "stdin_open": True,
        "tty": False,
        "auto_remove": False,
        "detach": True,
    }


@attrs.frozen
class Created:
    id: str


@attrs.frozen
class ManagedContainer:
    id: str
    labels: Mapping[str, str]
    status: str


class Engine:
    """One Docker SDK client (thread-safe connection pool) plus the calls the runner makes.
    ``owner`` labels every container it creates (default: this process, its own worker name)."""

    def __init__(self, client: Any, owner: Owner | None = None) -> None:
        self.client = client
        self.owner = owner or Owner.current()

    @property
    def instance(self) -> str:
        return self.owner.instance

    @property
    def worker(self) -> str:
        return self.owner.worker

    @classmethod
    def connect(cls, *, pool_size: int = 32, worker_name: str = "") -> Engine:
        import docker  # lazy: plugin discovery must not import the SDK

        _probe_unix_socket(os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"))
        try:
            client = docker.from_env(version="auto", max_pool_size=pool_size, timeout=30)
            client.ping()
        except Exception as error:  # DockerException, requests' ConnectionError, …
            raise engine_unavailable(_short(error)) from error
        return cls(client, Owner.current(worker_name))

    def check_image(self, image: str, expected_hash: str | None) -> None:
        import docker.errors

        try:
            found = self.client.images.get(image)
        except docker.errors.ImageNotFound:
            raise DomainError(
                ErrorCode.SERVICE_UNAVAILABLE,
                f"The runner image {image} is missing; {BUILD_HINT}.",
                reason=RunFailure.ENGINE_UNAVAILABLE,
            ) from None
        except Exception as error:
            raise engine_unavailable(_short(error)) from error
        labels = found.attrs.get("Config", {}).get("Labels") or {}
        if expected_hash is not None and labels.get(IMAGE_HASH_LABEL) != expected_hash:
            raise DomainError(
                ErrorCode.SERVICE_UNAVAILABLE,
                f"The runner image {image} is out of date; rebuild it with "
                "`skriptoteket runner build-image`.",
                reason=RunFailure.ENGINE_UNAVAILABLE,
            )

    def create(self, spec: SandboxSpec, labels: Mapping[str, str]) -> Created:
        """Create (not start) a sandbox container: one API call, no follow-up inspect."""
        from docker.models.containers import _create_container_args

        kwargs = create_kwargs(spec, {**self.owner.labels, **labels})
        kwargs.pop("detach")
        kwargs["version"] = self.client.api._version
        response = self.client.api.create_container(**_create_container_args(kwargs))
        return Created(str(response["Id"]))

    def attach(self, container: Created) -> Channel:
        params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        return Channel(self.client.api.attach_socket(container.id, params=params))

    def start(self, container: Created) -> None:
        self.client.api.start(container.id)

    def kill(self, container_id: str) -> None:
        import docker.errors

        with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
            self.client.api.kill(container_id)

    def remove(self, container_id: str) -> None:
        """Force-remove; a container already gone is fine, an unreachable engine raises."""
        import docker.errors

        for attempt in range(3):
            try:
                self.client.api.remove_container(container_id, force=True)
                return
            except docker.errors.NotFound:
                return
            except docker.errors.APIError as error:
                if "already in progress" in str(error):
                    return
                if attempt == 2:
                    raise
                time.sleep(0.1)
            except Exception as error:
                raise engine_unavailable(_short(error)) from error

    def managed(self) -> list[ManagedContainer]:
        """Our containers, from ONE list call: no per-container inspect, which would race with
        containers being removed meanwhile (another process's runs end all the time)."""
        rows = self.client.api.containers(all=True, filters={"label": f"{MANAGED}=1"})
        return [
            ManagedContainer(id=r["Id"], labels=r.get("Labels") or {}, status=r.get("State", ""))
            for r in rows
        ]

    def sweep_orphans(self, live_grace_seconds: float = 600.0) -> list[str]:
        """Remove the managed containers this worker may remove (``ownership.claim``): its own
        stopped ones, a dead same-host process's, an earlier incarnation's of this worker name.
        Another worker's stopped container is left alone while it may still be reading its
        result, i.e. for ``live_grace_seconds`` after it stopped; its running and warm-pool
        containers are never touched."""
        removed: list[str] = []
        for container in self.managed():
            stopped = container.status in ("exited", "dead")
            verdict = claim(self.owner, container.labels, stopped=stopped)
            if verdict is Claim.OTHER_STOPPED:
                if self._stopped_for(container.id) < live_grace_seconds:
                    continue
            elif not verdict.removable:
                continue
            log.info("sweep: removing container %s (%s)", container.id[:12], verdict.value)
            self.remove(container.id)  # one gone meanwhile counts as removed
            removed.append(container.id)
        return removed

    def _stopped_for(self, container_id: str) -> float:
        """Seconds since the container stopped (0 when unknown: it is then kept)."""
        try:
            finished = self.client.api.inspect_container(container_id)["State"]["FinishedAt"]
            stamp = datetime.datetime.fromisoformat(finished[:26].rstrip("Z") + "+00:00")
        except Exception:
            return 0.0
        return max(0.0, time.time() - stamp.timestamp())

    def alive(self) -> bool:
        try:
            self.client.ping()
        except Exception:
            return False
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()


def _probe_unix_socket(host: str) -> None:
    """Fail fast (and without leaking the SDK's half-made socket) when a unix socket is dead."""
    if not host.startswith("unix://"):
        return
    path = host[len("unix://") :]
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(5)
        probe.connect(path)
    except OSError as error:
        raise engine_unavailable(f"{path}: {error.strerror or error}") from None
    finally:
        probe.close()


def _short(error: BaseException) -> str:
    text = str(error) or error.__class__.__name__
    return text if len(text) < 200 else text[:200] + "…"


def new_pool_labels() -> dict[str, str]:
    return {"skriptoteket.pool": "1", "skriptoteket.slot": uuid.uuid4().hex[:12]}
