"""Login throttling in the web (issue 9 item 4, ID-12): the rules and their storage are the
core's (``domain.login_throttle``, ``application.login_throttle``: in the database, so every web
process and machine counts the same failures); this module gives them the request's client
address and the policy from ``WebSettings``.

The client address is the socket peer, or, behind a proxy listed in
``SKRIPTOTEKET_TRUSTED_PROXIES``, the client that proxy names (``serve`` has uvicorn rewrite the
peer from ``X-Forwarded-For`` for those proxies only). The login form and the
password-change form (a wrong current password) count under the same (account, address) pair.
"""

from __future__ import annotations

from skriptoteket.domain.login_throttle import ThrottlePolicy
from starlette.requests import Request
from starlette.responses import Response

from skriptoteket_web.runtime import core, runtime
from skriptoteket_web.web_settings import WebSettings


def throttle_policy(web: WebSettings) -> ThrottlePolicy:
    return ThrottlePolicy(
        failures_before_delay=web.login_failures_before_delay,
        max_delay_seconds=web.login_max_delay_seconds,
        max_failures_per_address=web.login_max_failures_per_address,
        window_seconds=web.login_throttle_window_seconds,
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"  # the peer (or trusted proxy's)


async def retry_after(request: Request, account: str) -> int:
    """Seconds until ``account`` may try a password again from this client (0: go ahead)."""
    return await core(request).login_retry_after(
        runtime(request).throttle, account=account, address=client_address(request)
    )


async def failed(request: Request, account: str) -> None:
    await core(request).record_login_failure(
        runtime(request).throttle, account=account, address=client_address(request)
    )


async def succeeded(request: Request, account: str) -> None:
    await core(request).clear_login_failures(account=account, address=client_address(request))


def too_many(response: Response, wait: int) -> Response:
    response.headers["Retry-After"] = str(wait)
    return response
