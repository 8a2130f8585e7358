"""The fixed runner wrapper (RUN-02–RUN-05). Authors cannot edit it. Standard library only.

It loads the tool's script, calls its entrypoint and ALWAYS writes ``result.json`` and exits 0:

- contract 1: ``run_tool(input_path, output_dir) -> str``
- contract 2: ``run_tool(input_dir, output_dir, inputs) -> str`` where ``inputs`` maps each value
  field to its value and each file field to a list of absolute paths.

A ``skriptoteket_tool.ToolUserError`` becomes a failed run whose message is shown to the user;
any other exception becomes "Tool execution failed (ExceptionName)." with the traceback on stderr.
"""

import os
import sys
from types import ModuleType

# Imports are kept to the minimum on purpose: every millisecond here is paid by every run.
# json, traceback and friends are imported only on the paths that need them.

RESULT_CONTRACT_VERSION = 2
MAX_USER_MESSAGE = 2000


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError("missing environment variable " + name)
    return value


# The artifact list is informational (the runner and the app check the output themselves): walk
# iteratively (os.walk recurses on 3.11), no deeper than this, and stop after this many entries.
MAX_WALK_DEPTH = 64
MAX_WALK_ENTRIES = 20000


def _artifacts(output_dir: str) -> list[dict[str, object]]:
    import stat

    found: list[dict[str, object]] = []
    pending = [("", 0)]
    seen = 0
    while pending and seen <= MAX_WALK_ENTRIES:
        rel_dir, depth = pending.pop()
        try:
            names = os.listdir(os.path.join(output_dir, rel_dir))
        except OSError:
            continue
        for name in names:
            seen += 1
            rel = rel_dir + "/" + name if rel_dir else name
            try:
                info = os.lstat(os.path.join(output_dir, rel))
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode) and depth < MAX_WALK_DEPTH:
                pending.append((rel, depth + 1))
            elif stat.S_ISREG(info.st_mode):
                found.append({"path": "output/" + rel, "bytes": info.st_size})
    return sorted(found, key=lambda item: str(item["path"]))


def _load(script_path: str) -> ModuleType:
    with open(script_path, encoding="utf-8") as handle:
        code = compile(handle.read(), script_path, "exec")
    module = ModuleType("tool_script")
    module.__file__ = script_path
    sys.modules["tool_script"] = module
    exec(code, module.__dict__)  # running the tool's script is the wrapper's job
    return module


_JSON_ESCAPES = {i: f"\\u{i:04x}" for i in (*range(0x20), 0x2028, 0x2029)}
_JSON_ESCAPES[ord('"')] = '\\"'
_JSON_ESCAPES[ord("\\")] = "\\\\"


def _json_string(text: str) -> str:
    return '"' + text.translate(_JSON_ESCAPES) + '"'


def _json(value: object) -> str:
    """A minimal JSON encoder for the result (importing ``json`` costs every run ~6 ms)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(_json_string(str(k)) + ": " + _json(v) for k, v in value.items()) + "}"
        )
    raise TypeError("cannot encode " + type(value).__name__)


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
        import json

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
        import traceback

        traceback.print_exc(file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 - contextlib would cost an import on every run
            stream.flush()
        except Exception:  # a broken stream must not stop the result
            pass
    try:
        result["artifacts"] = _artifacts(output_dir)
    except Exception:  # never lose the result over the list of artifacts
        result["artifacts"] = []
    text = _json(_within_cap(result))
    if len(text) > _max_result_bytes():  # e.g. thousands of artifacts
        text = _json(_too_large(result, "result", len(text)))
    with open(result_path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os._exit(0)


def _max_result_bytes() -> int:
    raw = os.environ.get("SKRIPTOTEKET_MAX_RESULT_BYTES", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 2_000_000


def _within_cap(result: dict[str, object]) -> dict[str, object]:
    """An HTML result larger than the result cap is a failed run that says so, instead of a
    result.json the runner must refuse (or cannot even write under the file-size limit)."""
    html = result["html_output"]
    if isinstance(html, str) and len(html) > _max_result_bytes():
        return _too_large(result, "html", len(html))
    return result


def _too_large(result: dict[str, object], output: str, size: int) -> dict[str, object]:
    return {
        "contract_version": RESULT_CONTRACT_VERSION,
        "status": "failed",
        "html_output": "",
        "error_summary": "Tool output too large (" + output + ").",
        "user_error": False,
        "artifacts": [],
        "failure": {
            "code": "output_too_large",
            "output": output,
            "size": size,
            "limit": _max_result_bytes(),
        },
    }


if __name__ == "__main__":
    main()
