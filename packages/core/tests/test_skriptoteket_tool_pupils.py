"""``skriptoteket_tool.read_pupils`` / ``display_name``: the class-list reading the tool bank's
group and name-tag tools share (one copy inside the sandbox module, not one per tool)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from skriptoteket.sandbox import TOOL_MODULE_PATH


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("skriptoteket_tool", TOOL_MODULE_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "lista.csv"
    path.write_text(text, encoding=encoding)
    return str(path)


def test_names_from_the_elev_column_below_a_title_row(tool: ModuleType, tmp_path: Path) -> None:
    path = write(tmp_path, "Klass 7B;\nElev;Klass\nMohammed, Ebba;7B\nÅsa Öberg;7B\n;7B\n")
    assert tool.read_pupils(path) == ["Ebba Mohammed", "Åsa Öberg"]
    assert tool.read_pupils(path, as_written=True) == ["Mohammed, Ebba", "Åsa Öberg"]


def test_first_and_last_name_columns_and_a_plain_list(tool: ModuleType, tmp_path: Path) -> None:
    both = write(tmp_path, "Förnamn,Efternamn,Klass\nEbba,Mohammed,7B\n", "cp1252")
    assert tool.read_pupils(both) == ["Ebba Mohammed"]
    plain = write(tmp_path, "Mohammed, Ebba\nÅsa Öberg\n")
    assert tool.read_pupils(plain) == ["Ebba Mohammed", "Åsa Öberg"]


def test_no_name_column_and_no_pupils_are_friendly_errors(tool: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(tool.ToolUserError, match="Hittade ingen kolumn"):
        tool.read_pupils(write(tmp_path, "Klass;Rum;Lärare\n7B;A1;Eva\n"))
    with pytest.raises(tool.ToolUserError, match="Inga elever"):
        tool.read_pupils(write(tmp_path, "Elev;Klass\n"))


def test_display_name(tool: ModuleType) -> None:
    assert tool.display_name("Eriksson, Alice") == "Alice Eriksson"
    assert tool.display_name(" Alice Eriksson ") == "Alice Eriksson"
    assert tool.display_name("a, b, c") == "a, b, c"
