"""A real S3 server on loopback: moto's ``ThreadedMotoServer`` on 127.0.0.1 and a free port,
one per test session, with a fresh bucket per test. Without moto (the ``testing`` extra) the S3
tests skip, or fail when ``SKRIPTOTEKET_TEST_REQUIRE`` contains ``s3`` (as in CI)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from skriptoteket.testing.services import service_missing
from skriptoteket_s3.testing import ACCESS_KEY, SECRET_KEY, S3Bucket, create_bucket, moto_server


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    try:
        import moto.server  # noqa: F401
    except ImportError as error:
        service_missing("s3", f"moto's S3 server is not installed ({error})")
    with moto_server() as endpoint_url:
        yield endpoint_url


@pytest.fixture
def s3_bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> S3Bucket:
    """A new, empty bucket; the standard AWS credential variables hold moto's."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    return create_bucket(s3_endpoint)
