"""Helpers for Skriptoteket tool authors (importable in every sandbox).

    from skriptoteket_tool import ToolUserError, read_text, read_csv_rows

Raise ``ToolUserError("Filen saknar kolumnen E-post")`` to show the teacher a friendly message
instead of "the tool failed". Standard library only.
"""

from __future__ import annotations

import csv
import html
import io

__all__ = ["ToolUserError", "escape", "read_csv_rows", "read_text"]


class ToolUserError(Exception):
    """A problem the person running the tool can fix; the message is shown to them as is."""


def escape(value: object) -> str:
    """Make any value safe to put into the HTML a tool returns."""
    return html.escape(str(value), quote=True)


def read_text(path: str) -> str:
    """Read a text file saved by Excel, Notepad or a Mac: UTF-8 (with or without BOM), else
    Windows-1252. Raises ToolUserError for a file that is not text."""
    with open(path, "rb") as handle:
        data = handle.read()
    if b"\x00" in data[:4096]:
        raise ToolUserError("Filen verkar inte vara en textfil.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_csv_rows(path: str) -> list[list[str]]:
    """Rows of a CSV file with ``;``, ``,`` or tab between fields, any of the encodings above.
    Blank rows are dropped and cells are stripped."""
    text = read_text(path)
    first_line = text.lstrip().split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (";", "\t", ",")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    return _rows(text, delimiter)


def _rows(text: str, delimiter: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in row]
        for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        if any(cell.strip() for cell in row)
    ]
