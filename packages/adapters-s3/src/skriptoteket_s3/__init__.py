"""Skriptoteket artifact store in an S3-compatible object store
(``SKRIPTOTEKET_ARTIFACT_STORE=s3``).
"""
