"""The demo tool bank (``skriptoteket_cli/toolbank``): every tool's metadata and schema, and every
tool run through the real runners — ``local`` and, where installed, ``docker`` — on the
acceptance inputs (``tests/data/acceptance``, copied from the shared acceptance set), with the
app's own ``parse_result`` on what comes back.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import re
import shutil
import tomllib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import docx
import openpyxl
import pytest
from PIL import Image
from skriptoteket.domain.errors import DomainError
from skriptoteket.domain.input_schema import (
    UploadedFile,
    parse_input_schema,
    schema_to_data,
    validate_inputs,
)
from skriptoteket.domain.run_results import ToolResult, parse_result, syntax_preflight
from skriptoteket.domain.runs import RunContext, RunStatus
from skriptoteket.plugins import Plugins, make_plugin_manager
from skriptoteket.ports.execution import RunJob, RunLimits, Runner
from skriptoteket.settings import Settings
from skriptoteket.testing.services import service_missing
from skriptoteket_cli.toolbank import CATEGORIES, PROFESSIONS, BankTool, load_toolbank

# --- the runner harness ---


@dataclass(frozen=True)
class ToolRun:
    result: ToolResult
    artifacts: dict[str, Path]  # "output/name" -> file on disk
    stdout: str
    stderr: str
    raw: dict[str, object]

    def artifact(self, path: str) -> Path:
        assert path in self.artifacts, f"{path} not among {sorted(self.artifacts)}"
        return self.artifacts[path]


class ToolRunner(Protocol):
    def run(
        self,
        tool: BankTool,
        files: Mapping[str, Sequence[Path]],
        values: Mapping[str, object] | None = None,
    ) -> ToolRun:
        """Run ``tool`` on ``files`` (file field -> uploads; for contract 1 one field with one
        file) and ``values`` (value fields), returning the parsed result and the artifacts."""
        ...


class PortRunner:
    """Runs a bank tool through a real ``Runner`` (the port the app uses): a workspace with
    ``input/`` and ``output/``, a ``RunJob`` with the version's contract, and the app's own
    ``parse_result`` on what comes back."""

    def __init__(self, runner: Runner, work_dir: Path) -> None:
        self.runner = runner
        self.work_dir = work_dir
        self.loop = asyncio.new_event_loop()
        self._count = 0

    def close(self) -> None:
        self.loop.run_until_complete(self.runner.close())
        self.loop.close()

    def run(
        self,
        tool: BankTool,
        files: Mapping[str, Sequence[Path]],
        values: Mapping[str, object] | None = None,
    ) -> ToolRun:
        self._count += 1
        workspace = self.work_dir / f"run{self._count}"
        (workspace / "input").mkdir(parents=True)
        (workspace / "output").mkdir()
        (workspace / "output").chmod(0o777)
        names: dict[str, list[str]] = {}
        for field, paths in files.items():
            names[field] = []
            for path in paths:
                shutil.copy(path, workspace / "input" / path.name)
                names[field].append(path.name)
        inputs: dict[str, Any] = (
            {} if tool.contract == 1 else {"__files__": names, **(values or {})}
        )
        job = RunJob(
            run_id=uuid.uuid4(),
            tool_id=uuid.uuid4(),
            version_id=uuid.uuid4(),
            context=RunContext.SANDBOX,
            source_code=tool.script_path.read_text("utf-8"),
            entrypoint=tool.entrypoint,
            contract_version=tool.contract,
            workspace=workspace,
            input_names=tuple(n for field_names in names.values() for n in field_names),
            inputs=inputs,
            limits=RunLimits(timeout_seconds=120),
        )
        outcome = self.loop.run_until_complete(self.runner.run(job))
        assert outcome.result_json is not None, (outcome.diagnostics, outcome.stderr)
        raw = json.loads(outcome.result_json)
        output = workspace / "output"
        artifacts = {
            f"output/{p.relative_to(output).as_posix()}": p
            for p in output.rglob("*")
            if p.is_file()
        }
        return ToolRun(
            result=parse_result(outcome.result_json),
            artifacts=artifacts,
            stdout=outcome.stdout,
            stderr=outcome.stderr,
            raw=raw,
        )


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------------------------

DATA = Path(__file__).parent / "data" / "acceptance"
TOOLS = {tool.slug: tool for tool in load_toolbank()}
ALL_INPUTS = sorted(p.name for p in DATA.iterdir() if p.is_file())
CLASS_LISTS = [
    "klasslista_7b_utf8_bom_semikolon.csv",
    "klasslista_8a_cp1252_komma.csv",
    "klasslista_9c.xlsx",
]
SWEDISH_HINT = re.compile(r"[åäöÅÄÖ]|\b(filen|fil|och|inga|inte|välj|kunde)\b", re.IGNORECASE)


RUNNERS = ["local", "docker"]


@pytest.fixture(scope="module", params=RUNNERS)
def tool_runner(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ToolRunner]:
    """Every case runs through each runner backend installed here: ``local`` always, ``docker``
    when skriptoteket-docker is installed (it then needs a reachable engine and the image).
    One runner per module and backend, so the Docker warm pool serves many runs."""
    backends = Plugins(make_plugin_manager()).runner_backends()
    if request.param not in backends:
        pytest.skip(f"the {request.param!r} runner is not installed in this environment")
    root = tmp_path_factory.mktemp(request.param)
    try:
        runner = backends[request.param].create(Settings(data_dir=root / "data"))
    except DomainError as error:
        service_missing(request.param, error.message)
        raise
    port = PortRunner(runner, root / "runs")
    try:
        yield port
    finally:
        port.close()


def run(
    runner: ToolRunner,
    slug: str,
    files: Sequence[Path | str],
    values: Mapping[str, object] | None = None,
    *,
    validate: bool = True,
) -> ToolRun:
    """Run tool ``slug`` on ``files`` (names in DATA or paths). With ``validate`` the inputs go
    through the app's own ``validate_inputs`` first (so defaults are filled in and the schema must
    accept the files); without it the files reach the script as they are, as if a schema did not
    exist, which is how the tools' own checks are tested."""
    tool = TOOLS[slug]
    paths = [f if isinstance(f, Path) else DATA / f for f in files]
    if tool.contract == 1:
        return runner.run(tool, {"file": paths})
    schema = parse_input_schema(tool.input_schema)
    [file_field] = schema.files
    final_values: dict[str, object] = dict(values or {})
    if validate:
        checked = validate_inputs(
            schema,
            [
                UploadedFile(name=p.name, size=p.stat().st_size, field=file_field.name)
                for p in paths
            ],
            final_values,
        )
        final_values = dict(checked.values)
    return runner.run(tool, {file_field.name: paths}, final_values)


