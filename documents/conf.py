"""Settings of the documents app, each with its default. Read at call time, so tests and
deployments can override them with ``DOCUMENTS_*`` settings."""

from __future__ import annotations

from django.conf import settings

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# Supporting documents an application must carry before it can be submitted, by
# (kind, regime). Only current (not superseded) documents count.
DEFAULT_REQUIRED: dict[tuple[str, str], list[str]] = {
    ("export", "military"): ["end_user_certificate"],
    ("transit", "military"): ["end_user_certificate"],
    ("transfer", "military"): ["end_user_certificate"],
    ("export", "dual_use"): ["end_user_certificate"],
    ("export", "law_enforcement"): ["end_user_certificate"],
    # Regulation (EU) No 258/2012, Art. 4 and 7: the importing third country's authorisation.
    ("export", "civil_firearms"): ["import_certificate"],
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "DOCUMENTS_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def required_documents() -> dict[tuple[str, str], list[str]]:
    return getattr(settings, "DOCUMENTS_REQUIRED", DEFAULT_REQUIRED)
