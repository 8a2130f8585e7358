"""Test helpers: a real S3 server on loopback (moto's ``ThreadedMotoServer``, the ``testing``
extra) and fresh buckets on it. moto is imported only when a server is started."""

from __future__ import annotations

import socket
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import attrs

ACCESS_KEY = "testing"
SECRET_KEY = "testing"
REGION = "eu-north-1"


@attrs.frozen
class S3Bucket:
    name: str
    endpoint_url: str
    region: str = REGION


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 and a free port; yields its endpoint URL. Raises
    ImportError when moto (with flask and flask-cors) is not installed."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def create_bucket(endpoint_url: str, name: str | None = None) -> S3Bucket:
    """A new, empty bucket (CreateBucket over plain HTTP; moto accepts it unsigned)."""
    name = name or f"skt-{uuid.uuid4().hex[:20]}"
    body = (
        '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"<LocationConstraint>{REGION}</LocationConstraint></CreateBucketConfiguration>"
    ).encode()
    request = urllib.request.Request(f"{endpoint_url}/{name}", data=body, method="PUT")
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"CreateBucket {name}: HTTP {response.status}")
    return S3Bucket(name=name, endpoint_url=endpoint_url)
