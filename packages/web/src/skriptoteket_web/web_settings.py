"""Settings that only the web host needs, read from ``SKRIPTOTEKET_*`` environment variables.

They live here rather than in the core's ``Settings`` because no other host uses them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

import attrs
from skriptoteket.domain.identity import UI_LANGUAGES

SUPPORTED_LANGUAGES: tuple[str, ...] = UI_LANGUAGES
SameSite = Literal["lax", "strict", "none"]


def _language(value: str) -> str:
    lang = value.strip().lower().split("-")[0].split("_")[0]
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"SKRIPTOTEKET_DEFAULT_LANGUAGE must be one of {SUPPORTED_LANGUAGES}")
    return lang


def _samesite(value: str) -> SameSite:
    lowered = value.strip().lower()
    if lowered == "lax":
        return "lax"
    if lowered == "strict":
        return "strict"
    if lowered == "none":
        return "none"
    raise ValueError("SKRIPTOTEKET_COOKIE_SAMESITE must be lax, strict or none")


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@attrs.frozen
class WebSettings:
    default_language: str = attrs.field(default="sv", converter=_language)
    timezone: str = "Europe/Stockholm"
    session_cookie_name: str = "skriptoteket_session"
    cookie_secure: bool = False
    cookie_samesite: SameSite = "lax"
    # Login throttling (throttle.py): per (account, client address), failures before the
    # growing delay starts and its cap; per address, failures across accounts in the window.
    login_failures_before_delay: int = 5
    login_max_delay_seconds: float = 900.0
    login_max_failures_per_address: int = 20
    login_throttle_window_seconds: float = 900.0
    # Largest body of a JSON or form request (uploads: the core's upload total plus this).
    # The largest legitimate one is the editor's save: source code of at most
    # skriptoteket.domain.versions.SOURCE_CODE_MAX_LENGTH characters, form-encoded.
    request_max_body_bytes: int = 1024 * 1024
    # /metrics: with a token, only `Authorization: Bearer TOKEN`; without, only loopback clients.
    metrics_token: str | None = attrs.field(default=None, repr=False)
    # R35: /docs and /openapi.json, for anyone, only when on (otherwise 404); on by default
    # as SPEC §12 says (the same document is public at /api/v1/openapi.json anyway).
    enable_docs: bool = True
    trusted_proxies: str = ""
    """Addresses (IPs or networks, comma-separated) of reverse proxies whose
    ``X-Forwarded-For``/``X-Forwarded-Proto`` are believed: a request from one of them counts as
    coming from the client the proxy names (login throttle, logs). Empty: only the socket peer
    counts, and forwarded headers are ignored."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebSettings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            raw = env.get("SKRIPTOTEKET_" + name)
            return raw if raw else None

        defaults = cls()
        lang = get("DEFAULT_LANGUAGE")
        samesite = get("COOKIE_SAMESITE")
        secure = get("COOKIE_SECURE")
        docs = get("ENABLE_DOCS")
        return cls(
            default_language=lang or defaults.default_language,
            timezone=get("TIMEZONE") or defaults.timezone,
            session_cookie_name=get("SESSION_COOKIE_NAME") or defaults.session_cookie_name,
            cookie_secure=_flag(secure) if secure else defaults.cookie_secure,
            cookie_samesite=_samesite(samesite) if samesite else defaults.cookie_samesite,
            login_failures_before_delay=int(
                get("LOGIN_FAILURES_BEFORE_DELAY") or defaults.login_failures_before_delay
            ),
            login_max_delay_seconds=float(
                get("LOGIN_MAX_DELAY_SECONDS") or defaults.login_max_delay_seconds
            ),
            login_max_failures_per_address=int(
                get("LOGIN_MAX_FAILURES_PER_ADDRESS") or defaults.login_max_failures_per_address
            ),
            login_throttle_window_seconds=float(
                get("LOGIN_THROTTLE_WINDOW_SECONDS") or defaults.login_throttle_window_seconds
            ),
            request_max_body_bytes=int(
                get("REQUEST_MAX_BODY_BYTES") or defaults.request_max_body_bytes
            ),
            metrics_token=(get("METRICS_TOKEN") or "").strip() or None,
            enable_docs=_flag(docs) if docs else defaults.enable_docs,
            trusted_proxies=",".join(
                part.strip() for part in (get("TRUSTED_PROXIES") or "").split(",") if part.strip()
            ),
        )