def assert_succeeded(result: ToolRun) -> str:
    assert result.result.status is RunStatus.SUCCEEDED, (result.result.error_summary, result.stderr)
    assert result.result.html_output.strip()
    return result.result.html_output


def assert_user_error(result: ToolRun, fragment: str) -> None:
    assert result.result.status is RunStatus.FAILED, result.result.html_output[:500]
    assert result.result.user_error is True, (result.result.error_summary, result.stderr)
    message = result.result.error_summary or ""
    assert fragment.lower() in message.lower(), message
    assert SWEDISH_HINT.search(message), message
    assert result.artifacts == {}, "a failed run leaves no half-written downloads"


def expected_pupils(name: str) -> list[str]:
    """The pupils of an acceptance class list as "Förnamn Efternamn", read independently."""
    if name.endswith(".xlsx"):
        sheet = openpyxl.load_workbook(DATA / name).active
        assert sheet is not None
        raw = [str(row[0]) for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    else:
        encoding, delimiter = ("utf-8-sig", ";") if "utf8" in name else ("cp1252", ",")
        with (DATA / name).open(encoding=encoding, newline="") as handle:
            raw = [row[0] for row in list(csv.reader(handle, delimiter=delimiter))[1:] if row]
    return [" ".join(reversed([part.strip() for part in n.split(",", 1)])) for n in raw]


def style_name(paragraph: Any) -> str:
    return str(paragraph.style.name) if paragraph.style is not None else ""


def read_groups(path: Path) -> dict[str, list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "grupper.csv starts with a BOM for Swedish Excel"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Grupp", "Elev"]
    groups: dict[str, list[str]] = {}
    for group, pupil in rows[1:]:
        groups.setdefault(group, []).append(pupil)
    return groups


# ---------------------------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------------------------


def test_the_bank_has_the_planned_tools() -> None:
    assert {
        "vardnadshavare-mejl",
        "gruppindelning",
        "betygsstatistik",
        "markdown-till-word",
        "lasbarhet-lix",
        "klasslista-namnskyltar",
    } <= set(TOOLS)


@pytest.mark.parametrize("slug", sorted(TOOLS))
def test_tool_toml(slug: str) -> None:
    tool = TOOLS[slug]
    with (tool.folder / "tool.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    for key in ("slug", "title", "summary", "professions", "categories"):
        assert raw[key], key
    assert raw["slug"] == tool.folder.name == slug
    assert set(raw["professions"]) <= PROFESSIONS
    assert set(raw["categories"]) <= CATEGORIES
    assert raw.get("contract", 1) in (1, 2)
    assert SWEDISH_HINT.search(raw["summary"])
    assert len(raw["summary"]) < 400
    if tool.contract == 2:
        schema = parse_input_schema(raw["input_schema"])
        assert len(schema.files) == 1
        assert schema_to_data(parse_input_schema(schema_to_data(schema))) == schema_to_data(schema)
    else:
        assert "input_schema" not in raw
    assert syntax_preflight(tool.source()) is None
    assert tool.examples(), "every tool ships example inputs"
    assert "def " + tool.entrypoint + "(" in tool.source()


@pytest.mark.parametrize("slug", sorted(TOOLS))
def test_examples_run(slug: str, tool_runner: ToolRunner) -> None:
    for example in TOOLS[slug].examples():
        assert_succeeded(run(tool_runner, slug, [example]))


@pytest.mark.parametrize("slug", sorted(TOOLS))
@pytest.mark.parametrize("name", ALL_INPUTS)
def test_never_a_traceback(slug: str, name: str, tool_runner: ToolRunner) -> None:
    """Every acceptance input, whatever it is, either works or gives a Swedish user error."""
    result = run(tool_runner, slug, [name], validate=False)
    if result.result.status is RunStatus.SUCCEEDED:
        assert result.result.html_output.strip()
    else:
        assert result.result.user_error is True, (result.result.error_summary, result.stderr)
        assert SWEDISH_HINT.search(result.result.error_summary or "")


# ---------------------------------------------------------------------------------------------
# vardnadshavare-mejl
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count", "known"),
    [
        ("klasslista_7b_utf8_bom_semikolon.csv", 47, "yusuf.mohammed16@exempel.se"),
        ("klasslista_8a_cp1252_komma.csv", 43, "olle.backstrom53@exempel.se"),
        ("klasslista_9c.xlsx", 46, "elias.angstrom41@exempel.se"),
    ],
)
def test_guardian_emails(name: str, count: int, known: str, tool_runner: ToolRunner) -> None:
    result = run(tool_runner, "vardnadshavare-mejl", [name])
    html = assert_succeeded(result)
    assert f"<strong>{count}</strong> unika adresser" in html
    text = result.artifact("output/mejladresser.txt").read_text(encoding="utf-8")
    addresses = text.strip().split("; ")
    assert len(addresses) == count == len({a.lower() for a in addresses})
    assert known in addresses
    assert all(re.fullmatch(r"[a-z.0-9]+@exempel\.se", a) for a in addresses)
    assert text.strip() in html  # the BCC list is on the page, ready to copy


def test_guardian_emails_second_guardian_and_last_row(tool_runner: ToolRunner) -> None:
    result = run(tool_runner, "vardnadshavare-mejl", ["klasslista_7b_utf8_bom_semikolon.csv"])
    addresses = result.artifact("output/mejladresser.txt").read_text("utf-8").strip().split("; ")
    assert "marta.larsson4@exempel.se" in addresses  # a second guardian
    assert addresses[-1] == "elsa.eriksson50@exempel.se"  # the last pupil, whose 2nd is empty


def test_guardian_emails_dedupe_case_insensitively(tmp_path: Path, tool_runner: ToolRunner) -> None:
    path = tmp_path / "lista.csv"
    path.write_text(
        "Namn;E-post Vårdnadshavare 1;Vårdnadshavare 2 e-post;E-post elev\n"
        "Anna;Per.Berg@Exempel.se;lisa@exempel.se;anna@elev.se\n"
        "Bo;per.berg@exempel.se; ;bo@elev.se\n"
        "Cia;ingen adress;LISA@EXEMPEL.SE;cia@elev.se\n"
        "Dan;Dan Ek <dan.ek@exempel.se>, mailto:eva@exempel.se;;dan@elev.se\n",
        encoding="utf-8",
    )
    result = run(tool_runner, "vardnadshavare-mejl", [path])
    html = assert_succeeded(result)
    text = result.artifact("output/mejladresser.txt").read_text("utf-8").strip()
    # first spelling kept; the pupils' own column left out
    assert text == "Per.Berg@Exempel.se; lisa@exempel.se; dan.ek@exempel.se; eva@exempel.se"
    assert "<strong>4</strong> unika adresser från 4 elever" in html
    assert "ingen adress" in html  # reported, not sent


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("tom.csv", "Filen är tom."),
        ("bara_rubriker.csv", "Inga elever hittades i filen."),
        ("trasig.xlsx", "Filen kunde inte läsas som en Excel-fil."),
        ("betyg_8a_ht.xlsx", "Hittade ingen kolumn med e-postadresser"),
    ],
)
def test_guardian_emails_bad_files(name: str, message: str, tool_runner: ToolRunner) -> None:
    assert_user_error(run(tool_runner, "vardnadshavare-mejl", [name]), message)


