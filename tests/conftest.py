"""Workspace-level tests: they run against the whole workspace (``./run test``), never in a
single package's isolated environment (``./run isolation``)."""
