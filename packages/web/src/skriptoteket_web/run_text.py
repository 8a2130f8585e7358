"""How a run reads for people (UI-03, UI-05, EXE-05): a failed run's stored failure code
(``RunFailure``) and its details become a Swedish sentence that says what happened and what the
teacher can do. Nothing here matches the English summary. A ToolUserError's message is shown as
it is. Teachers never see a stack trace, an exception name or an infrastructure detail; admins
and authors (``detailed``) also see the exception name, syntax errors and, for admins, what the
runner reported."""

from __future__ import annotations

from collections.abc import Mapping

from skriptoteket.domain.run_failures import INFRASTRUCTURE_FAILURES, FailureDetail, RunFailure
from skriptoteket.domain.runs import RunStatus, ToolRun

from skriptoteket_web.i18n import Translator
from skriptoteket_web.ui_text import N_

_TEXTS: Mapping[RunFailure, str] = {
    RunFailure.TIMEOUT: N_(
        "The tool took too long and was stopped after %(seconds)s seconds. Try a smaller file."
    ),
    RunFailure.MEMORY: N_(
        "The tool was stopped: it used too much memory (at most %(limit)s). The file is too"
        " large for the tool: split it up and run the parts one at a time."
    ),
    RunFailure.PROCESSES: N_(
        "The tool was stopped: it started too many processes (at most %(limit)s). Tell the"
        " tool's author."
    ),
    RunFailure.OUTPUT_NOT_ALLOWED: N_(
        "The tool wrote files that are not allowed (%(path)s). Tell the tool's author."
    ),
    RunFailure.INVALID_RESULT: N_("The tool gave an invalid answer. Tell the tool's author."),
    RunFailure.TOOL_ERROR: N_(
        "The tool failed. Try again, and tell the tool's author if it happens again."
    ),
    RunFailure.SYNTAX_ERROR: N_("The tool has an error and could not run."),
    RunFailure.SANDBOX_LOST: N_("The tool's sandbox stopped unexpectedly. Try again."),
    RunFailure.ENGINE_UNAVAILABLE: N_(
        "Tools cannot be run right now: the service that runs them is unavailable. Try again"
        " later, or tell your administrator."
    ),
    RunFailure.QUEUE_FULL: N_("The service is temporarily unavailable. Try again."),
    RunFailure.INTERRUPTED: N_("The run was interrupted because the server restarted. Try again."),
    RunFailure.INTERNAL: N_("An internal error occurred while the tool ran."),
}

_WORKER_LOST_TEXT = N_(
    "The run was interrupted because the machine running it stopped responding. Try again."
)

_DISK_TEXTS: Mapping[str, str] = {
    "bytes": N_(
        "The tool was stopped: it wrote more data than it is allowed to (at most %(limit)s)."
    ),
    "files": N_("The tool was stopped: it created too many files (at most %(limit)s)."),
    "file_size": N_("The tool was stopped: it wrote a file larger than %(limit)s."),
}

_TOO_LARGE_TEXTS: Mapping[str, str] = {
    "html": N_(
        "The tool's result is too large to show (%(size)s, at most %(limit)s). The file is too"
        " large for the tool: split it up and run the parts one at a time."
    ),
    "result": N_(
        "The tool's result is too large to show (%(size)s, at most %(limit)s). The file is too"
        " large for the tool: split it up and run the parts one at a time."
    ),
    "artifact": N_(
        "The tool made a file that is too large to download (%(size)s, at most %(limit)s)."
        " Split the input up and run the parts one at a time."
    ),
    "artifacts_total": N_(
        "The tool's files are too large together (at most %(limit)s). Split the input up and"
        " run the parts one at a time."
    ),
    "artifact_count": N_("The tool made too many files (at most %(limit)s)."),
}

FINAL_STATUSES = frozenset(s.value for s in RunStatus if s.is_terminal)


def error_text(run: ToolRun, t: Translator, *, detailed: bool = False) -> str | None:
    """The sentence for a run that did not succeed; None for a run without a failure."""
    code = run.failure_code
    if code is None:
        return None
    summary = (run.error_summary or "").strip()
    if code is RunFailure.USER_ERROR:
        return summary or t.gettext(_TEXTS[RunFailure.TOOL_ERROR])
    if code is RunFailure.SYNTAX_ERROR and detailed and summary:
        return summary
    text = _sentence(code, run.failure_details, t)
    if code is RunFailure.TOOL_ERROR and detailed:  # the author reads the traceback below
        exception = run.failure_details.get("exception")
        short = t.gettext(N_("The tool failed."))
        return f"{short} ({exception})" if exception else short
    if code in INFRASTRUCTURE_FAILURES and detailed and summary:
        return f"{text}\n{summary}"
    return text


def _sentence(code: RunFailure, details: Mapping[str, FailureDetail], t: Translator) -> str:
    limit = _amount(details.get("limit"), details, t)
    if code is RunFailure.TIMEOUT:
        return t.gettext(_TEXTS[code], seconds=details.get("limit_seconds", "?"))
    if code is RunFailure.MEMORY:
        return t.gettext(_TEXTS[code], limit=size_label(details.get("limit_bytes"), t))
    if code is RunFailure.DISK:
        resource = str(details.get("resource", "bytes"))
        return t.gettext(_DISK_TEXTS.get(resource, _DISK_TEXTS["bytes"]), limit=limit)
    if code is RunFailure.OUTPUT_TOO_LARGE:
        output = str(details.get("output", "result"))
        template = _TOO_LARGE_TEXTS.get(output, _TOO_LARGE_TEXTS["result"])
        return t.gettext(template, limit=limit, size=size_label(details.get("size"), t))
    if code is RunFailure.PROCESSES:
        return t.gettext(_TEXTS[code], limit=details.get("limit", "?"))
    if code is RunFailure.OUTPUT_NOT_ALLOWED:
        return t.gettext(_TEXTS[code], path=details.get("path", "?"))
    if code is RunFailure.INTERRUPTED and details.get("cause") == "worker_lost":
        return t.gettext(_WORKER_LOST_TEXT)
    return t.gettext(_TEXTS[code])


def _amount(
    value: FailureDetail | None, details: Mapping[str, FailureDetail], t: Translator
) -> str:
    """A limit in bytes reads as a size; a count (files, artifacts) as a number."""
    counted = details.get("resource") == "files" or details.get("output") == "artifact_count"
    if counted and isinstance(value, int):
        return t.number(value)
    return size_label(value, t)


def size_label(value: FailureDetail | None, t: Translator) -> str:
    """Bytes as people read them, in the binary units limits are set in (``256m`` is
    ``256 MB``), with the language's decimal sign: ``20 MB``, ``1,5 GB`` (``1.5 GB`` in
    English), ``812 byte``."""
    if not isinstance(value, int):
        return "?"
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if value >= factor:
            amount = value / factor
            shown = t.number(amount, decimals=0 if amount >= 10 else 1)
            return f"{shown}\u00a0{unit}"
    return f"{value}\u00a0byte"


def is_final(run: ToolRun) -> bool:
    return run.status.is_terminal


def size_text(n: int, t: Translator) -> str:
    """A count with the language's digit grouping (``1\u00a0234`` in Swedish)."""
    return t.number(n)