# ---------------------------------------------------------------------------------------------
# gruppindelning
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLASS_LISTS)
@pytest.mark.parametrize("size", [2, 3, 4, 5, 6])
def test_groups_cover_every_pupil_once(name: str, size: int, tool_runner: ToolRunner) -> None:
    result = run(tool_runner, "gruppindelning", [name], {"gruppstorlek": size, "seed": "7b"})
    html = assert_succeeded(result)
    groups = read_groups(result.artifact("output/grupper.csv"))
    pupils = [p for members in groups.values() for p in members]
    assert sorted(pupils) == sorted(expected_pupils(name))  # everyone exactly once
    assert all(abs(len(members) - size) <= 1 for members in groups.values())
    assert f"{len(pupils)} elever i {len(groups)} grupper" in html


def test_groups_default_size_and_swedish_names(tool_runner: ToolRunner) -> None:
    result = run(tool_runner, "gruppindelning", ["klasslista_8a_cp1252_komma.csv"])
    html = assert_succeeded(result)
    assert "önskad gruppstorlek 4" in html
    assert "Sören Gustafsson" in html
    assert "Selma Sjögren" in html
    assert "Ã" not in html  # no mojibake from the Windows-1252 file
    groups = read_groups(result.artifact("output/grupper.csv"))
    assert len(groups) == 6
    assert sorted(len(g) for g in groups.values()) == [4, 4, 4, 4, 4, 5]


