"""Safe, streaming extraction of what a sandbox sends back (no Docker needed)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

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


def test_hostile_entries_are_skipped_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = Collected()
    stream = _tar(
        [
            _special("output/link", tarfile.SYMTYPE, str(outside)),
            ("output/link/owned.txt", b"x"),
            _special("output/hard", tarfile.LNKTYPE, "/etc/passwd"),
            _special("output/dev", tarfile.CHRTYPE),
            _special("output/fifo", tarfile.FIFOTYPE),
            ("../escape.txt", b"x"),
            ("/abs.txt", b"x"),
            ("output/../../escape2.txt", b"x"),
            ("elsewhere.txt", b"x"),
            ("output/ok.txt", b"ok"),
        ]
    )
    collect(stream, out, tmp_path / "output", **CAPS)
    assert _files(outside) == []
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "escape2.txt").exists()
    assert not any(p.is_symlink() for p in tmp_path.rglob("*"))
    assert _files(tmp_path / "output") == ["link", "link/owned.txt", "ok.txt"]
    assert (tmp_path / "output" / "link").is_dir()  # a real directory, not the symlink
    reasons = dict(out.skipped)
    assert reasons["output/link"] == "symlink"
    assert reasons["output/hard"] == "link"
    assert reasons["output/dev"] == "special"
    assert reasons["output/fifo"] == "special"
    assert reasons["../escape.txt"] == "unsafe name"
    assert reasons["/abs.txt"] == "unsafe name"
    assert not out.complete  # no meta.json: the sandbox did not finish


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
