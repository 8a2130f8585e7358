"""Skriptoteket core: a script library for schools.

Layers (see docs/architecture.md): ``domain`` (entities, state machines, policies; no I/O),
``ports`` (Protocols the core needs from the outside world), ``application`` (one use case per
action), ``plugins`` (pluggy hookspecs and the typed facade), ``builtin`` (the standard-library
backends: in-memory repositories and friends) and ``bootstrap`` (the composition root).
"""

__version__ = "0.1.0"