def test_groups_seed_reproduces(tool_runner: ToolRunner) -> None:
    def groups(seed: str) -> bytes:
        values = {"gruppstorlek": 4, "slumpa": True, "seed": seed}
        result = run(tool_runner, "gruppindelning", ["klasslista_9c.xlsx"], values)
        return result.artifact("output/grupper.csv").read_bytes()

    assert groups("fredag") == groups("fredag")
    assert groups("fredag") != groups("måndag")


def test_groups_in_list_order(tool_runner: ToolRunner) -> None:
    values = {"gruppstorlek": 5, "slumpa": False}
    result = run(tool_runner, "gruppindelning", ["klasslista_7b_utf8_bom_semikolon.csv"], values)
    groups = read_groups(result.artifact("output/grupper.csv"))
    assert [p for g in groups.values() for p in g] == expected_pupils(
        "klasslista_7b_utf8_bom_semikolon.csv"
    )
    assert groups["Grupp 1"][0] == "Ebba Mohammed"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("tom.csv", "Filen är tom."),
        ("bara_rubriker.csv", "Inga elever hittades i filen."),
        ("trasig.xlsx", "Filen kunde inte läsas som en Excel-fil."),
    ],
)
def test_groups_bad_files(name: str, message: str, tool_runner: ToolRunner) -> None:
    assert_user_error(run(tool_runner, "gruppindelning", [name]), message)


