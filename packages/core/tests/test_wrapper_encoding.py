"""The wrapper writes result.json with its own tiny encoder (no ``import json`` on the hot path);
whatever a tool returns must come out as JSON the app parses back exactly (RUN-06)."""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

import pytest
from skriptoteket.sandbox import WRAPPER_PATH


def wrapper() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wrapper_under_test", WRAPPER_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TRICKY = "".join(chr(c) for c in range(0, 0x300)) + "\u2028\u2029\ud7ff\ue000\U0001f600åäöÅÄÖ"


@pytest.mark.parametrize(
    "value",
    [
        {"html_output": TRICKY, "error_summary": None, "user_error": False},
        {"artifacts": [{"path": "output/ö ä/x.txt", "bytes": 12345678901}], "n": -1},
        {"status": "failed", "html_output": "", "nested": [[], {}, [True, False, None]]},
        {'"quoted\\key"': "</script><script>alert(1)</script>"},
    ],
)
def test_encoder_round_trips_through_json(value: dict[str, object]) -> None:
    encoded = wrapper()._json(value)
    assert json.loads(encoded) == value


def test_encoder_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        wrapper()._json({"x": object()})
