"""How a run reads for people (UI-03, UI-05, EXE-05): the runner's English error summaries
become Swedish sentences through the catalog; a ToolUserError's message (and the core's own
Swedish texts) are shown as they are. Teachers never see a stack trace or an exception name;
admins and authors (``detailed``) also see the exception name and syntax errors."""

from __future__ import annotations

import re
from collections.abc import Mapping

from skriptoteket.domain.runs import RunStatus, ToolRun

from skriptoteket_web.i18n import Translator
from skriptoteket_web.ui_text import N_

_KNOWN: Mapping[str, str] = {
    "Execution timed out.": N_("The tool took too long and was stopped."),
    "Execution failed (runner contract violation).": N_("The tool gave an invalid answer."),
    "Execution failed (artifact extraction violation).": N_(
        "The tool wrote files that are not allowed."
    ),
    "Execution failed (internal error).": N_("An internal error occurred while the tool ran."),
    "Execution failed (the tool was stopped: it used too much memory or too many processes).": N_(
        "The tool was stopped: it used too much memory or too many processes."
    ),
    "Execution failed (the tool was stopped: it wrote more than its work area holds).": N_(
        "The tool was stopped: it wrote more data than it is allowed to."
    ),
    "The run queue is full; retry in a moment": N_(
        "The service is temporarily unavailable. Try again."
    ),
    "The run queue is shut down": N_("The service is temporarily unavailable. Try again."),
}
_TOOL_FAILED = re.compile(r"^Tool execution failed \((\w+)\)\.$")

FINAL_STATUSES = frozenset(s.value for s in RunStatus if s.is_terminal)


def error_text(run: ToolRun, t: Translator, *, detailed: bool = False) -> str | None:
    summary = (run.error_summary or "").strip()
    if not summary:
        return None
    if summary in _KNOWN:
        return t.gettext(_KNOWN[summary])
    failed = _TOOL_FAILED.match(summary)
    if failed:
        text = t.gettext(N_("The tool failed."))
        return f"{text} ({failed.group(1)})" if detailed else text
    if summary.startswith("SyntaxError"):
        return summary if detailed else t.gettext(N_("The tool has an error and could not run."))
    return summary  # ToolUserError, or a Swedish text of the core


def is_final(run: ToolRun) -> bool:
    return run.status.is_terminal


def size_text(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")