def test_groups_bad_size_without_schema(tool_runner: ToolRunner) -> None:
    result = run(
        tool_runner, "gruppindelning", [CLASS_LISTS[0]], {"gruppstorlek": 99}, validate=False
    )
    assert_user_error(result, "Gruppstorleken måste vara ett heltal från 2 till 10")


# ---------------------------------------------------------------------------------------------
# betygsstatistik
# ---------------------------------------------------------------------------------------------


def test_grade_statistics(tool_runner: ToolRunner) -> None:
    result = run(tool_runner, "betygsstatistik", ["betyg_8a_ht.xlsx"])
    html = assert_succeeded(result)
    assert "25 elever och 6 ämnen" in html
    # Svenska, counted by hand: A 0, B 4, C 9, D 7, E 4, F 0; one missing;
    # mean = (4*17.5 + 9*15 + 7*12.5 + 4*10) / 24 = 332.5 / 24 = 13.85
    cells = "".join(f"<td>{n}</td>" for n in (0, 4, 9, 7, 4, 0, 24, 1))
    assert f"<tr><th>Svenska</th>{cells}<td>13,9</td><td>0 %</td></tr>" in html
    # Historia has three empty cells
    assert re.search(r"<tr><th>Historia</th>(<td>\d+</td>){6}<td>22</td><td>3</td>", html)
    assert "Elever med F" in html
    assert "Nour Berg: Engelska, Biologi" in html

    png = result.artifact("output/betygsfordelning.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "data:image/png;base64," + base64.b64encode(png).decode("ascii") in html
    with Image.open(io.BytesIO(png)) as image:
        assert image.width >= 600
        assert image.height >= 300

    workbook = openpyxl.load_workbook(result.artifact("output/sammanstallning.xlsx"))
    assert workbook.sheetnames == ["Fördelning", "Elever med F"]
    rows = {row[0]: row for row in workbook["Fördelning"].iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"Svenska", "Engelska", "Matematik", "Biologi", "Historia",
                         "Idrott och hälsa"}  # fmt: skip
    assert rows["Svenska"][1:9] == (0, 4, 9, 7, 4, 0, 24, 1)
    assert rows["Svenska"][9] == pytest.approx(13.85, abs=0.01)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("klasslista_7b_utf8_bom_semikolon.csv", "bara Excel-filer (.xlsx)"),
        ("tom.csv", "Filen är tom."),
        ("trasig.xlsx", "Filen kunde inte läsas som en Excel-fil."),
        ("klasslista_9c.xlsx", "Hittade inga betyg (A–F)"),
    ],
)
def test_grade_statistics_bad_files(name: str, message: str, tool_runner: ToolRunner) -> None:
    # validate=False: the schema would already refuse a .csv; the script must refuse it too.
    assert_user_error(run(tool_runner, "betygsstatistik", [name], validate=False), message)


def test_grade_statistics_schema_refuses_csv(tool_runner: ToolRunner) -> None:
    with pytest.raises(DomainError):
        run(tool_runner, "betygsstatistik", ["klasslista_7b_utf8_bom_semikolon.csv"])


# ---------------------------------------------------------------------------------------------
# markdown-till-word
# ---------------------------------------------------------------------------------------------


