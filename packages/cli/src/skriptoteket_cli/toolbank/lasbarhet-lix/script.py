"""Readability (LIX) of a text: words, sentences, long words and the most common words.

Contract 2: ``inputs["text"]`` is a list with one .docx or .txt path; ``inputs["antal_ord"]`` is
how many common words to list (default 10).

LIX = words / sentences + 100 * long words / words, where a long word has more than six letters.
A sentence ends with . ! ? or : (several in a row count once); a paragraph or heading that does
not end with one of them counts as a sentence of its own.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

from skriptoteket_tool import ToolUserError, escape, read_text

WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
SENTENCE_END_RE = re.compile(r"[.!?:]+")
LONG_WORD = 6  # letters; longer words are "long"
DEFAULT_TOP = 10
STOP_WORDS = frozenset(
    """
    alla allt att av bara blev bli blir de dem den denna deras dess det detta dig din ditt du då
    där efter eftersom ej en er ett från för ha hade han hans har hon honom hur här i inte ja
    jag kan kom kunde man med mellan men mig min mina mitt mot ni nu när och också om oss på sa
    sedan sig sin sina sitt själv ska skulle som så till under upp ut utan vad var vara varit vi
    vid vilka vilken vill än är åt över
    """.split()  # noqa: SIM905
)
SCALE = (
    (25.0, "Barnbok", "Mycket lättläst, som en barnbok."),
    (30.0, "Enkla texter", "Lättläst, som skönlitteratur för ungdomar eller enkla texter."),
    (40.0, "Normaltext/skönlitteratur", "Medelsvår, som vanlig tidningstext och skönlitteratur."),
    (50.0, "Sakinformation", "Svår, som sakprosa och faktatexter."),
    (float("inf"), "Byråkratsvenska", "Mycket svår, som myndighetstexter och facklitteratur."),
)


def read_paragraphs(path: str) -> list[str]:
    name = os.path.basename(path).lower()
    if os.path.getsize(path) == 0:
        raise ToolUserError("Filen är tom.")
    if name.endswith(".doc"):
        raise ToolUserError("Gamla Word-filer (.doc) stöds inte. Spara texten som .docx i Word.")
    if name.endswith(".docx"):
        if not zipfile.is_zipfile(path):
            raise ToolUserError("Filen kunde inte läsas som ett Word-dokument.")
        import docx

        try:
            document = docx.Document(path)
        except Exception:
            raise ToolUserError("Filen kunde inte läsas som ett Word-dokument.") from None
        paragraphs = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                paragraphs.extend(cell.text for cell in row.cells)
        return [p.strip() for p in paragraphs if p.strip()]
    if name.endswith((".txt", ".md")):
        return [line.strip() for line in read_text(path).splitlines() if line.strip()]
    raise ToolUserError("Välj ett Word-dokument (.docx) eller en textfil (.txt).")


def words_of(text: str) -> list[str]:
    return WORD_RE.findall(text)


def count_sentences(paragraphs: list[str]) -> int:
    total = 0
    for paragraph in paragraphs:
        pieces = SENTENCE_END_RE.split(paragraph)
        total += sum(1 for piece in pieces if words_of(piece))
    return total


def letters(word: str) -> int:
    return sum(1 for ch in word if ch.isalpha())


def lix_label(lix: float) -> tuple[str, str]:
    for limit, label, description in SCALE:
        if lix < limit:
            return label, description
    return SCALE[-1][1], SCALE[-1][2]


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    long_words: int
    lix: float
    common: list[tuple[str, int]]
    longest: list[str]

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences


def analyse(paragraphs: list[str], top: int) -> Readability:
    words = [w for p in paragraphs for w in words_of(p)]
    if not words:
        raise ToolUserError("Texten innehåller inga ord.")
    sentences = max(1, count_sentences(paragraphs))
    long_words = [w for w in words if letters(w) > LONG_WORD]
    common = Counter(w.lower() for w in words if w.lower() not in STOP_WORDS)
    return Readability(
        words=len(words),
        sentences=sentences,
        long_words=len(long_words),
        lix=len(words) / sentences + 100 * len(long_words) / len(words),
        common=common.most_common(top),
        longest=sorted({w.lower() for w in long_words}, key=lambda w: (-len(w), w))[:10],
    )


def _sv(number: float) -> str:
    return f"{number:.1f}".replace(".", ",")


def _top(value: object) -> int:
    if value is None or value == "":
        return DEFAULT_TOP
    try:
        number = int(float(str(value).replace(",", ".")))
    except ValueError:
        raise ToolUserError("Antal vanliga ord måste vara ett heltal.") from None
    return min(max(number, 1), 50)


def run_tool(input_dir: str, output_dir: str, inputs: dict[str, object]) -> str:
    paths = inputs.get("text") or []
    if not isinstance(paths, list) or not paths:
        raise ToolUserError("Välj ett Word-dokument (.docx) eller en textfil (.txt).")
    path = str(paths[0])
    paragraphs = read_paragraphs(path)
    if not paragraphs:
        raise ToolUserError("Dokumentet innehåller ingen text.")
    result = analyse(paragraphs, _top(inputs.get("antal_ord")))
    label, description = lix_label(result.lix)
    common_rows = "".join(
        f"<tr><td>{escape(word)}</td><td>{count}</td></tr>" for word, count in result.common
    )
    scale_rows = []
    lower = 0.0
    for limit, name, _ in SCALE:
        if lower == 0:
            span = f"under {limit:g}"
        elif limit == float("inf"):
            span = f"över {lower:g}"
        else:
            span = f"{lower:g}–{limit:g}"
        mark = ' style="font-weight:bold"' if name == label else ""
        scale_rows.append(f"<tr{mark}><td>{span}</td><td>{escape(name)}</td></tr>")
        lower = limit
    table = '<table border="1" cellpadding="4" style="border-collapse:collapse">'
    return "\n".join(
        [
            "<h2>Läsbarhet (LIX)</h2>",
            f"<p>Text: {escape(os.path.basename(path))}</p>",
            f"<p><strong>LIX {_sv(result.lix)} – {escape(label)}.</strong> "
            f"{escape(description)}</p>",
            f"{table}<tbody>",
            f"<tr><th>Antal ord</th><td>{result.words}</td></tr>",
            f"<tr><th>Antal meningar</th><td>{result.sentences}</td></tr>",
            f"<tr><th>Långa ord (fler än {LONG_WORD} bokstäver)</th>"
            f"<td>{result.long_words}</td></tr>",
            f"<tr><th>Ord per mening</th><td>{_sv(result.words_per_sentence)}</td></tr>",
            "</tbody></table>",
            f"<p>Längsta orden: {escape(', '.join(result.longest)) or '–'}</p>",
            f"<h3>De {len(result.common)} vanligaste orden</h3>",
            "<p>Vanliga småord som <em>och</em>, <em>att</em> och <em>jag</em> är inte med.</p>",
            f"{table}<thead><tr><th>Ord</th><th>Antal</th></tr></thead>",
            f"<tbody>{common_rows}</tbody></table>",
            "<h3>LIX-skalan</h3>",
            f"{table}<thead><tr><th>LIX</th><th>Texttyp</th></tr></thead>",
            f"<tbody>{''.join(scale_rows)}</tbody></table>",
            "<p>LIX = antal ord per mening + andelen långa ord i procent. Rubriker och stycken "
            "utan punkt räknas som egna meningar.</p>",
        ]
    )
