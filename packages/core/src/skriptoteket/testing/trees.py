"""Hostile directory trees for tests: deeper than Python's recursion limit and than PATH_MAX."""

from __future__ import annotations

import os
from pathlib import Path


def make_deep_tree(root: Path, levels: int, *, name: str = "d" * 40, leaf: bytes = b"x") -> None:
    """``root/name/name/…`` ``levels`` deep (created by descriptors: the full path may be far
    longer than PATH_MAX) with a file ``leaf.txt`` holding ``leaf`` at the bottom."""
    root.mkdir(parents=True, exist_ok=True)
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
