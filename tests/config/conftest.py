"""Fixtures of the site-wide tests: the S3-compatible server for the health checks."""

from tests.object_store import s3_server, s3_storage  # noqa: F401 (fixtures)
