"""What comes back from a sandbox, checked by the app: the ``result.json`` contract
(RUN-05–RUN-07), artifact path safety and ids (RUN-22, RUN-25) and output caps (RUN-19)."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from skriptoteket.domain.run_failures import FailureReport, RunFailure
from skriptoteket.domain.runs import Artifact, RunStatus

RESULT_CONTRACT_VERSIONS = (1, 2)
CONTRACT_VIOLATION = "Execution failed (runner contract violation)."
EXTRACTION_VIOLATION = "Execution failed (artifact extraction violation)."
TIMED_OUT = "Execution timed out."
INTERNAL_FAILURE = "Execution failed (internal error)."
WORK_AREA_EXCEEDED = (
    "Execution failed (the tool was stopped: it wrote more than its work area holds)."
)
# A runner's ``diagnostics["killed"]`` when it stopped the tool for filling its work area.
KILLED_WORK_AREA = "work area limit exceeded"


@attrs.frozen
class OutputCaps:
    """RUN-19 plus artifact caps; enforced by the app, the final enforcement point."""

    max_stdout_bytes: int = 200_000
    max_stderr_bytes: int = 200_000
    max_html_bytes: int = 500_000
    max_error_summary_bytes: int = 20_000
    max_artifacts: int = 100
    max_artifact_bytes: int = 50 * 1024 * 1024
    max_total_artifact_bytes: int = 200 * 1024 * 1024


def truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut at a UTF-8 character boundary so the result is never invalid text."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", errors="ignore")


class ContractViolation(Exception):
    """The sandbox broke the result contract; the run fails with CONTRACT_VIOLATION, or with
    ``failure`` when the finder knew more (an output entry not allowed, a cap passed)."""

    def __init__(self, message: str, failure: FailureReport | None = None) -> None:
        super().__init__(message)
        self.failure = failure


def output_not_allowed(path: str, kind: str) -> ContractViolation:
    """RUN-23/RUN-24: a symlink, device, FIFO, socket or unsafe name in the output."""
    shown = path.encode("utf-8", "backslashreplace").decode("utf-8")[:200]
    return ContractViolation(
        f"{shown} is not allowed in the output ({kind})",
        FailureReport(RunFailure.OUTPUT_NOT_ALLOWED, {"path": shown, "kind": kind}),
    )


# RUN-22: an output tree deeper than this is refused (a violation, not something to walk on).
MAX_OUTPUT_DEPTH = 64


def special_file_kind(mode: int) -> str | None:
    """None for a regular file or a directory; else what RUN-23 refuses in the output:
    symlink, fifo, socket, device or special_file."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special_file"


def unsafe_output_name(name: str) -> bool:
    """RUN-22: one path segment an artifact may not carry (empty, ``.``/``..``, a separator,
    a backslash, NUL, or bytes that are not UTF-8)."""
    if name in ("", ".", "..") or "/" in name or "\\" in name or "\x00" in name:
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in a file name (surrogate escapes)
        return True
    return False


def output_too_large(
    message: str, output: str, limit: int, size: int | None = None
) -> ContractViolation:
    """A cap on the artifacts passed: ``output`` is artifact, artifacts_total or
    artifact_count."""
    details: dict[str, str | int] = {"output": output, "limit": limit}
    if size is not None:
        details["size"] = size
    return ContractViolation(message, FailureReport(RunFailure.OUTPUT_TOO_LARGE, details))


@attrs.frozen
class ToolResult:
    status: RunStatus
    html_output: str
    error_summary: str | None
    user_error: bool = False
    failure: FailureReport | None = None
    """Set by the wrapper when it refused the tool's own result (too large to return)."""


