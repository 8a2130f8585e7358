"""The shared tree module (issue 9 item 1, RUN-12/RUN-14): iterative, fd-based, bounded."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from skriptoteket.builtin import file_trees
from skriptoteket.builtin.file_trees import TreeLimitExceeded, measure, remove_tree, walk
from skriptoteket.testing.trees import make_deep_tree

DEEP = 1200


@pytest.fixture(autouse=True)
def _remove_deep_trees(tmp_path: Path) -> Iterator[None]:
    """pytest's own clean-up of tmp_path recurses: leave it nothing deep."""
    yield
    assert file_trees.remove_tree(tmp_path) == []


def test_a_deep_tree_is_beyond_the_recursion_limit_and_path_max(tmp_path: Path) -> None:
    """The fixture itself: deeper than Python's recursion limit, longer than PATH_MAX."""
    make_deep_tree(tmp_path / "t", DEEP)
    assert sys.getrecursionlimit() // 2 < DEEP
    assert os.pathconf("/", "PC_PATH_MAX") < DEEP * 41


def test_measure_counts_a_deep_tree(tmp_path: Path) -> None:
    make_deep_tree(tmp_path / "t", DEEP, leaf=b"x" * 10_000)
    usage = measure(tmp_path / "t")
    assert usage.entries == DEEP + 1
    assert usage.allocated >= 10_000


def test_measure_stops_past_the_entry_cap(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    for n in range(50):
        (tmp_path / "t" / f"f{n}").touch()
    assert measure(tmp_path / "t", max_entries=10).entries == 11
    assert measure(tmp_path / "missing").entries == 0


def test_walk_lists_without_following_links(tmp_path: Path) -> None:
    root = tmp_path / "t"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f.txt").write_text("hej")
    (root / "link").symlink_to("/etc")
    found = {e.path: e for e in walk(root)}
    assert set(found) == {"a", "a/b", "a/b/f.txt", "link"}
    assert stat.S_ISLNK(found["link"].mode)
    assert found["a/b/f.txt"].size == 3
    assert found["a/b/f.txt"].depth == 3


def test_walk_refuses_a_tree_deeper_than_its_cap(tmp_path: Path) -> None:
    make_deep_tree(tmp_path / "t", DEEP, name="d")
    with pytest.raises(TreeLimitExceeded) as raised:
        list(walk(tmp_path / "t", max_depth=64))
    assert raised.value.kind == "too_deep"
    assert raised.value.path.count("/") == 64


def test_walk_refuses_more_entries_than_its_cap(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    for n in range(30):
        (tmp_path / "t" / f"f{n}").touch()
    with pytest.raises(TreeLimitExceeded) as raised:
        list(walk(tmp_path / "t", max_entries=20))
    assert raised.value.kind == "too_many_entries"


def test_walks_keep_few_descriptors_open(tmp_path: Path) -> None:
    """A deep tree is walked with at most MAX_OPEN_DIRS descriptors, reopening through '..'."""
    make_deep_tree(tmp_path / "t", 300)
    before = len(os.listdir("/proc/self/fd"))
    most = 0
    for _ in walk(tmp_path / "t"):
        most = max(most, len(os.listdir("/proc/self/fd")))
    assert most - before <= file_trees.MAX_OPEN_DIRS + 2
    assert len(os.listdir("/proc/self/fd")) == before


def test_remove_tree_removes_a_deep_tree(tmp_path: Path) -> None:
    make_deep_tree(tmp_path / "t", DEEP)
    assert remove_tree(tmp_path / "t") == []
    assert not (tmp_path / "t").exists()
    assert remove_tree(tmp_path / "t") == []  # missing: nothing to do


def test_remove_tree_fixes_permissions_and_never_follows_links(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    root = tmp_path / "t"
    (root / "locked" / "inner").mkdir(parents=True)
    (root / "locked" / "inner" / "f").write_text("x")
    (root / "link").symlink_to(outside)
    (root / "locked" / "inner").chmod(0)
    (root / "locked").chmod(0o500)
    assert remove_tree(root) == []
    assert not root.exists()
    assert (outside / "keep.txt").read_text() == "keep"


def test_remove_tree_reports_what_it_cannot_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An undeletable file (an immutable one, simulated) is reported, not raised."""
    make_deep_tree(tmp_path / "t", DEEP)
    real_unlink = os.unlink

    def unlink(path: str, *, dir_fd: int | None = None) -> None:
        if path == "leaf.txt":
            raise OSError(1, "Operation not permitted (immutable)")
        real_unlink(path, dir_fd=dir_fd)

    monkeypatch.setattr(os, "unlink", unlink)
    problems = remove_tree(tmp_path / "t")
    assert problems
    assert "leaf.txt: " in problems[0]
    assert len(problems) <= file_trees.MAX_PROBLEMS


def test_remove_tree_of_a_file_or_link(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    (tmp_path / "l").symlink_to(tmp_path / "f")
    assert remove_tree(tmp_path / "l") == []
    assert (tmp_path / "f").exists()
    assert remove_tree(tmp_path / "f") == []
    assert not (tmp_path / "f").exists()


def test_a_failed_tests_deep_tree_is_removed_after_it(tmp_path: Path) -> None:
    """The core's pytest plugin removes what is left of a test's hostile trees even when the
    test fails, so pytest's recursive clean-up of old tmp dirs never meets one."""
    (tmp_path / "test_leaves_a_tree.py").write_text(
        "from skriptoteket.testing.trees import make_deep_tree\n"
        "def test_leaves_a_tree(tmp_path):\n"
        "    make_deep_tree(tmp_path / 'x', 1200)\n"
        "    assert False\n"
    )
    base = tmp_path / "basetemp"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--basetemp={base}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout[-2000:]  # the test failed, the session did not crash
    leftover = base / "test_leaves_a_tree0" / "x"
    assert list(leftover.iterdir()) == []
