"""The one logging set-up (RUN-35, ERR-08, NFR-10): how a record becomes a JSON or text line,
the ids a line inherits from its request or run, and the settings that choose format and level."""

from __future__ import annotations

import asyncio
import contextvars
import io
import json
import logging
import re
import sys
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from skriptoteket.domain.errors import DomainError
from skriptoteket.observability.log_context import bind_correlation_id, bind_run
from skriptoteket.observability.log_format import (
    REDACTED,
    ContextFilter,
    JsonFormatter,
    TextFormatter,
)
from skriptoteket.observability.log_setup import StderrHandler, configure_logging
from skriptoteket.settings import Settings

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _record(
    msg: str = "run finished",
    *args: object,
    extra: dict[str, Any] | None = None,
    exc_info: Any = None,
    name: str = "skriptoteket.runs",
    level: int = logging.INFO,
) -> logging.LogRecord:
    record = logging.getLogger(name).makeRecord(
        name, level, __file__, 1, msg, args, exc_info, extra=extra
    )
    ContextFilter().filter(record)
    return record


def _json(record: logging.LogRecord, environment: str = "development") -> dict[str, Any]:
    line = JsonFormatter(environment=environment).format(record)
    assert "\n" not in line
    parsed: dict[str, Any] = json.loads(line)
    return parsed


def test_a_json_line_has_the_nfr10_fields_and_the_extra_fields() -> None:
    run_id = uuid.uuid4()
    line = _json(
        _record("run %s took %.1f s", "x", 1.25, extra={"run_id": run_id, "seconds": 1.25}),
        environment="production",
    )
    assert ISO_UTC.match(line.pop("timestamp"))
    assert line == {
        "level": "INFO",
        "logger": "skriptoteket.runs",
        "event": "run x took 1.2 s",
        "service.name": "skriptoteket",
        "deployment.environment": "production",
        "run_id": str(run_id),
        "seconds": 1.25,
    }


def test_a_line_carries_the_bound_correlation_and_run_ids_and_an_extra_wins() -> None:
    assert "correlation_id" not in _json(_record())
    with bind_correlation_id("test-123"), bind_run(uuid.UUID(int=7)):
        bound = _json(_record())
        explicit = _json(_record(extra={"run_id": "given"}))
    assert (bound["correlation_id"], bound["run_id"]) == ("test-123", str(uuid.UUID(int=7)))
    assert explicit["run_id"] == "given"
    assert "run_id" not in _json(_record())


async def test_a_run_id_bound_around_task_creation_reaches_the_task_and_a_copied_thread() -> None:
    seen: list[str] = []

    async def in_task() -> None:
        seen.append(_json(_record())["run_id"])
        thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(lambda: seen.append(_json(_record())["run_id"]),),
        )
        thread.start()
        thread.join()

    with bind_run("r-1"):
        task = asyncio.create_task(in_task())
    await task
    assert seen == ["r-1", "r-1"]


def test_an_exception_is_one_string_field_on_the_same_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        line = _json(_record("runner failed", exc_info=sys.exc_info(), level=logging.ERROR))
    assert line["level"] == "ERROR"
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert line["exception"].endswith("ValueError: boom")


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no")

    def __repr__(self) -> str:
        raise RuntimeError("no")


def test_extras_that_json_cannot_encode_still_give_a_json_line() -> None:
    cyclic: list[object] = []
    cyclic.append(cyclic)
    line = _json(
        _record(
            extra={
                "path": __import__("pathlib").Path("/tmp/x"),
                "kinds": {"a"},
                "odd": _Unprintable(),
            }
        )
    )
    assert (line["path"], line["kinds"], line["odd"]) == (
        "/tmp/x",
        ["a"],
        "<unprintable _Unprintable>",
    )
    fallback = _json(_record(extra={"ratio": float("nan"), "loop": cyclic, "n": 3}))
    assert (fallback["ratio"], fallback["n"]) == ("nan", 3)
    assert fallback["loop"].startswith("[[...]")


