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
import re
import zipfile

__all__ = [
    "ToolUserError",
    "display_name",
    "escape",
    "read_csv_rows",
    "read_pupils",
    "read_table",
    "read_text",
    "read_xlsx_rows",
]


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


NAME_HEADERS = frozenset(
    {
        "elev",
        "elever",
        "elevnamn",
        "elevens namn",
        "elev namn",
        "namn",
        "name",
        "student",
        "fullständigt namn",
        "för- och efternamn",
    }
)
HEADER_SEARCH_ROWS = 25


def _header(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.strip().lower().rstrip(":"))


def read_pupils(path: str, *, as_written: bool = False) -> list[str]:
    """Pupil names in file order from a class list (``read_table``): the column headed
    Elev/Namn (or Förnamn + Efternamn) within the first 25 rows, else a plain list of names.
    Names come as "Förnamn Efternamn" (``display_name``), or exactly as in the file with
    ``as_written=True``. Friendly ToolUserErrors when no names are found."""
    rows = read_table(path)
    if not rows:
        raise ToolUserError("Filen är tom.")
    shown = (lambda name: name) if as_written else display_name
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        headers = [_header(cell) for cell in row]
        name_cols = [i for i, h in enumerate(headers) if h in NAME_HEADERS]
        first = [i for i, h in enumerate(headers) if "förnamn" in h and "efternamn" not in h]
        last = [i for i, h in enumerate(headers) if "efternamn" in h and "förnamn" not in h]
        if not name_cols and not (first and last):
            continue
        pupils = []
        for data in rows[index + 1 :]:

            def cell(i: int, data: list[str] = data) -> str:
                return data[i] if i < len(data) else ""

            name = cell(name_cols[0]) if name_cols else f"{cell(first[0])} {cell(last[0])}".strip()
            if name:
                pupils.append(shown(name))
        if not pupils:
            raise ToolUserError("Inga elever hittades i filen.")
        return pupils
    # No header: accept a plain list with one name per line ("Efternamn, Förnamn" is fine).
    if all(len(row) <= 2 for row in rows):
        return [shown(", ".join(cell for cell in row if cell)) for row in rows]
    raise ToolUserError(
        'Hittade ingen kolumn med elevernas namn. Ge kolumnen rubriken "Elev" eller "Namn" '
        '(eller använd kolumnerna "Förnamn" och "Efternamn").'
    )


def display_name(name: str) -> str:
    """Turn "Efternamn, Förnamn" into "Förnamn Efternamn"; other names stay as they are."""
    last, comma, first = name.partition(",")
    if comma and first.strip() and last.strip() and "," not in first:
        return f"{first.strip()} {last.strip()}"
    return name.strip()
