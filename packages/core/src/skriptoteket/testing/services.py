"""Skip-or-fail switches for tests that need a real service.

On a laptop without PostgreSQL or Docker those tests skip with a reason. CI sets
``SKRIPTOTEKET_TEST_REQUIRE=postgres,docker`` so a missing service fails instead of skipping.
"""

from __future__ import annotations

import os

import pytest

REQUIRE_ENV = "SKRIPTOTEKET_TEST_REQUIRE"
POSTGRES_URL_ENV = "SKRIPTOTEKET_TEST_POSTGRES_URL"


def required_services() -> set[str]:
    raw = os.environ.get(REQUIRE_ENV, "")
    return {part.strip() for part in raw.split(",") if part.strip()}


def service_missing(service: str, reason: str) -> None:
    """Skip the current test, or fail it when ``service`` is required."""
    if service in required_services():
        pytest.fail(f"{service} is required ({REQUIRE_ENV}) but unavailable: {reason}")
    pytest.skip(f"{service} unavailable: {reason}")


def postgres_url() -> str:
    """The admin URL of a test PostgreSQL server, or skip/fail."""
    url = os.environ.get(POSTGRES_URL_ENV, "")
    if not url:
        service_missing(
            "postgres",
            f"set {POSTGRES_URL_ENV} (e.g. postgresql://skt:skt@127.0.0.1:5432/skt_test)",
        )
    return url
