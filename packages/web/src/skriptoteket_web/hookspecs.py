"""Web hookspecs: plugins contribute Starlette routes.

Implement with ``@hookimpl(optionalhook=True)`` so the plugin also loads in hosts without the web.
"""

from __future__ import annotations

from collections.abc import Iterable

from skriptoteket.plugins.markers import hookspec
from starlette.routing import BaseRoute


@hookspec
def skriptoteket_register_web_routes() -> Iterable[BaseRoute]:
    """Contribute routes to the web app (mounted after the built-in ones).

    Example::

        @hookimpl(optionalhook=True)
        def skriptoteket_register_web_routes():
            yield Route("/hej", lambda request: PlainTextResponse("Hej!"))
    """
    raise NotImplementedError
