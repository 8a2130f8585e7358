"""What the pages share at run time, kept on ``app.state.web``: settings, templates, the login
throttle's policy, the Prometheus metrics and (once the lifespan has started it) the core's use-case
container."""

from __future__ import annotations

import attrs
from skriptoteket.application.container import Skriptoteket
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.domain.login_throttle import ThrottlePolicy
from skriptoteket.settings import Settings
from starlette.requests import HTTPConnection

from skriptoteket_web.metrics import Metrics
from skriptoteket_web.templating import Templates
from skriptoteket_web.web_settings import WebSettings


@attrs.define
class WebRuntime:
    settings: Settings
    web: WebSettings
    templates: Templates
    throttle: ThrottlePolicy
    metrics: Metrics = attrs.Factory(Metrics)
    core: Skriptoteket | None = None

    def require_core(self) -> Skriptoteket:
        if self.core is None:
            raise DomainError(ErrorCode.SERVICE_UNAVAILABLE, "The application is starting")
        return self.core


def runtime(conn: HTTPConnection) -> WebRuntime:
    found = conn.app.state.web
    assert isinstance(found, WebRuntime)
    return found


def core(conn: HTTPConnection) -> Skriptoteket:
    return runtime(conn).require_core()
