"""Split a class into groups of about the same size (random or in list order).

Contract 2: ``inputs`` has ``klasslista`` (one CSV/TXT/XLSX path), ``gruppstorlek`` (2-10),
``slumpa`` (shuffle first) and ``seed`` (optional text: the same seed gives the same groups).
"""

from __future__ import annotations

import csv
import os
import random
import re
import secrets

from skriptoteket_tool import ToolUserError, escape, read_table

NAME_HEADERS = {
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
HEADER_SEARCH_ROWS = 25
MIN_SIZE, MAX_SIZE, DEFAULT_SIZE = 2, 10, 4


def _normalise(header: str) -> str:
    return re.sub(r"\s+", " ", header.strip().lower().rstrip(":"))


def read_pupils(path: str) -> list[str]:
    """Pupil names in file order, from the column named Elev/Namn (or Förnamn + Efternamn)."""
    rows = read_table(path)
    if not rows:
        raise ToolUserError("Filen är tom.")
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        headers = [_normalise(cell) for cell in row]
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
                pupils.append(display_name(name))
        if not pupils:
            raise ToolUserError("Inga elever hittades i filen.")
        return pupils
    # No header: accept a plain list with one name per line ("Efternamn, Förnamn" is fine).
    if all(len(row) <= 2 for row in rows):
        return [display_name(", ".join(cell for cell in row if cell)) for row in rows]
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


def group_sizes(count: int, size: int) -> list[int]:
    """Sizes of the groups: as close to ``size`` as possible, differing by at most one."""
    if count <= size:
        return [count]
    best: list[int] = []
    best_cost: tuple[int, int] | None = None
    for groups in sorted({max(1, count // size), -(-count // size)}):
        base, extra = divmod(count, groups)
        sizes = [base + 1] * extra + [base] * (groups - extra)
        cost = (max(abs(s - size) for s in sizes), -min(sizes))
        if best_cost is None or cost < best_cost:
            best, best_cost = sizes, cost
    return best


def make_groups(pupils: list[str], size: int, shuffle: bool, seed: str) -> list[list[str]]:
    order = list(pupils)
    if shuffle:
        random.Random(seed).shuffle(order)
    groups, start = [], 0
    for n in group_sizes(len(order), size):
        groups.append(order[start : start + n])
        start += n
    return groups


def _size(value: object) -> int:
    if value is None or value == "":
        return DEFAULT_SIZE
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        raise ToolUserError("Gruppstorleken måste vara ett heltal.") from None
    if not number.is_integer() or not MIN_SIZE <= number <= MAX_SIZE:
        raise ToolUserError(
            f"Gruppstorleken måste vara ett heltal från {MIN_SIZE} till {MAX_SIZE}."
        )
    return int(number)


def run_tool(input_dir: str, output_dir: str, inputs: dict[str, object]) -> str:
    paths = inputs.get("klasslista") or []
    if not isinstance(paths, list) or not paths:
        raise ToolUserError("Välj en klasslista (CSV eller Excel).")
    size = _size(inputs.get("gruppstorlek"))
    shuffle = inputs.get("slumpa", True) is not False
    seed = str(inputs.get("seed") or "").strip()
    pupils = read_pupils(str(paths[0]))
    if shuffle and not seed:
        seed = str(secrets.randbelow(9000) + 1000)
    groups = make_groups(pupils, size, shuffle, seed)

    os.makedirs(output_dir, exist_ok=True)
    with open(
        os.path.join(output_dir, "grupper.csv"), "w", encoding="utf-8-sig", newline=""
    ) as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Grupp", "Elev"])
        for number, group in enumerate(groups, start=1):
            for pupil in group:
                writer.writerow([f"Grupp {number}", pupil])

    rows = "\n".join(
        f"<tr><th>Grupp {n}</th><td>{len(g)}</td><td>{escape(', '.join(g))}</td></tr>"
        for n, g in enumerate(groups, start=1)
    )
    how = (
        f"Slumpad ordning, slumpfrö <strong>{escape(seed)}</strong> "
        "(skriv in samma slumpfrö för att få samma grupper igen)."
        if shuffle
        else "Eleverna är fördelade i den ordning de står i listan."
    )
    return "\n".join(
        [
            "<h2>Gruppindelning</h2>",
            f"<p>{len(pupils)} elever i {len(groups)} grupper "
            f"(önskad gruppstorlek {size}). {how}</p>",
            '<table border="1" cellpadding="4" style="border-collapse:collapse">',
            "<thead><tr><th>Grupp</th><th>Antal</th><th>Elever</th></tr></thead>",
            f"<tbody>{rows}</tbody></table>",
            "<p>Grupperna finns också i <code>grupper.csv</code> (öppnas i Excel).</p>",
        ]
    )
