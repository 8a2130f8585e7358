"""Upload rules: filename sanitization (RUN-15) and the caps on what goes in."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import attrs

from skriptoteket.domain.errors import validation_error

FILENAME_MAX_LENGTH = 255
DEFAULT_FILENAME = "input.bin"


@attrs.frozen
class InputLimits:
    max_files: int = 20
    max_file_bytes: int = 20 * 1024 * 1024
    max_total_bytes: int = 50 * 1024 * 1024


def sanitize_filename(raw: str | None) -> str:
    """RUN-15: strip; non-empty; not absolute; no ``..``; no ``/`` or ``\\``; ≤255 characters.
    Control characters (NUL included) are rejected too. A missing name becomes ``input.bin``."""
    if raw is None:
        return DEFAULT_FILENAME
    name = unicodedata.normalize("NFC", raw.strip())
    if not name:
        raise validation_error("The file name is empty", reason="bad_file_name", field="files")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise validation_error(
            "The file name contains control characters", reason="bad_file_name", field="files"
        )
    if "/" in name or "\\" in name:
        raise validation_error(
            f"The file name may not contain / or \\: {name!r}",
            reason="bad_file_name",
            field="files",
        )
    if set(name) == {"."}:
        raise validation_error(
            "The file name may not be made of dots only", reason="bad_file_name", field="files"
        )
    if len(name) > FILENAME_MAX_LENGTH:
        raise validation_error(
            "The file name is longer than 255 characters", reason="bad_file_name", field="files"
        )
    return name


def check_upload_caps(names_and_sizes: Sequence[tuple[str, int]], limits: InputLimits) -> None:
    """Too many files, a file too large, too much in total, or two files with one name."""
    if len(names_and_sizes) > limits.max_files:
        raise validation_error(
            f"At most {limits.max_files} files per run",
            reason="too_many_files",
            field="files",
            limit=limits.max_files,
        )
    total = 0
    seen: set[str] = set()
    for name, size in names_and_sizes:
        if size > limits.max_file_bytes:
            raise validation_error(
                f"{name!r} is larger than {limits.max_file_bytes // (1024 * 1024)} MB",
                reason="file_too_large",
                field="files",
                file=name,
                limit=limits.max_file_bytes,
            )
        total += size
        if name.lower() in seen:
            raise validation_error(
                f"Two files are named {name!r}",
                reason="duplicate_file_name",
                field="files",
                file=name,
            )
        seen.add(name.lower())
    if total > limits.max_total_bytes:
        raise validation_error(
            f"The files are larger than {limits.max_total_bytes // (1024 * 1024)} MB together",
            reason="files_too_large_together",
            field="files",
            limit=limits.max_total_bytes,
        )
