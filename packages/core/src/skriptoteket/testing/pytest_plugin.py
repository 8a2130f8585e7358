"""A pytest plugin every package's test session loads (entry point ``pytest11`` of the core).

pytest removes the temporary directories of earlier sessions with Python 3.11's recursive
``shutil.rmtree``. Our hostile-tool tests build trees 1,200 levels deep (issue 9) and remove
them with the iterative ``file_trees.remove_tree``; but one that fails before its clean-up leaves
such a tree behind, and every later session on the machine would then end in a RecursionError
while pytest tidies up — a failure far from its cause. The session allows the depth pytest needs.
"""

from __future__ import annotations

import sys

import pytest

# rmtree recurses once a level (plus a frame or two): room for trees several thousand deep.
RECURSION_LIMIT = 20_000


def pytest_configure(config: pytest.Config) -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
