"""Safe, streaming extraction of what a sandbox sends back (no Docker needed)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from skriptoteket_docker.transfer import Collected, collect

CAPS = {"max_stdout": 100, "max_stderr": 100, "max_result": 1000, "max_output_bytes": 50}


def _tar(entries: list[tarfile.TarInfo | tuple[str, bytes]]) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                tar.addfile(entry)
            else:
                info = tarfile.TarInfo(entry[0])
                info.size = len(entry[1])
                tar.addfile(info, io.BytesIO(entry[1]))
    return io.BytesIO(buffer.getvalue())


def _special(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def test_regular_files_and_control_members(tmp_path: Path) -> None:
    out = Collected()
    stream = _tar(
        [
            ("result.json", b'{"status": "succeeded"}'),
            ("stdout", b"o" * 500),
            ("stderr", b"e"),
            ("output/a.txt", b"A"),
            ("output/sub/b.txt", b"B"),
            (
                "meta.json",
                json.dumps({"exit_code": 0, "skipped": [["output/x", "symlink"]]}).encode(),
            ),
        ]
    )
    collect(stream, out, tmp_path / "output", **CAPS)
    assert out.complete
    assert out.result_json == b'{"status": "succeeded"}'
    assert out.stdout == b"o" * 100  # capped
    assert out.stderr == b"e"
    assert _files(tmp_path / "output") == ["a.txt", "sub", "sub/b.txt"]
    assert out.skipped == [("output/x", "symlink")]


def test_hostile_entries_are_refused_never_followed(tmp_path: Path) -> None:
    """RUN-22–RUN-24 (issue 9 item 5): the first entry the output may not hold is the run's
    violation; nothing more is written to the output, nothing is ever followed."""
    outside = tmp_path / "outside"
    outside.mkdir()
    out = Collected()
    stream = _tar(
        [
            ("output/ok.txt", b"ok"),
            _special("output/link", tarfile.SYMTYPE, str(outside)),
            ("output/link/owned.txt", b"x"),
            _special("output/hard", tarfile.LNKTYPE, "/etc/passwd"),
            ("../escape.txt", b"x"),
            ("output/../../escape2.txt", b"x"),
            ("output/later.txt", b"x"),
        ]
    )
    collect(stream, out, tmp_path / "output", **CAPS)
    assert out.violation == ("output/link", "symlink")
    assert _files(outside) == []
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "escape2.txt").exists()
    assert not any(p.is_symlink() for p in tmp_path.rglob("*"))
    assert _files(tmp_path / "output") == ["ok.txt"]
    assert not out.complete  # no meta.json: the sandbox did not finish


@pytest.mark.parametrize(
    ("entry", "violation"),
    [
        (_special("output/hard", tarfile.LNKTYPE, "/etc/passwd"), ("output/hard", "hardlink")),
        (_special("output/dev", tarfile.CHRTYPE), ("output/dev", "device")),
        (_special("output/fifo", tarfile.FIFOTYPE), ("output/fifo", "fifo")),
        (("output/a\\b", b"x"), ("output/a\\b", "unsafe_name")),
        (("../escape.txt", b"x"), ("../escape.txt", "unsafe_name")),
        (("/abs.txt", b"x"), ("/abs.txt", "unsafe_name")),
        (("elsewhere.txt", b"x"), ("elsewhere.txt", "unsafe_name")),
        (("output/" + "d/" * 65 + "f", b"x"), ("output/" + "d/" * 65 + "f", "too_deep")),
    ],
)
def test_each_kind_of_violation(
    tmp_path: Path, entry: tarfile.TarInfo | tuple[str, bytes], violation: tuple[str, str]
) -> None:
    out = Collected()
    collect(_tar([entry, ("meta.json", b"{}")]), out, tmp_path / "output", **CAPS)
    assert out.violation == violation
    assert out.complete


def test_the_output_directory_itself_is_no_note_and_entries_are_capped(tmp_path: Path) -> None:
    """Issue 9 item 5: the agent's ``output`` entry is not "skipped"; the entry cap holds."""
    root = _special("output", tarfile.DIRTYPE)
    out = Collected()
    files = [(f"output/f{n}", b"") for n in range(5)]
    collect(_tar([root, *files]), out, tmp_path / "output", **CAPS, max_output_entries=3)
    assert out.skipped == []
    assert out.violation == ("output/f3", "too_many_entries")
    assert _files(tmp_path / "output") == ["f0", "f1", "f2"]


def test_byte_cap_stops_the_stream(tmp_path: Path) -> None:
    out = Collected()
    stream = _tar([("output/a.bin", b"a" * 40), ("output/b.bin", b"b" * 40), ("output/c", b"c")])
    collect(stream, out, tmp_path / "output", **CAPS)
    assert _files(tmp_path / "output") == ["a.bin"]
    assert out.error == "The output exceeded the size cap."
    assert ("output/b.bin", "output size cap") in out.skipped


def test_oversized_result_is_dropped(tmp_path: Path) -> None:
    out = Collected()
    collect(_tar([("result.json", b"x" * 2000)]), out, tmp_path / "output", **CAPS)
    assert out.result_json is None
    assert ("result.json", "too large") in out.skipped


def test_inputs_document_accepts_the_apps_files_mapping(tmp_path: Path) -> None:
    import uuid

    from skriptoteket.domain.runs import RunContext
    from skriptoteket.ports.execution import RunJob, RunLimits
    from skriptoteket_docker.transfer import inputs_document

    def job(inputs: Any) -> RunJob:
        return RunJob(
            run_id=uuid.uuid4(),
            tool_id=uuid.uuid4(),
            version_id=uuid.uuid4(),
            context=RunContext.SANDBOX,
            source_code="",
            entrypoint="run_tool",
            contract_version=2,
            workspace=tmp_path,
            input_names=("a.csv",),
            inputs=inputs,
            limits=RunLimits(),
        )

    app_style = {"rubrik": "x", "__files__": {"lista": ["a.csv"]}}
    assert json.loads(inputs_document(job(app_style))) == app_style
    list_style = {"rubrik": "x", "lista": ["a.csv"]}
    assert json.loads(inputs_document(job(list_style))) == app_style
