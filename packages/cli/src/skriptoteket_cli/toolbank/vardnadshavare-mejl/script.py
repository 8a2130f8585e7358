"""Guardians' e-mail addresses from a class list, as a BCC list for Outlook.

Contract 2: ``run_tool(input_dir, output_dir, inputs)``; ``inputs["klasslista"]`` is a list with
one path (CSV/TXT in any common encoding and separator, or XLSX).
"""

from __future__ import annotations

import os
import re

from skriptoteket_tool import ToolUserError, escape, read_table

EMAIL_RE = re.compile(r"^[^@\s;,<>\"']+@[^@\s;,<>\"']+\.[^@\s;,<>\"']+$")
EMAIL_WORDS = ("e-post", "epost", "e-mail", "email", "mejl", "mail")
GUARDIAN_WORDS = ("vårdnadshavare", "vh", "förälder", "föräldrar", "målsman", "guardian", "parent")
STUDENT_WORDS = ("elev", "elevens", "student", "pupil")
HEADER_SEARCH_ROWS = 25


def _is_email_header(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in EMAIL_WORDS)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def find_email_columns(rows: list[list[str]]) -> tuple[int, list[int]]:
    """The header row's index and the columns that hold guardians' e-mail addresses."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        # Rows above the header (a merged title row, notes) name no e-mail column.
        email_cols = [i for i, cell in enumerate(row) if cell and _is_email_header(cell)]
        if not email_cols:
            continue
        if any(EMAIL_RE.match(cell) for cell in row):
            continue  # a data row, not a header
        guardian = [
            i
            for i in email_cols
            if _words(row[i]) & set(GUARDIAN_WORDS) or "vårdnadshavare" in row[i].lower()
        ]
        if guardian:
            return index, guardian
        # No column says "guardian": use every e-mail column except the pupil's own.
        others = [i for i in email_cols if not _words(row[i]) & set(STUDENT_WORDS)]
        return index, others or email_cols
    raise ToolUserError(
        "Hittade ingen kolumn med e-postadresser. Filen behöver en rubrikrad med en kolumn som "
        'heter till exempel "E-post" eller "E-post vårdnadshavare 1".'
    )


def split_cell(cell: str) -> list[str]:
    """The addresses in one cell: "a@x.se; b@x.se", "Per Berg <per@x.se>", "mailto:a@x.se"."""
    values = []
    for part in re.split(r"[;,]", cell):
        part = part.strip()
        bracketed = re.search(r"<([^<>\s]+@[^<>\s]+)>", part)
        if bracketed:
            values.append(bracketed[1])
        elif part.count("@") > 1:
            values.extend(part.split())
        elif part:
            values.append(part.removeprefix("mailto:").strip())
    return values


def collect_addresses(path: str) -> tuple[list[str], int, list[str], list[str]]:
    """(unique addresses in file order, pupil rows, invalid values, column names used)."""
    rows = read_table(path)
    if not rows:
        raise ToolUserError("Filen är tom.")
    header_index, columns = find_email_columns(rows)
    data_rows = rows[header_index + 1 :]
    if not data_rows:
        raise ToolUserError("Inga elever hittades i filen.")
    seen: set[str] = set()
    addresses: list[str] = []
    invalid: list[str] = []
    for row in data_rows:
        for col in columns:
            cell = row[col] if col < len(row) else ""
            for value in split_cell(cell):
                if not EMAIL_RE.match(value):
                    invalid.append(value)
                    continue
                key = value.lower()
                if key not in seen:
                    seen.add(key)
                    addresses.append(value)
    header = rows[header_index]
    return addresses, len(data_rows), invalid, [header[c] for c in columns]


def run_tool(input_dir: str, output_dir: str, inputs: dict[str, object]) -> str:
    paths = inputs.get("klasslista") or []
    if not isinstance(paths, list) or not paths:
        raise ToolUserError("Välj en klasslista (CSV eller Excel).")
    path = str(paths[0])
    addresses, pupils, invalid, used = collect_addresses(path)
    if not addresses:
        raise ToolUserError("Filen innehåller inga e-postadresser till vårdnadshavare.")
    bcc = "; ".join(addresses)
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, "mejladresser.txt"), "w", encoding="utf-8") as handle:
        handle.write(bcc + "\n")
    parts = [
        "<h2>E-postadresser till vårdnadshavare</h2>",
        f"<p><strong>{len(addresses)}</strong> unika adresser från {pupils} elever "
        f"(filen {escape(os.path.basename(path))}).</p>",
        f"<p>Kolumner: {escape(', '.join(used))}. Dubbletter och tomma celler är borttagna.</p>",
        "<p>Kopiera listan och klistra in den i fältet <em>Hemlig kopia</em> (Bcc) i Outlook:</p>",
        f'<textarea readonly rows="8" style="width:100%">{escape(bcc)}</textarea>',
        "<p>Samma lista finns i filen <code>mejladresser.txt</code>.</p>",
    ]
    if invalid:
        shown = ", ".join(escape(v) for v in invalid[:20])
        parts.append(
            f"<p><strong>{len(invalid)} värden såg inte ut som e-postadresser</strong> "
            f"och togs inte med: {shown}</p>"
        )
    return "\n".join(parts)