def test_secret_extras_are_redacted_and_base_fields_cannot_be_overwritten() -> None:
    line = _json(
        _record(
            extra={
                "password": "Kanelbulle-42",
                "csrf_token": "c5rf",
                "Authorization": "Bearer x",
                "level": "fake",
                "passed_checks": 3,
            }
        )
    )
    assert line["passed_checks"] == 3
    assert (line["password"], line["csrf_token"], line["Authorization"]) == (REDACTED,) * 3
    assert (line["level"], line["extra.level"]) == ("INFO", "fake")


def test_a_message_whose_arguments_do_not_fit_is_kept_not_lost() -> None:
    assert _json(_record("%d runs", "many"))["event"] == "'%d runs' % ('many',)"


def test_uvicorns_access_line_also_gives_its_parts_as_fields() -> None:
    record = _record(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        "/nope",
        "1.1",
        404,
        name="uvicorn.access",
        extra={"color_message": "coloured"},
    )
    line = _json(record)
    assert line["event"] == '127.0.0.1:5000 - "GET /nope HTTP/1.1" 404'
    assert (line["http.request.method"], line["url.path"]) == ("GET", "/nope")
    assert line["http.response.status_code"] == 404
    assert "color_message" not in line


def test_a_text_line_is_readable_with_key_value_fields_and_the_traceback_below() -> None:
    try:
        raise KeyError("k")
    except KeyError:
        exc_info = sys.exc_info()
    with bind_correlation_id("c-1"):
        text = TextFormatter().format(
            _record(
                "run finished",
                extra={"run_id": uuid.UUID(int=1), "note": "two words", "n": 2},
                exc_info=exc_info,
            )
        )
    first, *rest = text.splitlines()
    stamp, level, logger, event = first.split(" ", 3)
    assert ISO_UTC.match(stamp)
    assert (level, logger) == ("INFO", "skriptoteket.runs")
    assert event == (
        f'run finished correlation_id=c-1 run_id={uuid.UUID(int=1)} note="two words" n=2'
    )
    assert rest[0] == "Traceback (most recent call last):"
    assert rest[-1] == "KeyError: 'k'"


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger, restored afterwards (configure_logging changes process state)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_configure_logging_chooses_by_host_and_settings(
    root_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)  # the handler writes to the current stderr
    configure_logging(Settings(), server=True)
    logging.getLogger("skriptoteket.test").info("served")
    configure_logging(Settings(), server=False)  # replaces our handler, keeps others
    logging.getLogger("skriptoteket.test").info("dropped: a command logs from WARNING")
    logging.getLogger("skriptoteket.test").warning("kept")
    configure_logging(Settings(log_format="TEXT", log_level="debug"), server=True)
    logging.getLogger("skriptoteket.test").debug("debug")
    assert sum(isinstance(h, StderrHandler) for h in root_logger.handlers) == 1
    served, kept, debug = stderr.getvalue().splitlines()
    assert json.loads(served)["event"] == "served"
    assert kept.split(" ", 1)[1] == "WARNING skriptoteket.test kept"
    assert debug.split(" ", 1)[1] == "DEBUG skriptoteket.test debug"


def test_aiosqlite_never_logs_its_sql_parameters_even_at_debug(root_logger: logging.Logger) -> None:
    configure_logging(Settings(log_level="DEBUG"), server=True)
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        (Settings(log_format="xml"), "invalid_log_format"),
        (Settings(log_level="LOUD"), "invalid_log_level"),
    ],
)
def test_an_unknown_format_or_level_is_refused(
    root_logger: logging.Logger, settings: Settings, reason: str
) -> None:
    with pytest.raises(DomainError) as refused:
        configure_logging(settings, server=True)
    assert refused.value.reason == reason
    assert "SKRIPTOTEKET_LOG_" in refused.value.message
