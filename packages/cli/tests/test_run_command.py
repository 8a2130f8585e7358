"""``skriptoteket run``: a tool from the terminal through the real queue and local runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from skriptoteket.domain.runs import RunContext, RunStatus
from skriptoteket.domain.versions import VersionState

from .conftest import CliResult, SharedMemoryPlugin

Cli = Callable[..., CliResult]
PASSWORD = "Kanelbulle-42"
TOOLBANK = Path(__file__).parents[1] / "src" / "skriptoteket_cli" / "toolbank"
DATA = Path(__file__).parent / "data" / "acceptance"


@pytest.fixture
def ready(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("SKRIPTOTEKET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    cli("bootstrap-superuser", "--email", "rektor@skolan.se", "--password", PASSWORD)
    for slug in ("vardnadshavare-mejl", "gruppindelning"):
        result = cli("tools", "import", str(TOOLBANK / slug), "--publish")
        assert result.exit_code == 0, result.err
    return cli


def test_run_writes_result_and_artifacts(
    ready: Cli, tmp_path: Path, store_plugin: SharedMemoryPlugin
) -> None:
    out = tmp_path / "ut"
    result = ready(
        "run",
        "vardnadshavare-mejl",
        str(DATA / "klasslista_8a_cp1252_komma.csv"),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.err
    assert "succeeded" in result.out
    assert "queued" in result.err or "running" in result.err  # the progress display
    html = (out / "result.html").read_text("utf-8")
    assert '<html lang="sv">' in html
    assert "vårdnadshavare" in html.lower()
    addresses = (out / "mejladresser.txt").read_text("utf-8")
    assert addresses.count("@") == 43
    (run,) = store_plugin.store.state.runs.values()
    assert run.context is RunContext.PRODUCTION
    assert run.status is RunStatus.SUCCEEDED


def test_fields_reach_a_contract_2_tool(ready: Cli, tmp_path: Path) -> None:
    out = tmp_path / "grupper"
    result = ready(
        "run",
        "gruppindelning",
        str(DATA / "klasslista_9c.xlsx"),
        "--field",
        "gruppstorlek=5",
        "--field",
        "seed=42",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.err
    rows = (out / "grupper.csv").read_text("utf-8-sig").splitlines()
    assert len(rows) == 30  # header + 29 pupils


def test_a_friendly_failure_exits_1(ready: Cli, tmp_path: Path) -> None:
    result = ready(
        "run", "vardnadshavare-mejl", str(DATA / "trasig.xlsx"), "--out", str(tmp_path / "x")
    )
    assert result.exit_code == 1
    assert "failed" in result.out
    assert "Filen kunde inte läsas som en Excel-fil." in result.out
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--field", "gruppstorlek=1"), "Antal elever per grupp: must be at least 2"),
        (("--field", "okand=1"), "Unknown input field(s): okand"),
        (("--field", "utan-likhetstecken"), "--field needs NAME=VALUE, got 'utan-likhetstecken'"),
    ],
)
def test_bad_fields_are_one_line(ready: Cli, args: tuple[str, ...], message: str) -> None:
    result = ready("run", "gruppindelning", str(DATA / "klasslista_9c.xlsx"), *args)
    assert result.exit_code == 1
    assert result.err == f"Error: {message}\n"


def test_unknown_tool_is_not_found(ready: Cli) -> None:
    result = ready("run", "finns-inte", str(DATA / "tom.csv"))
    assert result.exit_code == 1
    assert result.err == "Error: Tool not found\n"


def test_sandbox_run_shows_logs(
    ready: Cli, tmp_path: Path, store_plugin: SharedMemoryPlugin
) -> None:
    (version_id,) = [
        v.id
        for v in store_plugin.store.state.versions.values()
        if v.state is VersionState.ACTIVE
        and store_plugin.store.state.tools[v.tool_id].slug == "vardnadshavare-mejl"
    ]
    result = ready(
        "run",
        "vardnadshavare-mejl",
        str(DATA / "tom.csv"),
        "--sandbox",
        "--version",
        str(version_id),
        "--out",
        str(tmp_path / "s"),
    )
    assert result.exit_code == 1
    assert "--- stderr ---" in result.out
    assert "ToolUserError" in result.out
    needs_both = ready("run", "vardnadshavare-mejl", str(DATA / "tom.csv"), "--sandbox")
    assert needs_both.exit_code == 1
    assert "--sandbox and --version go together" in needs_both.err


def test_a_class_list_too_large_for_the_tool_says_so_issue_9(ready: Cli, tmp_path: Path) -> None:
    """Issue 9 item 6: a valid 16 MB class list (200,000 pupils) under the upload cap makes a
    result larger than the result cap. The run fails as output_too_large (not "invalid
    answer"), with the figures, and offers no file to download."""
    rows = ["Elev;Klass;Vårdnadshavare 1;E-post vårdnadshavare 1"]
    rows += [f"Elev {n}, Namn;7B;Förälder {n};vh{n}@exempel.se" for n in range(200_000)]
    big = tmp_path / "stor.csv"
    big.write_text("\n".join(rows), encoding="utf-8")
    assert 10_000_000 < big.stat().st_size < 20 * 1024 * 1024
    out = tmp_path / "ut"
    result = ready("run", "vardnadshavare-mejl", str(big), "--out", str(out))
    assert result.exit_code == 1
    assert "Execution failed (the tool's output is too large)." in result.out
    assert "Failure: output_too_large (limit=2000000, output=" in result.out
    assert not (out / "mejladresser.txt").exists()
