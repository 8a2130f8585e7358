"""The fixed runner wrapper (RUN-02–RUN-05). Authors cannot edit it. Standard library only.

It loads the tool's script, calls its entrypoint and ALWAYS writes ``result.json`` and exits 0:

- contract 1: ``run_tool(input_path, output_dir) -> str``
- contract 2: ``run_tool(input_dir, output_dir, inputs) -> str`` where ``inputs`` maps each value
  field to its value and each file field to a list of absolute paths.

A ``skriptoteket_tool.ToolUserError`` becomes a failed run whose message is shown to the user;
any other exception becomes "Tool execution failed (ExceptionName)." with the traceback on stderr.
"""

import contextlib
import importlib.util
import json
import os
import sys
import traceback
from types import ModuleType

RESULT_CONTRACT_VERSION = 2
MAX_USER_MESSAGE = 2000


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError("missing environment variable " + name)
    return value


def _artifacts(output_dir: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for root, dirs, files in os.walk(output_dir, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            rel = os.path.relpath(full, output_dir).replace(os.sep, "/")
            found.append({"path": "output/" + rel, "bytes": os.path.getsize(full)})
    return sorted(found, key=lambda item: str(item["path"]))


def _load(script_path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("tool_script", script_path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot load " + script_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["tool_script"] = module
    spec.loader.exec_module(module)
    return module


def _is_user_error(error: BaseException) -> bool:
    tool_module = sys.modules.get("skriptoteket_tool")
    user_error = getattr(tool_module, "ToolUserError", None)
    return isinstance(user_error, type) and isinstance(error, user_error)


def _call(entrypoint: str, contract: int, input_dir: str, output_dir: str) -> str:
    module = _load(_env("SKRIPTOTEKET_SCRIPT_PATH", "/sandbox/script.py"))
    func = getattr(module, entrypoint, None)
    if func is None or not callable(func):
        raise AttributeError("Entrypoint not found: " + entrypoint)
    if contract == 1:
        result = func(_env("SKRIPTOTEKET_INPUT_PATH"), output_dir)
    else:
        with open(_env("SKRIPTOTEKET_INPUTS_PATH"), encoding="utf-8") as handle:
            inputs = json.load(handle)
        files = inputs.pop("__files__", {})
        for field, names in files.items():
            inputs[field] = [os.path.join(input_dir, name) for name in names]
        result = func(input_dir, output_dir, inputs)
    if not isinstance(result, str):
        raise TypeError("the entrypoint must return an HTML string, not " + type(result).__name__)
    return result


def main() -> None:
    # Python runs us isolated (-I): put skriptoteket_tool (next to this file) on the path.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    entrypoint = _env("SKRIPTOTEKET_ENTRYPOINT", "run_tool").strip()
    contract = int(_env("SKRIPTOTEKET_CONTRACT", "1"))
    input_dir = _env("SKRIPTOTEKET_INPUT_DIR", "/sandbox/input")
    output_dir = _env("SKRIPTOTEKET_OUTPUT_DIR", "/sandbox/output")
    result_path = _env("SKRIPTOTEKET_RESULT_PATH", "/sandbox/result.json")
    os.makedirs(output_dir, exist_ok=True)
    result: dict[str, object] = {
        "contract_version": RESULT_CONTRACT_VERSION,
        "status": "succeeded",
        "html_output": "",
        "error_summary": None,
        "user_error": False,
        "artifacts": [],
    }
    try:
        result["html_output"] = _call(entrypoint, contract, input_dir, output_dir)
    except BaseException as error:  # RUN-05: every failure, SystemExit included, is data
        result["status"] = "failed"
        result["html_output"] = ""
        if _is_user_error(error):
            result["user_error"] = True
            result["error_summary"] = str(error)[:MAX_USER_MESSAGE] or type(error).__name__
        else:
            result["error_summary"] = "Tool execution failed (" + type(error).__name__ + ")."
        traceback.print_exc(file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a broken stream must not stop the result
            stream.flush()
    try:
        result["artifacts"] = _artifacts(output_dir)
    except OSError:
        result["artifacts"] = []
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False)
    os._exit(0)


if __name__ == "__main__":
    main()
