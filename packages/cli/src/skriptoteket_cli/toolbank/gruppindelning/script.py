"""Split a class into groups of about the same size (random or in list order).

Contract 2: ``inputs`` has ``klasslista`` (one CSV/TXT/XLSX path), ``gruppstorlek`` (2-10),
``slumpa`` (shuffle first) and ``seed`` (optional text: the same seed gives the same groups).
"""

from __future__ import annotations

import csv
import os
import random
import secrets

from skriptoteket_tool import ToolUserError, escape, read_pupils

MIN_SIZE, MAX_SIZE, DEFAULT_SIZE = 2, 10, 4


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
