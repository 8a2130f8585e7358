"""The sandbox's tool libraries are installed and work headless (matplotlib on Agg)."""

from __future__ import annotations

import importlib
import io

import pytest

LIBRARIES = ["openpyxl", "docx", "pypdf", "pandas", "matplotlib", "markdown", "jinja2", "PIL"]


@pytest.mark.parametrize("module", LIBRARIES)
def test_library_importable(module: str) -> None:
    importlib.import_module(module)


def test_module_docstring_explains_the_pin() -> None:
    import skriptoteket_toolbox

    assert skriptoteket_toolbox.__doc__
    assert "sandbox" in skriptoteket_toolbox.__doc__


def test_matplotlib_renders_png_headless() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.bar(["A", "B"], [3, 5])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    assert buffer.getvalue().startswith(b"\x89PNG")
