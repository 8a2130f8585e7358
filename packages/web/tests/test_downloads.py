"""Artifact downloads name the file for every browser (RFC 6266 / RFC 5987)."""

from __future__ import annotations

import pytest
from skriptoteket_web.downloads import content_disposition


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        ("rapport.txt", 'attachment; filename="rapport.txt"'),
        (
            "översikt.txt",
            "attachment; filename=\"_versikt.txt\"; filename*=UTF-8''%C3%B6versikt.txt",
        ),
        (
            'a "b"\\c.txt',
            "attachment; filename=\"a _b__c.txt\"; filename*=UTF-8''a%20%22b%22%5Cc.txt",
        ),
    ],
)
def test_content_disposition(filename: str, header: str) -> None:
    assert content_disposition(filename) == header