def test_markdown_to_word(tool_runner: ToolRunner) -> None:
    result = run(tool_runner, "markdown-till-word", ["lektionsplanering_fotosyntes.md"])
    html = assert_succeeded(result)
    assert "<h2>Syfte</h2>" in html
    assert "<em>Fotosyntes 1</em>" in html
    document = docx.Document(str(result.artifact("output/lektionsplanering_fotosyntes.docx")))
    styled = [(style_name(p), p.text) for p in document.paragraphs]
    headings = [(style, text) for style, text in styled if style.startswith("Heading")]
    assert headings == [
        ("Heading 1", "Lektionsplanering: Fotosyntes (åk 8)"),
        ("Heading 2", "Syfte"),
        ("Heading 2", "Upplägg (60 min)"),
        ("Heading 2", "Material"),
    ]
    texts = [p.text for p in document.paragraphs]
    assert "1. Inledning: vad behöver en växt? (10 min)" in texts
    assert "4. Exit ticket (10 min)" in texts
    bullets = [text for style, text in styled if style == "List Bullet"]
    assert bullets == ["Blad, aluminiumfolie, jodlösning", "Arbetsblad Fotosyntes 1"]
    italic = [r.text for p in document.paragraphs for r in p.runs if r.italic]
    assert italic == ["Fotosyntes 1"]
    [table] = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Moment", "Tid", "Ansvar"],
        ["Inledning", "10", "Lärare"],
        ["Laboration", "25", "Elever"],
    ]
    assert document.core_properties.title == "Lektionsplanering: Fotosyntes (åk 8)"


def test_markdown_formatting_and_no_raw_html(tmp_path: Path, tool_runner: ToolRunner) -> None:
    path = tmp_path / "Veckobrev v.12.md"
    path.write_text(
        "# Veckobrev\n\nHej! **Viktigt:** ta med *gympakläder*.\n\n"
        "1. Ett\n2. Två\n\n- A\n- B\n\n1. Igen\n\n"
        '<script>alert("x")</script>\n\n<b onclick="steal()">fet</b>\n',
        encoding="utf-8",
    )
    result = run(tool_runner, "markdown-till-word", [path])
    html = assert_succeeded(result)
    assert "<script" not in html
    assert "onclick" not in html
    assert "alert" not in html
    document = docx.Document(str(result.artifact("output/Veckobrev_v_12.docx")))
    runs = [(r.text, r.bold, r.italic) for p in document.paragraphs for r in p.runs]
    assert ("Viktigt:", True, None) in runs
    assert ("gympakläder", None, True) in runs
    texts = [p.text for p in document.paragraphs]
    assert texts.count("1. Ett") == 1
    assert "1. Igen" in texts
    assert not any("alert" in t for t in texts)


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        (b"", ".md", "Filen är tom."),
        (b"  \n\n", ".md", "Filen är tom."),
        (b"PK\x03\x04\x00\x00binary", ".md", "inte vara en textfil"),
        (b"# Rubrik", ".docx", "Välj en Markdown-fil (.md)"),
    ],
)
def test_markdown_bad_files(
    content: bytes, suffix: str, message: str, tmp_path: Path, tool_runner: ToolRunner
) -> None:
    path = tmp_path / f"fil{suffix}"
    path.write_bytes(content)
    assert_user_error(run(tool_runner, "markdown-till-word", [path]), message)


# ---------------------------------------------------------------------------------------------
# lasbarhet-lix
# ---------------------------------------------------------------------------------------------


