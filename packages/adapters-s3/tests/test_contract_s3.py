"""The S3 artifact store passes the artifact store contract suite against a real S3 server
(moto on loopback): RUN-22–RUN-25, RUN-28, EXE-08."""

from __future__ import annotations

import pytest
from skriptoteket.ports.execution import ArtifactStore
from skriptoteket.testing.artifact_store_contract import ArtifactStoreContract
from skriptoteket_s3.store import S3ArtifactStore
from skriptoteket_s3.testing import S3Bucket

pytestmark = pytest.mark.s3


class TestS3ArtifactStore(ArtifactStoreContract):
    @pytest.fixture
    def artifact_store(self, s3_bucket: S3Bucket) -> ArtifactStore:
        return S3ArtifactStore.connect(
            s3_bucket.name, endpoint_url=s3_bucket.endpoint_url, region=s3_bucket.region
        )
