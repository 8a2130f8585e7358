"""Settings from ``SKRIPTOTEKET_*`` environment variables (every field is one variable:
``runner_timeout_sandbox_seconds`` ↔ ``SKRIPTOTEKET_RUNNER_TIMEOUT_SANDBOX_SECONDS``).

CFG-01: all limits live here and are injected; nothing parses a limit anywhere else and there is
no global settings object.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from skriptoteket.domain.errors import validation_error
from skriptoteket.domain.run_results import OutputCaps
from skriptoteket.domain.uploads import InputLimits

PREFIX = "SKRIPTOTEKET_"
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.I)


def parse_size(raw: str) -> int:
    """``"1g"``, ``"512m"``, ``"200000"`` → bytes."""
    match = _SIZE_RE.match(raw)
    if not match:
        raise validation_error(f"Not a size: {raw!r} (use e.g. 512m or 1g)", value=raw)
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * 1024 ** "_kmgt".index(unit or "_"))


def _optional_path(value: str | Path | None) -> Path | None:
    return None if value is None else Path(value)


def _default_concurrency() -> int:
    return max(1, os.cpu_count() or 1)


@attrs.frozen
class Settings:
    # where things live
    data_dir: Path = attrs.field(default=Path(".skriptoteket"), converter=Path)
    database_url: str = ""
    artifacts_root: Path | None = attrs.field(default=None, converter=_optional_path)
    workspace_root: Path | None = attrs.field(default=None, converter=_optional_path)
    # which backend per port
    runner: str = "local"
    artifact_store: str = "filesystem"
    run_queue: str = "inprocess"
    # the s3 artifact store (skriptoteket-s3); credentials from AWS_ACCESS_KEY_ID/_SECRET_ACCESS_KEY
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    # identity
    session_ttl_seconds: int = 604800
    database_echo: bool = False
    # logs (skriptoteket.observability): "" lets the host choose (serve: json/INFO, a one-shot
    # CLI command: text/WARNING)
    log_format: str = ""
    log_level: str = ""
    environment: str = "development"
    # SQLite: how long a writer waits for the write lock (busy_timeout, and the connection
    # pool's wait) before BEGIN IMMEDIATE is retried (SQLITE_BEGIN_ATTEMPTS times in all)
    database_busy_timeout_seconds: float = 30.0
    # runs (RUN-12, RUN-18, RUN-31 replaced by a bounded queue)
    runner_timeout_sandbox_seconds: float = 60.0
    runner_timeout_production_seconds: float = 120.0
    runner_memory_limit: str = "1g"
    runner_cpu_limit: float = 1.0
    runner_pids_limit: int = 256
    runner_work_area_limit: str = "256m"
    runner_work_area_files: int = 20_000
    runner_max_file_size: str = "64m"
    runner_python: str = ""
    # local runner: a per-run pids cgroup bounds fork bombs even as root (costs ~15 ms a run)
    runner_pids_cgroup: bool = True
    runner_image: str = "skriptoteket-runner:latest"
    runner_pool_size: int = 2
    run_concurrency: int = attrs.field(factory=_default_concurrency)
    # the name this process's Docker containers are labelled with; "" = the process identity
    # (host:pid:start-time). Workers sharing one engine touch only their own (issue 10).
    worker_name: str = ""
    run_queue_max: int = 1000
    # `skriptoteket worker` (a shared run queue, issue 10): on SIGTERM the runs in flight get
    # this long to finish before they are failed as interrupted
    worker_shutdown_seconds: float = 30.0
    # the Procrastinate queue: workers heartbeat this often; a worker silent for
    # worker_stalled_seconds is lost and its runs are failed as interrupted
    worker_heartbeat_seconds: float = 5.0
    worker_stalled_seconds: float = 20.0
    # inputs (RUN-15) and outputs (RUN-19)
    upload_max_files: int = 20
    upload_max_file_bytes: int = 20 * 1024 * 1024
    upload_max_total_bytes: int = 50 * 1024 * 1024
    run_output_max_stdout_bytes: int = 200_000
    run_output_max_stderr_bytes: int = 200_000
    run_output_max_html_bytes: int = 500_000
    run_output_max_error_summary_bytes: int = 20_000
    run_output_max_artifacts: int = 100
    run_output_max_artifact_bytes: int = 50 * 1024 * 1024
    run_output_max_total_artifact_bytes: int = 200 * 1024 * 1024
    artifacts_retention_days: int = 7
    # RUN-29: sandbox runs' inputs are kept this long for debugging (0: never); production never
    sandbox_input_retention_hours: float = 24.0

    def __attrs_post_init__(self) -> None:
        if not self.database_url:
            default = f"sqlite:///{(self.data_dir / 'skriptoteket.db').as_posix()}"
            object.__setattr__(self, "database_url", default)
        if self.artifacts_root is None:
            object.__setattr__(self, "artifacts_root", self.data_dir / "artifacts")
        if self.workspace_root is None:
            object.__setattr__(self, "workspace_root", self.data_dir / "work")

    @property
    def artifacts_dir(self) -> Path:
        assert self.artifacts_root is not None
        return self.artifacts_root

    @property
    def sandbox_inputs_dir(self) -> Path:
        return self.data_dir / "sandbox-inputs"

    @property
    def workspace_dir(self) -> Path:
        assert self.workspace_root is not None
        return self.workspace_root

    @property
    def input_limits(self) -> InputLimits:
        return InputLimits(
            max_files=self.upload_max_files,
            max_file_bytes=self.upload_max_file_bytes,
            max_total_bytes=self.upload_max_total_bytes,
        )

    @property
    def output_caps(self) -> OutputCaps:
        return OutputCaps(
            max_stdout_bytes=self.run_output_max_stdout_bytes,
            max_stderr_bytes=self.run_output_max_stderr_bytes,
            max_html_bytes=self.run_output_max_html_bytes,
            max_error_summary_bytes=self.run_output_max_error_summary_bytes,
            max_artifacts=self.run_output_max_artifacts,
            max_artifact_bytes=self.run_output_max_artifact_bytes,
            max_total_artifact_bytes=self.run_output_max_total_artifact_bytes,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        kwargs: dict[str, Any] = {}
        for field in attrs.fields(cls):
            name = PREFIX + field.name.upper()
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            kwargs[field.name] = _convert(name, str(field.type), raw)
        return cls(**kwargs)

    def to_env(self) -> dict[str, str]:
        """Every field as its ``SKRIPTOTEKET_*`` variable, so that ``from_env`` on the result
        gives these settings back (child processes of ``serve --workers N`` inherit them)."""
        env: dict[str, str] = {}
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if value is None:
                continue
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            env[PREFIX + field.name.upper()] = text
        return env


def _convert(name: str, type_name: str, raw: str) -> Any:
    try:
        if type_name.startswith("Path"):
            return Path(raw)
        if type_name == "bool":
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
    except ValueError:
        raise validation_error(f"{name} must be a number, not {raw!r}", value=raw) from None
    return raw


def url_scheme(database_url: str) -> str:
    """``postgresql+psycopg://…`` → ``postgresql``; ``sqlite:///x`` → ``sqlite``."""
    scheme, sep, _ = database_url.partition("://")
    if not sep and database_url.startswith("memory"):
        return "memory"
    return scheme.split("+", 1)[0].lower()
