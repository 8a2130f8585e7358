"""Registers the ``s3`` artifact store (``SKRIPTOTEKET_ARTIFACT_STORE=s3``)."""

from __future__ import annotations

from collections.abc import Iterable

from skriptoteket.domain.errors import validation_error
from skriptoteket.plugins.markers import hookimpl
from skriptoteket.plugins.records import ArtifactStoreBackend
from skriptoteket.ports.execution import ArtifactStore
from skriptoteket.settings import Settings


def create_s3_store(settings: Settings) -> ArtifactStore:
    from skriptoteket_s3.store import S3ArtifactStore  # obstore only when the store is chosen

    if not settings.s3_bucket:
        raise validation_error(
            "The s3 artifact store needs a bucket: set SKRIPTOTEKET_S3_BUCKET "
            "(and SKRIPTOTEKET_S3_ENDPOINT_URL for a server other than AWS)",
            setting="SKRIPTOTEKET_S3_BUCKET",
            reason="s3_bucket_missing",
        )
    return S3ArtifactStore.connect(
        settings.s3_bucket,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        caps=settings.output_caps,
    )


@hookimpl
def skriptoteket_register_artifact_stores() -> Iterable[ArtifactStoreBackend]:
    yield ArtifactStoreBackend(
        name="s3",
        create=create_s3_store,
        description="Objects {run_id}/output/... in SKRIPTOTEKET_S3_BUCKET (S3-compatible)",
    )
