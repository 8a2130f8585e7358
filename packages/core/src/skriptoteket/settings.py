"""Settings from ``SKRIPTOTEKET_*`` environment variables.

CFG-01: one place, injected, no global settings object.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from skriptoteket.domain.errors import validation_error

PREFIX = "SKRIPTOTEKET_"


@attrs.frozen
class Settings:
    data_dir: Path = Path(".skriptoteket")
    database_url: str = ""
    runner: str = "local"
    artifact_store: str = "filesystem"
    run_queue: str = "inprocess"
    session_ttl_seconds: int = 604800
    database_echo: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.database_url:
            default = f"sqlite:///{(self.data_dir / 'skriptoteket.db').as_posix()}"
            object.__setattr__(self, "database_url", default)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(PREFIX + name)
            return value if value not in (None, "") else None

        kwargs: dict[str, object] = {}
        if (data_dir := get("DATA_DIR")) is not None:
            kwargs["data_dir"] = Path(data_dir)
        for field in ("database_url", "runner", "artifact_store", "run_queue"):
            if (value := get(field.upper())) is not None:
                kwargs[field] = value
        if (ttl := get("SESSION_TTL_SECONDS")) is not None:
            kwargs["session_ttl_seconds"] = _parse_int("SESSION_TTL_SECONDS", ttl)
        if (echo := get("DATABASE_ECHO")) is not None:
            kwargs["database_echo"] = echo.strip().lower() in ("1", "true", "yes", "on")
        return cls(**kwargs)  # type: ignore[arg-type]


def _parse_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise validation_error(f"{PREFIX}{name} must be a whole number", value=raw) from None


def url_scheme(database_url: str) -> str:
    """``postgresql+psycopg://…`` → ``postgresql``; ``sqlite:///x`` → ``sqlite``."""
    scheme, sep, _ = database_url.partition("://")
    if not sep and database_url.startswith("memory"):
        return "memory"
    return scheme.split("+", 1)[0].lower()