def test_lix_of_the_essay(tool_runner: ToolRunner) -> None:
    # Counted by hand: heading "Min sommar" (2 words, 1 sentence) and four paragraphs of four
    # sentences each with 27 + 28 + 33 + 31 words = 121 words in 17 sentences. Long words (more
    # than six letters): Dalarna 3, midsommarafton 2, vattnet 4, kvällarna/spelade/jordgubbar 2
    # each = 15. LIX = 121/17 + 100*15/121 = 7.12 + 12.40 = 19.5 -> "Barnbok".
    result = run(tool_runner, "lasbarhet-lix", ["elevtext_min_sommar.docx"])
    html = assert_succeeded(result)
    assert "<tr><th>Antal ord</th><td>121</td></tr>" in html
    assert "<tr><th>Antal meningar</th><td>17</td></tr>" in html
    assert "<td>15</td>" in html
    match = re.search(r"LIX (\d+),(\d) – ([^.<]+)\.", html)
    assert match
    lix = float(f"{match[1]}.{match[2]}")
    assert 15 <= lix <= 25
    assert lix == pytest.approx(19.5, abs=0.05)
    assert match[3] == "Barnbok"
    common = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", html)
    assert len(common) == 10
    assert common[0] == ("dag", "6")
    assert {"badade", "sjön", "vattnet"} <= {w for w, _ in common}
    assert not {"och", "jag", "i", "vi", "var"} & {w for w, _ in common}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Vi åt. Vi sov. Vi lekte.", "Barnbok"),
        (
            "Myndighetens handläggningsrutiner beträffande tillståndsärenden förutsätter "
            "omfattande dokumentation, kvalitetssäkring, uppföljning och återrapportering "
            "till huvudmannens förvaltningsorganisation enligt gällande bestämmelser.",
            "Byråkratsvenska",
        ),
    ],
)
def test_lix_scale(text: str, label: str, tmp_path: Path, tool_runner: ToolRunner) -> None:
    path = tmp_path / "text.txt"
    path.write_text(text, encoding="cp1252")
    html = assert_succeeded(run(tool_runner, "lasbarhet-lix", [path], {"antal_ord": 3}))
    assert f"– {label}.</strong>" in html


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "tom.docx", "Filen är tom."),
        ((DATA / "trasig.xlsx").read_bytes(), "trasig.docx", "inte läsas som ett Word-dokument"),
        (b"1234 5678", "siffror.txt", "Texten innehåller inga ord."),
    ],
)
def test_lix_bad_files(
    content: bytes, name: str, message: str, tmp_path: Path, tool_runner: ToolRunner
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert_user_error(run(tool_runner, "lasbarhet-lix", [path]), message)


def test_lix_refuses_other_files(tool_runner: ToolRunner) -> None:
    result = run(tool_runner, "lasbarhet-lix", ["klasslista_9c.xlsx"], validate=False)
    assert_user_error(result, "Välj ett Word-dokument (.docx)")


# ---------------------------------------------------------------------------------------------
# klasslista-namnskyltar
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLASS_LISTS)
def test_name_tags(name: str, tool_runner: ToolRunner) -> None:
    values = {"extra_rad": "Studiedag"}
    result = run(tool_runner, "klasslista-namnskyltar", [name], values)
    html = assert_succeeded(result)
    pupils = expected_pupils(name)
    assert f"{len(pupils)} namnskyltar" in html
    document = docx.Document(str(result.artifact("output/namnskyltar.docx")))
    [table] = document.tables
    tags = [cell.paragraphs[0].text for row in table.rows for cell in row.cells]
    assert [t for t in tags if t] == pupils
    assert all(cell.paragraphs[-1].text == "Studiedag" for cell in table.rows[0].cells)


def test_name_tags_first_names_cp1252(tool_runner: ToolRunner) -> None:
    values = {"namnform": "bara_fornamn"}
    result = run(tool_runner, "klasslista-namnskyltar", [CLASS_LISTS[1]], values)
    html = assert_succeeded(result)
    assert ">Sören<" in html
    assert "Gustafsson" not in html
    document = docx.Document(str(result.artifact("output/namnskyltar.docx")))
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert cells[:2] == ["Selma", "Sören"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("tom.csv", "Filen är tom."),
        ("bara_rubriker.csv", "Inga elever hittades i filen."),
        ("trasig.xlsx", "Filen kunde inte läsas som en Excel-fil."),
    ],
)
def test_name_tags_bad_files(name: str, message: str, tool_runner: ToolRunner) -> None:
    assert_user_error(run(tool_runner, "klasslista-namnskyltar", [name]), message)
