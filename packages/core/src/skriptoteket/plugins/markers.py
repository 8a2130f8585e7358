"""The pluggy markers of the ``skriptoteket`` project (entry-point group ``skriptoteket``)."""

import pluggy

PROJECT_NAME = "skriptoteket"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
