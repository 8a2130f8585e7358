"""Printable name tags (a Word document, two tags per row) from a class list.

Contract 2: ``inputs`` has ``klasslista`` (one CSV/TXT/XLSX path), ``namnform`` (how to write the
names), and ``extra_rad`` (an optional second line on every tag, e.g. the class).
"""

from __future__ import annotations

import os

from skriptoteket_tool import ToolUserError, display_name, escape, read_pupils

NAME_FORMS = ("fornamn_efternamn", "bara_fornamn", "som_i_listan")
TAGS_PER_ROW = 2


def format_name(original: str, display: str, form: str) -> str:
    if form == "som_i_listan":
        return original.strip()
    if form == "bara_fornamn":
        return display.split()[0] if display.split() else display
    return display


def build_document(tags: list[str], extra: str, path: str) -> None:
    import docx
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    rows = -(-len(tags) // TAGS_PER_ROW)
    table = document.add_table(rows=rows, cols=TAGS_PER_ROW)
    table.style = "Table Grid"
    for index in range(rows * TAGS_PER_ROW):
        row, col = divmod(index, TAGS_PER_ROW)
        table.rows[row].height = Cm(5.2)
        table.rows[row].height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
        cell = table.cell(row, col)
        cell.width = Cm(9.0)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if index >= len(tags):
            continue
        name_paragraph = cell.paragraphs[0]
        name_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = name_paragraph.add_run(tags[index])
        run.bold = True
        run.font.size = Pt(28 if len(tags[index]) <= 18 else 20)
        if extra:
            extra_paragraph = cell.add_paragraph()
            extra_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            extra_run = extra_paragraph.add_run(extra)
            extra_run.font.size = Pt(14)
    document.core_properties.title = "Namnskyltar"
    document.save(path)


def run_tool(input_dir: str, output_dir: str, inputs: dict[str, object]) -> str:
    paths = inputs.get("klasslista") or []
    if not isinstance(paths, list) or not paths:
        raise ToolUserError("Välj en klasslista (CSV eller Excel).")
    form = str(inputs.get("namnform") or "fornamn_efternamn")
    if form not in NAME_FORMS:
        raise ToolUserError("Okänd namnform.")
    extra = " ".join(str(inputs.get("extra_rad") or "").split())[:60]
    originals = read_pupils(str(paths[0]), as_written=True)
    tags = [format_name(name, display_name(name), form) for name in originals]
    os.makedirs(output_dir, exist_ok=True)
    build_document(tags, extra, os.path.join(output_dir, "namnskyltar.docx"))
    cards = "".join(
        '<div style="display:inline-block;width:45%;margin:4px;padding:16px 4px;'
        'border:1px dashed #888;text-align:center;vertical-align:top">'
        f'<div style="font-size:1.6em;font-weight:bold">{escape(tag)}</div>'
        + (f"<div>{escape(extra)}</div>" if extra else "")
        + "</div>"
        for tag in tags
    )
    pages = -(-len(tags) // 10)
    return "\n".join(
        [
            "<h2>Namnskyltar</h2>",
            f"<p>{len(tags)} namnskyltar på {pages} {'sida' if pages == 1 else 'sidor'} "
            "(tio per A4-sida). Ladda ner <code>namnskyltar.docx</code>, skriv ut och klipp "
            "längs linjerna.</p>",
            f"<div>{cards}</div>",
        ]
    )
