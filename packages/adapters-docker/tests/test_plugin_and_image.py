"""Plugin discovery stays cheap; the image filter makes the runner filesystem (no Docker)."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from pathlib import Path

from click.testing import CliRunner
from skriptoteket.plugins import make_plugin_manager
from skriptoteket_docker import image, plugin
from skriptoteket_docker.cli import runner_group


def test_plugin_import_does_not_import_docker() -> None:
    code = (
        "import sys, skriptoteket_docker.plugin\n"
        "assert 'docker' not in sys.modules, 'docker imported'\n"
        "assert 'click' not in sys.modules, 'click imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_registers_the_docker_runner() -> None:
    (backend,) = list(plugin.skriptoteket_register_runners())
    assert backend.name == "docker"
    pm = make_plugin_manager()
    names = {b.name for batch in pm.hook.skriptoteket_register_runners() for b in batch}
    assert "docker" in names


def test_build_image_command_help() -> None:
    (group,) = list(plugin.skriptoteket_register_cli_commands())
    assert group is runner_group
    result = CliRunner().invoke(runner_group, ["build-image", "--help"])
    assert result.exit_code == 0
    assert "--force" in result.output


def test_image_hash_covers_the_in_container_files() -> None:
    first = image.runner_image_hash()
    assert first == image.runner_image_hash()
    assert len(first) == 32
    assert set(image.IN_CONTAINER_FILES) == {
        "runner/agent.py",
        "runner/wrapper.py",
        "runner/skriptoteket_tool.py",
    }


def _rootfs(path: Path) -> None:
    with tarfile.open(path, "w") as tar:
        for name, data in {
            "./etc/passwd": b"root:x:0:0:root:/root:/bin/bash\n",
            "./etc/group": b"root:x:0:\n",
            "./usr/share/doc/python3/README": b"docs",
            "./usr/bin/python3": b"#!binary",
        }.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for directory in ("./usr/share/doc", "./tmp"):
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            tar.addfile(info)


def test_write_image_tar(tmp_path: Path) -> None:
    source, target = tmp_path / "rootfs.tar", tmp_path / "image.tar"
    _rootfs(source)
    image.write_image_tar(source, target, lambda _n: None)
    with tarfile.open(target) as tar:
        members = {m.name: m for m in tar.getmembers()}
        passwd = tar.extractfile("etc/passwd")
        assert passwd is not None
        lines = passwd.read().decode().splitlines()
    assert "runner:x:10001:10001:Skriptoteket sandbox:/tmp:/usr/sbin/nologin" in lines
    assert "usr/share/doc/python3/README" not in members
    assert members["usr/share/doc"].isdir()
    assert members["sandbox"].mode == 0o1777
    assert members["tmp"].mode == 0o1777
    for name in ("runner/agent.py", "runner/wrapper.py", "runner/skriptoteket_tool.py"):
        assert members[name].mode == 0o444
        assert members[name].uid == 0
    assert "usr/bin/python3" in members
