"""Hostile directory trees for tests: deeper than Python's recursion limit and than PATH_MAX.

Every tree made here is also removed after its test, whatever the test did
(``remove_made_trees``, called by the core's pytest plugin): pytest tidies old temporary
directories with Python 3.11's recursive ``shutil.rmtree``, so one tree left behind by a failed
test would end every later session on the machine in a RecursionError."""

from __future__ import annotations

import os
from pathlib import Path

from skriptoteket.builtin import file_trees

_made: list[Path] = []


def make_deep_tree(root: Path, levels: int, *, name: str = "d" * 40, leaf: bytes = b"x") -> None:
    """``root/name/name/…`` ``levels`` deep (created by descriptors: the full path may be far
    longer than PATH_MAX) with a file ``leaf.txt`` holding ``leaf`` at the bottom."""
    root.mkdir(parents=True, exist_ok=True)
    _made.append(root / name)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(levels):
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        out = os.open("leaf.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, leaf)
        os.close(out)
    finally:
        os.close(fd)


def remove_made_trees() -> None:
    """Remove what is left of every tree ``make_deep_tree`` made (iteratively)."""
    while _made:
        top = _made.pop()
        if top.exists():
            file_trees.remove_tree(top)
