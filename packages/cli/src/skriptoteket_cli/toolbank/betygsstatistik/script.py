"""Grade statistics (A-F) per subject from an Excel sheet: distribution, mean grade points,
a bar chart and a summary workbook.

Contract 2: ``inputs["betyg"]`` is a list with one .xlsx path. The sheet has one row per pupil, a
name column ("Elev"/"Namn") and one column per subject; empty cells are missing grades.
"""

from __future__ import annotations

import base64
import os
import zipfile
from dataclasses import dataclass

from skriptoteket_tool import ToolUserError, escape, read_xlsx_rows

GRADES = ("A", "B", "C", "D", "E", "F")
POINTS = {"A": 20.0, "B": 17.5, "C": 15.0, "D": 12.5, "E": 10.0, "F": 0.0}
COLORS = {
    "A": "#1b7837",
    "B": "#5aae61",
    "C": "#a6dba0",
    "D": "#fee08b",
    "E": "#fdae61",
    "F": "#d73027",
}
MISSING = {"", "-", "–", "—"}
NAME_WORDS = ("elev", "namn", "name", "student")
HEADER_SEARCH_ROWS = 25


def read_sheet(path: str) -> list[list[str]]:
    name = os.path.basename(path).lower()
    if os.path.getsize(path) == 0:
        raise ToolUserError("Filen är tom.")
    if not name.endswith((".xlsx", ".xlsm")):
        raise ToolUserError(
            "Verktyget läser bara Excel-filer (.xlsx). Spara betygen som en Excel-arbetsbok."
        )
    if not zipfile.is_zipfile(path):
        raise ToolUserError("Filen kunde inte läsas som en Excel-fil.")
    rows = read_xlsx_rows(path)
    if rows:
        return rows
    raise ToolUserError("Excel-filen är tom.")


def _grade(value: str) -> str | None:
    text = value.strip().upper()
    return text if text in GRADES else None


def parse_grades(rows: list[list[str]]) -> tuple[list[str], dict[str, list[str | None]], list[str]]:
    """(pupil names, subject -> grade or None per pupil, invalid values found)."""
    header_index, name_col = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        filled = [cell for cell in row if cell]
        if len(filled) < 2:
            continue  # a title row (often merged over the columns)
        names = [i for i, cell in enumerate(row) if any(w in cell.lower() for w in NAME_WORDS)]
        if names or not any(_grade(cell) for cell in row):
            header_index, name_col = index, (names[0] if names else 0)
            break
    if header_index is None:
        raise ToolUserError(
            'Hittade ingen rubrikrad. Första raden ska ha rubrikerna "Elev" och ämnenas namn.'
        )
    header = rows[header_index]
    data = [row + [""] * (len(header) - len(row)) for row in rows[header_index + 1 :]]
    data = [row for row in data if row[name_col]]
    if not data:
        raise ToolUserError("Inga elever hittades i filen.")
    pupils = [row[name_col] for row in data]
    subjects: dict[str, list[str | None]] = {}
    invalid: list[str] = []
    for col, subject in enumerate(header):
        if col == name_col or not subject:
            continue
        values = [row[col].strip() for row in data]
        given = [v for v in values if v not in MISSING]
        valid = [v for v in given if _grade(v)]
        # A subject column holds mostly A-F; other columns (class, notes) are left out.
        if not valid or len(valid) < 0.8 * len(given):
            continue
        subjects[subject] = [_grade(v) for v in values]
        invalid.extend(f"{subject}: {v}" for v in given if not _grade(v))
    if not subjects:
        raise ToolUserError("Hittade inga betyg (A–F) i filen.")
    return pupils, subjects, invalid


def _sv(number: float, decimals: int = 1) -> str:
    return f"{number:.{decimals}f}".replace(".", ",")


@dataclass(frozen=True)
class SubjectStats:
    counts: dict[str, int]
    graded: int
    missing: int
    mean: float | None  # mean grade points of the grades given
    share_f: float


def subject_stats(grades: list[str | None]) -> SubjectStats:
    given = [g for g in grades if g]
    counts = {g: given.count(g) for g in GRADES}
    return SubjectStats(
        counts=counts,
        graded=len(given),
        missing=len(grades) - len(given),
        mean=sum(POINTS[g] for g in given) / len(given) if given else None,
        share_f=counts["F"] / len(given) if given else 0.0,
    )


