"""Where uploaded files and decision documents are stored: the local disk (MEDIA_ROOT) unless
an S3-compatible bucket is configured, so that web and worker processes on several hosts read
and write the same files.

Every file is reached through Django's storage API (``documents`` never builds a path on
disk), so the hashed-copy downloads, the integrity sweep and the orphan sweep work the same on
either store.
"""

from __future__ import annotations

from typing import Any

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"
# Objects larger than this are spooled to a temporary file while read, never held in memory
# whole (documents/integrity.py hashes a 20 MB upload chunk by chunk).
S3_MEMORY_BYTES = 1024 * 1024


def default_storage_config(
    *,
    bucket: str,
    endpoint_url: str = "",
    access_key: str = "",
    secret_key: str = "",
    region: str = "",
    prefix: str = "",
    addressing_style: str = "",
    checksums: str = "when_supported",
) -> dict[str, Any]:
    """``STORAGES["default"]``: the bucket when one is named, the local disk otherwise.

    Empty keys leave boto3 to find credentials itself (instance role, AWS_* variables).
    ``checksums`` = ``when_required`` is for S3-compatible stores that do not understand the
    checksum trailers boto3 sends by default.
    """
    if not bucket:
        return {"BACKEND": FILESYSTEM}
    from botocore.config import Config

    options: dict[str, Any] = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "region_name": region or None,
        "location": prefix.strip("/"),
        # Stored files are never overwritten: a name taken gets a suffix, as on disk.
        "file_overwrite": False,
        # Private objects; files are only ever served by the application after its permission
        # check and hash check, never by a bucket URL.
        "default_acl": None,
        "querystring_auth": True,
        "max_memory_size": S3_MEMORY_BYTES,
        "client_config": Config(
            request_checksum_calculation=checksums,
            response_checksum_validation=checksums,
            s3={"addressing_style": addressing_style or "auto"},
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
        ),
    }
    return {"BACKEND": S3, "OPTIONS": options}
