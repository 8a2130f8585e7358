"""The one logging set-up every host calls: a single handler on the root logger, writing to
stderr in JSON or text, with the bound correlation and run ids (RUN-35, ERR-08, NFR-10).

Defaults differ by host and are decided here, once: a server (``serve``, ``demo`` once it
serves) writes JSON lines from INFO up, for a log collector; a one-shot CLI command writes text
from WARNING up, so its own output stays readable. ``SKRIPTOTEKET_LOG_FORMAT`` and
``SKRIPTOTEKET_LOG_LEVEL`` override both.
"""

from __future__ import annotations

import logging
import sys

from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.observability.log_format import ContextFilter, JsonFormatter, TextFormatter
from skriptoteket.settings import Settings

FORMATS = ("json", "text")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SERVER_DEFAULTS = ("json", "INFO")
COMMAND_DEFAULTS = ("text", "WARNING")
# The least a library logs at, whatever the level: aiosqlite at DEBUG logs each call with its
# SQL parameters (a new session's id and CSRF token among them); alembic's "setup plugin"
# lines are noise at every start.
_FLOORS = {"aiosqlite": logging.INFO, "alembic.runtime.plugins": logging.WARNING}


class StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (a test runner may swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            stream = sys.stderr
            stream.write(line + "\n")
            stream.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


def log_format(settings: Settings, *, server: bool) -> str:
    default = (SERVER_DEFAULTS if server else COMMAND_DEFAULTS)[0]
    chosen = (settings.log_format or default).strip().lower()
    if chosen not in FORMATS:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            f"SKRIPTOTEKET_LOG_FORMAT must be json or text, not {settings.log_format!r}",
            {"setting": "SKRIPTOTEKET_LOG_FORMAT", "value": settings.log_format},
            reason="invalid_log_format",
        )
    return chosen


def log_level(settings: Settings, *, server: bool) -> str:
    default = (SERVER_DEFAULTS if server else COMMAND_DEFAULTS)[1]
    chosen = (settings.log_level or default).strip().upper()
    if chosen not in LEVELS:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            f"SKRIPTOTEKET_LOG_LEVEL must be one of {', '.join(LEVELS)}, "
            f"not {settings.log_level!r}",
            {"setting": "SKRIPTOTEKET_LOG_LEVEL", "value": settings.log_level},
            reason="invalid_log_level",
        )
    return chosen


def configure_logging(settings: Settings, *, server: bool) -> logging.Handler:
    """Install (or replace) our handler on the root logger; returns it. Other handlers, e.g.
    a test runner's, are left alone."""
    fmt, level = log_format(settings, server=server), log_level(settings, server=server)
    handler = StderrHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(
        JsonFormatter(environment=settings.environment) if fmt == "json" else TextFormatter()
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, floor in _FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelNamesMapping()[level]))
    return handler