def parse_result(raw: bytes) -> ToolResult:
    """RUN-06/RUN-07: validate ``result.json``; any deviation is a ContractViolation."""
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ContractViolation(f"result.json is not valid UTF-8 JSON: {error}") from None
    if not isinstance(data, Mapping):
        raise ContractViolation("result.json is not an object")
    version = data.get("contract_version")
    if isinstance(version, bool) or version not in RESULT_CONTRACT_VERSIONS:
        raise ContractViolation(f"unknown contract_version {version!r}")
    try:
        status = RunStatus(str(data.get("status")))
    except ValueError:
        raise ContractViolation(f"unknown status {data.get('status')!r}") from None
    if status not in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.TIMED_OUT):
        raise ContractViolation(f"status {status.value!r} is not a result status")
    html = data.get("html_output", "")
    summary = data.get("error_summary")
    if not isinstance(html, str) or not (summary is None or isinstance(summary, str)):
        raise ContractViolation("html_output must be text and error_summary text or null")
    artifacts = data.get("artifacts", [])
    if not isinstance(artifacts, list):
        raise ContractViolation("artifacts must be a list")
    for item in artifacts:
        if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
            raise ContractViolation("every artifact needs a path")
        safe_artifact_path(item["path"])
    user_error = data.get("user_error", False) if version >= 2 else False
    if not isinstance(user_error, bool):
        raise ContractViolation("user_error must be true or false")
    failure = _wrapper_failure(data.get("failure")) if version >= 2 else None
    if failure is not None and status is RunStatus.SUCCEEDED:
        raise ContractViolation("a succeeded result cannot carry a failure")
    return ToolResult(
        status=status,
        html_output=html,
        error_summary=summary,
        user_error=user_error,
        failure=failure,
    )


def _wrapper_failure(raw: Any) -> FailureReport | None:
    """The one failure the fixed wrapper reports itself: a result too large to return."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or raw.get("code") != RunFailure.OUTPUT_TOO_LARGE.value:
        raise ContractViolation("unknown failure in result.json")
    output, size, limit = raw.get("output"), raw.get("size"), raw.get("limit")
    if (
        not isinstance(output, str)
        or not isinstance(size, int)
        or not isinstance(limit, int)
        or isinstance(size, bool)
        or isinstance(limit, bool)
    ):
        raise ContractViolation("a failure needs output, size and limit")
    return FailureReport(
        RunFailure.OUTPUT_TOO_LARGE, {"output": output[:32], "size": size, "limit": limit}
    )


def safe_artifact_path(path: str) -> str:
    """RUN-22: relative, no ``..`` after normalization, first segment ``output``.
    Returns the normalized posix path or raises ContractViolation."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        raise output_not_allowed(repr(path), "unsafe_name")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts or ".." in parts or parts[0] != "output" or len(parts) < 2:
        raise output_not_allowed(repr(path), "unsafe_name")
    return "/".join(parts)


def artifact_id_for(path: str) -> str:
    """RUN-25: lower-case slug of the path; runs of other characters become ``_``."""
    slug = re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_")
    return slug or "artifact"


def build_manifest(files: Iterable[tuple[str, int]]) -> tuple[Artifact, ...]:
    """RUN-25: sorted by path; colliding ids get ``_2``, ``_3`` …"""
    taken: set[str] = set()
    artifacts = []
    for path, size in sorted(files):
        base = artifact_id_for(path)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        artifacts.append(Artifact(artifact_id=candidate, path=path, bytes=size))
    return tuple(artifacts)


def format_syntax_error(error: SyntaxError) -> str:
    """RUN-08: ``SyntaxError: msg (line L, col C)`` plus the line and a caret."""
    line, col = error.lineno or 0, error.offset or 0
    text = (error.text or "").rstrip("\n")
    caret = " " * max(col - 1, 0) + "^"
    return f"SyntaxError: {error.msg} (line {line}, col {col})\n{text}\n{caret}"


def syntax_preflight(source_code: str) -> str | None:
    """None when the source compiles, else the RUN-08 error summary."""
    try:
        compile(source_code, "<tool_version>", "exec")
    except SyntaxError as error:
        return format_syntax_error(error)
    except ValueError as error:  # e.g. NUL bytes in the source
        return f"SyntaxError: {error}"
    return None
