"""Settings of the documents app, each with its default. Read at call time, so tests and
deployments can override them with ``DOCUMENTS_*`` settings."""

from __future__ import annotations

from django.conf import settings

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "DOCUMENTS_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))
