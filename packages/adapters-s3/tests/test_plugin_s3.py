"""The package registers the ``s3`` artifact store through its entry point, and a missing bucket
is a clear error naming the setting."""

from __future__ import annotations

import subprocess
import sys

import pytest
from skriptoteket.domain.errors import DomainError
from skriptoteket.plugins import make_plugin_manager
from skriptoteket.plugins.facade import Plugins
from skriptoteket.settings import Settings
from skriptoteket_s3 import plugin
from skriptoteket_s3.store import S3ArtifactStore


def test_registers_the_s3_artifact_store() -> None:
    (backend,) = list(plugin.skriptoteket_register_artifact_stores())
    assert backend.name == "s3"
    assert "s3" in Plugins(make_plugin_manager()).artifact_store_backends()


def test_plugin_import_does_not_import_obstore() -> None:
    code = "import sys, skriptoteket_s3.plugin\nassert 'obstore' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_missing_bucket_names_the_variable() -> None:
    settings = Settings(artifact_store="s3")
    backend = Plugins(make_plugin_manager()).select_artifact_store(settings)
    with pytest.raises(DomainError) as error:
        backend.create(settings)
    assert error.value.reason == "s3_bucket_missing"
    assert "SKRIPTOTEKET_S3_BUCKET" in error.value.message


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "SKRIPTOTEKET_ARTIFACT_STORE": "s3",
            "SKRIPTOTEKET_S3_BUCKET": "artefakter",
            "SKRIPTOTEKET_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "SKRIPTOTEKET_S3_REGION": "eu-north-1",
        }
    )
    assert (settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region) == (
        "artefakter",
        "http://127.0.0.1:9000",
        "eu-north-1",
    )
    store = Plugins(make_plugin_manager()).select_artifact_store(settings).create(settings)
    assert isinstance(store, S3ArtifactStore)
