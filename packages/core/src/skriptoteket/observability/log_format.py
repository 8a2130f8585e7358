"""How a log record becomes one line: JSON (one object a line, for collectors) or text (for a
person at a terminal). Both carry the bound correlation and run ids and every ``extra=`` field;
neither ever raises, whatever a caller passed.

JSON fields: ``timestamp`` (ISO 8601, UTC), ``level``, ``logger``, ``event`` (the message),
``service.name``, ``deployment.environment``, then ``correlation_id`` and ``run_id`` when set,
the ``extra=`` fields, and ``exception`` (the formatted traceback) when there is one (NFR-10).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from skriptoteket.observability import log_context

SERVICE_NAME = "skriptoteket"
REDACTED = "[redacted]"
# An extra field whose name says it holds a secret is never written out.
_SECRET_NAME = re.compile(r"passw(or)?d|secret|token|cookie|authori[sz]ation|csrf", re.I)
_CONTEXT_FIELDS = ("correlation_id", "run_id")
# Attributes every LogRecord has (``message``/``asctime`` once formatted, ``taskName`` since
# Python 3.12); everything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's coloured copy of the message
}
_BARE = re.compile(r"^[^\s\"'=]+$")


class ContextFilter(logging.Filter):
    """Puts the bound correlation and run ids on each record (an ``extra=`` value wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in log_context.current().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # wrong arguments for the format: keep both rather than lose the line
        return f"{record.msg!r} % {record.args!r}"


def context_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The correlation and run ids the record carries (see ``ContextFilter``)."""
    return {name: getattr(record, name) for name in _CONTEXT_FIELDS if hasattr(record, name)}


def caller_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The caller's ``extra=`` fields; a field named like a secret is redacted."""
    return {
        name: REDACTED if _SECRET_NAME.search(name) else value
        for name, value in record.__dict__.items()
        if name not in _STANDARD and name not in _CONTEXT_FIELDS and not name.startswith("_")
    }


def _access_fields(record: logging.LogRecord) -> dict[str, Any]:
    """uvicorn's access line, ``'%s - "%s %s HTTP/%s" %d'``, as fields too."""
    args = record.args
    if record.name != "uvicorn.access" or not isinstance(args, tuple) or len(args) != 5:
        return {}
    client, method, path, _version, status = args
    return {
        "client.address": client,
        "http.request.method": method,
        "url.path": path,
        "http.response.status_code": status,
    }


def _jsonable(value: object) -> object:
    """``json.dumps``'s fallback: a set as a list, anything else as its ``str()``."""
    if isinstance(value, set | frozenset):
        return list(value)
    try:
        return str(value)
    except Exception:
        return _repr(value)


def _repr(value: object) -> str:
    try:
        return repr(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def __init__(self, *, environment: str) -> None:
        super().__init__()
        self.environment = environment

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "event": message(record),
            "service.name": SERVICE_NAME,
            "deployment.environment": self.environment,
        }
        fields = context_fields(record) | _access_fields(record) | caller_fields(record)
        for name, value in fields.items():
            line[f"extra.{name}" if name in line else name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        try:
            return json.dumps(line, default=_jsonable, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError, RecursionError):  # NaN, a cycle, a str() that lies
            return json.dumps({k: _safe(v) for k, v in line.items()}, ensure_ascii=False)


def _safe(value: object) -> object:
    return value if isinstance(value, str | int | bool) or value is None else _repr(value)


class TextFormatter(logging.Formatter):
    """``2026-12-03T13:03:36.123Z INFO skriptoteket.runs run queued run_id=… tool_id=…``"""

    def format(self, record: logging.LogRecord) -> str:
        parts = [timestamp(record), record.levelname, record.name, message(record)]
        fields = context_fields(record) | caller_fields(record)
        parts += [f"{name}={_text_value(value)}" for name, value in fields.items()]
        text = " ".join(parts)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        elif record.exc_text:
            text += "\n" + record.exc_text
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        return text


def _text_value(value: object) -> str:
    if value is not None and not isinstance(value, str | int | float | list | tuple | dict):
        value = _jsonable(value)  # a UUID, a path, … as its text; a set as a list
    if isinstance(value, str):
        return value if _BARE.match(value) else json.dumps(value, ensure_ascii=False)
    try:
        return json.dumps(value, default=_jsonable, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return _repr(value)
