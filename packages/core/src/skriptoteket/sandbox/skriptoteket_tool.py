"""Helpers for Skriptoteket tool authors (importable in every sandbox).

    from skriptoteket_tool import ToolUserError, read_csv_rows, read_table, read_text

Raise ``ToolUserError("Filen saknar kolumnen E-post")`` to show the teacher a friendly message
instead of "the tool failed". Standard library only.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import os
import zipfile

__all__ = ["ToolUserError", "escape", "read_csv_rows", "read_table", "read_text", "read_xlsx_rows"]


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


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def read_xlsx_rows(path: str) -> list[list[str]]:
    """Non-empty rows of the first non-empty sheet of an Excel workbook, cells as text.
    Raises ToolUserError (in Swedish) for a file that is not a readable workbook."""
    import openpyxl  # in the sandbox's libraries; imported only when a tool reads Excel

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise ToolUserError("Filen kunde inte läsas som en Excel-fil.") from None
    try:
        for sheet in workbook.worksheets:
            rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            rows = [row for row in rows if any(row)]
            if rows:
                return rows
        return []
    except Exception:
        raise ToolUserError("Filen kunde inte läsas som en Excel-fil.") from None
    finally:
        workbook.close()


def read_table(path: str) -> list[list[str]]:
    """Non-empty rows of a class list or similar table: CSV/TXT (any separator and encoding
    above) or XLSX. Empty files and old .xls files give a friendly ToolUserError."""
    name = os.path.basename(path).lower()
    if os.path.getsize(path) == 0:
        raise ToolUserError("Filen är tom.")
    if name.endswith((".xlsx", ".xlsm")) or zipfile.is_zipfile(path):
        return read_xlsx_rows(path)
    if name.endswith(".xls"):
        raise ToolUserError(
            "Gamla Excel-filer (.xls) stöds inte. Spara filen som .xlsx eller .csv i Excel."
        )
    return read_csv_rows(path)
