"""A pytest plugin every package's test session loads (entry point ``pytest11`` of the core).

Hostile-tree tests (issue 9) build directory trees 1,200 levels deep with
``skriptoteket.testing.trees.make_deep_tree``. pytest tidies the temporary directories of earlier
sessions with Python 3.11's recursive ``shutil.rmtree``: one such tree left behind by a test that
failed before its own clean-up would end every later session on the machine in a RecursionError,
far from its cause. So after every test, what is left of the trees it made is removed
iteratively. (Raising the recursion limit instead would hide a recursive walk in our own code.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from skriptoteket.testing.trees import remove_made_trees


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    try:
        yield
    finally:
        remove_made_trees()