def _chart(stats: dict[str, SubjectStats], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(stats)
    width = 0.8 / len(GRADES)
    fig, ax = plt.subplots(figsize=(max(7.0, 1.4 * len(names) + 2), 4.5), dpi=100)
    for i, grade in enumerate(GRADES):
        heights = [stats[s].counts[grade] for s in names]
        positions = [n + (i - (len(GRADES) - 1) / 2) * width for n in range(len(names))]
        ax.bar(positions, heights, width, label=grade, color=COLORS[grade], edgecolor="#333333")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=20 if len(names) > 5 else 0, ha="right")
    ax.set_ylabel("Antal elever")
    ax.set_title("Betygsfördelning per ämne")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(title="Betyg", ncols=6, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)


def _workbook(
    stats: dict[str, SubjectStats], failing: list[tuple[str, list[str]]], path: str
) -> None:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Fördelning"
    sheet.append(["Ämne", *GRADES, "Antal betyg", "Saknas", "Medelvärde (poäng)", "Andel F (%)"])
    for subject, s in stats.items():
        sheet.append(
            [
                subject,
                *(s.counts[g] for g in GRADES),
                s.graded,
                s.missing,
                None if s.mean is None else round(s.mean, 2),
                round(100 * s.share_f, 1),
            ]
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 22
    sheet.freeze_panes = "B2"
    other = workbook.create_sheet("Elever med F")
    other.append(["Elev", "Ämnen med F"])
    for cell in other[1]:
        cell.font = Font(bold=True)
    for pupil, subjects in failing:
        other.append([pupil, ", ".join(subjects)])
    other.column_dimensions["A"].width = 24
    other.column_dimensions["B"].width = 40
    workbook.save(path)


def run_tool(input_dir: str, output_dir: str, inputs: dict[str, object]) -> str:
    paths = inputs.get("betyg") or []
    if not isinstance(paths, list) or not paths:
        raise ToolUserError("Välj en Excel-fil med betyg.")
    path = str(paths[0])
    pupils, subjects, invalid = parse_grades(read_sheet(path))
    stats = {subject: subject_stats(grades) for subject, grades in subjects.items()}
    failing = [
        (pupil, [s for s, grades in subjects.items() if grades[i] == "F"])
        for i, pupil in enumerate(pupils)
    ]
    failing = [(pupil, found) for pupil, found in failing if found]

    os.makedirs(output_dir, exist_ok=True)
    chart_path = os.path.join(output_dir, "betygsfordelning.png")
    _chart(stats, chart_path)
    _workbook(stats, failing, os.path.join(output_dir, "sammanstallning.xlsx"))
    with open(chart_path, "rb") as handle:
        chart_uri = "data:image/png;base64," + base64.b64encode(handle.read()).decode("ascii")

    head = "".join(f"<th>{g}</th>" for g in GRADES)
    body = []
    for subject, s in stats.items():
        cells = "".join(f"<td>{s.counts[g]}</td>" for g in GRADES)
        mean = "–" if s.mean is None else _sv(s.mean)
        body.append(
            f"<tr><th>{escape(subject)}</th>{cells}<td>{s.graded}</td><td>{s.missing}</td>"
            f"<td>{mean}</td><td>{_sv(100 * s.share_f, 0)} %</td></tr>"
        )
    parts = [
        "<h2>Betygsstatistik</h2>",
        f"<p>{len(pupils)} elever och {len(subjects)} ämnen i {escape(os.path.basename(path))}. "
        "Medelvärdet räknas i betygspoäng (A = 20, B = 17,5, C = 15, D = 12,5, E = 10, F = 0) "
        "på de betyg som finns; tomma celler räknas som saknade betyg.</p>",
        '<table border="1" cellpadding="4" style="border-collapse:collapse">',
        f"<thead><tr><th>Ämne</th>{head}<th>Antal betyg</th><th>Saknas</th>"
        "<th>Medelvärde</th><th>Andel F</th></tr></thead>",
        "<tbody>" + "\n".join(body) + "</tbody></table>",
        f'<p><img src="{chart_uri}" alt="Stapeldiagram: betygsfördelning per ämne" '
        'style="max-width:100%"></p>',
    ]
    if failing:
        items = "".join(
            f"<li>{escape(pupil)}: {escape(', '.join(found))}</li>" for pupil, found in failing
        )
        parts.append(f"<h3>Elever med F ({len(failing)})</h3><ul>{items}</ul>")
    if invalid:
        shown = ", ".join(escape(v) for v in invalid[:20])
        parts.append(f"<p>Värden som inte är betyg A–F och inte räknades: {shown}</p>")
    parts.append(
        "<p>Ladda ner <code>sammanstallning.xlsx</code> (tabellerna) och "
        "<code>betygsfordelning.png</code> (diagrammet).</p>"
    )
    return "\n".join(parts)
