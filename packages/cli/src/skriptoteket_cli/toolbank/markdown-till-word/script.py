"""Markdown (.md) to a Word document (.docx), with an HTML preview.

Contract 1: ``run_tool(input_path, output_dir)``. The Markdown is rendered to HTML with the
``markdown`` library (tables, fenced code), and the HTML is walked to build the DOCX with
python-docx: headings, paragraphs, bullet and numbered lists (nested), bold, italic, code, links,
block quotes and tables. The preview is rebuilt from allowed tags only, so raw HTML in the
Markdown cannot reach the page.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from typing import Any

from skriptoteket_tool import ToolUserError, escape, read_text

ACCEPTED = (".md", ".markdown", ".txt")
PREVIEW_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "hr",
}
SKIP_CONTENT = {"script", "style", "head", "title", "iframe", "object", "svg"}
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "th", "td"}


class DocxBuilder(HTMLParser):
    """Walks the HTML that ``markdown`` produced and writes the same content into a Document."""

    def __init__(self, document: Any) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = document
        self.paragraph: Any = None
        self.fresh = False  # the paragraph has no text yet (a list number at most)
        self.bold = 0
        self.italic = 0
        self.code = 0
        self.pre = 0
        self.quote = 0
        self.skip = 0
        self.lists: list[list[object]] = []  # [kind, counter]
        self.table: list[list[tuple[str, bool]]] | None = None
        self.cell: list[str] | None = None
        self.cell_header = False
        self.link: str | None = None
        self.link_text = ""
        self.headings: list[str] = []
        self.current_heading: list[str] | None = None
        self.preview: list[str] = []

    # --- the preview (allowed tags only, no attributes) ---

    def _preview_tag(self, tag: str, closing: bool) -> None:
        if self.skip or tag not in PREVIEW_TAGS:
            return
        if tag in ("br", "hr"):
            if not closing:
                self.preview.append(f"<{tag}>")
            return
        if tag == "table" and not closing:
            self.preview.append(
                '<table border="1" cellpadding="4" style="border-collapse:collapse">'
            )
            return
        self.preview.append(f"</{tag}>" if closing else f"<{tag}>")

    # --- paragraphs and runs ---

    def _new_paragraph(self, style: str | None = None) -> Any:
        self.paragraph = self.doc.add_paragraph(style=style)
        self.fresh = True
        return self.paragraph

    def _add_text(self, text: str) -> None:
        if self.table is not None and self.cell is not None:
            self.cell.append(text)
            return
        if self.paragraph is None:
            if not text.strip():
                return
            self._new_paragraph("Quote" if self.quote else None)
        if self.fresh and not self.pre:
            text = text.lstrip()
            if not text:
                return
        self.fresh = False
        run = self.paragraph.add_run(text)
        run.bold = bool(self.bold) or None
        run.italic = bool(self.italic) or None
        if self.code:
            run.font.name = "Consolas"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_CONTENT:
            self.skip += 1
            return
        self._preview_tag(tag, closing=False)
        if self.skip:
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.paragraph = self.doc.add_heading(level=int(tag[1]))
            self.fresh = True
            self.current_heading = []
        elif tag == "p":
            if self.lists and self.paragraph is not None:
                if not self.fresh:  # a second paragraph in one list item
                    self.paragraph.add_run().add_break()
                    self.fresh = True
            elif self.table is None:
                self._new_paragraph("Quote" if self.quote else None)
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            self.paragraph = None
        elif tag == "li":
            kind = self.lists[-1] if self.lists else ["ul", 0]
            level = min(len(self.lists), 3)
            suffix = "" if level <= 1 else f" {level}"
            if kind[0] == "ol":
                kind[1] = int(str(kind[1])) + 1
                # Numbers are written as text so each list starts at 1 (Word's "List Number"
                # style would continue the numbering of the previous list).
                self._new_paragraph(f"List Continue{suffix}")
                self.paragraph.add_run(f"{kind[1]}. ")
                self.fresh = True
            else:
                self._new_paragraph(f"List Bullet{suffix}")
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "code":
            self.code += 1
        elif tag == "pre":
            self.pre += 1
            self.code += 1
            self._new_paragraph("No Spacing")
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "br":
            if self.paragraph is not None:
                self.paragraph.add_run().add_break()
                self.fresh = True
        elif tag == "a":
            self.link = dict(attrs).get("href") or ""
            self.link_text = ""
        elif tag == "img":
            alt = dict(attrs).get("alt") or "bild"
            self._add_text(f"[{alt}]")
        elif tag == "table":
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("th", "td") and self.table is not None:
            self.cell = []
            self.cell_header = tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_CONTENT:
            self.skip = max(0, self.skip - 1)
            return
        self._preview_tag(tag, closing=True)
        if self.skip:
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            if self.current_heading is not None:
                self.headings.append("".join(self.current_heading).strip())
            self.current_heading = None
            self.paragraph = None
        elif tag in ("p", "li") and not (tag == "p" and self.lists):
            self.paragraph = None
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.paragraph = None
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag == "code":
            self.code = max(0, self.code - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self.code = max(0, self.code - 1)
            self.paragraph = None
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self.paragraph = None
        elif tag == "a":
            external = self.link and self.link.startswith(("http://", "https://", "mailto:"))
            if external and self.link.removeprefix("mailto:") != self.link_text.strip():
                self._add_text(f" ({self.link})")
            self.link = None
        elif tag in ("th", "td") and self.table is not None and self.cell is not None:
            if self.table:
                self.table[-1].append((" ".join("".join(self.cell).split()), self.cell_header))
            self.cell = None
        elif tag == "table" and self.table is not None:
            self._write_table(self.table)
            self.table = None
            self.paragraph = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.preview.append(escape(data))
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
            if self.paragraph is None and self.table is None and not data.strip():
                return
        if self.current_heading is not None:
            self.current_heading.append(data)
        if self.link is not None:
            self.link_text += data
        self._add_text(data)

    def _write_table(self, rows: list[list[tuple[str, bool]]]) -> None:
        rows = [row for row in rows if row]
        if not rows:
            return
        width = max(len(row) for row in rows)
        table = self.doc.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, (text, header) in enumerate(row):
                cell = table.cell(r, c)
                run = cell.paragraphs[0].add_run(text)
                run.bold = header or None


def output_name(input_path: str) -> str:
    stem = os.path.splitext(os.path.basename(input_path))[0]
    stem = re.sub(r"[^\w\-]+", "_", stem, flags=re.UNICODE).strip("_.")
    return (stem or "dokument")[:80] + ".docx"


def run_tool(input_path: str, output_dir: str) -> str:
    if not input_path.lower().endswith(ACCEPTED):
        raise ToolUserError("Välj en Markdown-fil (.md). Verktyget gör om Markdown till Word.")
    if os.path.getsize(input_path) == 0:
        raise ToolUserError("Filen är tom.")
    text = read_text(input_path)
    if not text.strip():
        raise ToolUserError("Filen är tom.")

    import docx
    import markdown

    html = markdown.markdown(text, extensions=["tables", "fenced_code", "sane_lists"])
    document = docx.Document()
    builder = DocxBuilder(document)
    builder.feed(html)
    builder.close()
    if builder.headings:
        document.core_properties.title = builder.headings[0]
    os.makedirs(output_dir, exist_ok=True)
    name = output_name(input_path)
    document.save(os.path.join(output_dir, name))
    return "\n".join(
        [
            "<h2>Markdown till Word</h2>",
            f"<p>Word-dokumentet <code>{escape(name)}</code> är klart att ladda ner "
            f"({len(builder.headings)} {'rubrik' if len(builder.headings) == 1 else 'rubriker'}). "
            "Så här ser innehållet ut:</p>",
            '<div style="border:1px solid #ccc;padding:1em">',
            "".join(builder.preview),
            "</div>",
        ]
    )
