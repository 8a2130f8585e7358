"""Pins the libraries Skriptoteket's sandboxes offer to tools (DESIGN §4).

This distribution has no code of its own. Its dependencies are exactly the tool libraries of the
sandbox — openpyxl, python-docx, pypdf, pandas, matplotlib, markdown, jinja2 and Pillow — so that
the workspace (and its tests of the demo tool bank) runs tools with the same libraries that the
local runner's environment and the Docker runner image carry.
"""
