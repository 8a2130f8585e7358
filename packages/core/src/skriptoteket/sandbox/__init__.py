"""Files that run *inside* a sandbox: the fixed wrapper and the ``skriptoteket_tool`` module that
tool authors import. Both use the standard library only; runners copy them into every sandbox.

``WRAPPER_PATH`` and ``TOOL_MODULE_PATH`` locate them on the host.
"""

from pathlib import Path

WRAPPER_PATH = Path(__file__).with_name("wrapper.py")
TOOL_MODULE_PATH = Path(__file__).with_name("skriptoteket_tool.py")

# Names inside the sandbox (RUN-02). Runners may place the sandbox root anywhere; the wrapper
# reads every path from these environment variables.
ENV_SCRIPT_PATH = "SKRIPTOTEKET_SCRIPT_PATH"
ENV_ENTRYPOINT = "SKRIPTOTEKET_ENTRYPOINT"
ENV_CONTRACT = "SKRIPTOTEKET_CONTRACT"
ENV_INPUT_DIR = "SKRIPTOTEKET_INPUT_DIR"
ENV_INPUT_PATH = "SKRIPTOTEKET_INPUT_PATH"
ENV_INPUTS_PATH = "SKRIPTOTEKET_INPUTS_PATH"
ENV_OUTPUT_DIR = "SKRIPTOTEKET_OUTPUT_DIR"
ENV_RESULT_PATH = "SKRIPTOTEKET_RESULT_PATH"
ENV_MAX_RESULT_BYTES = "SKRIPTOTEKET_MAX_RESULT_BYTES"
