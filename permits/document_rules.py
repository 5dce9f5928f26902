"""Which supporting documents an application must carry before it can be submitted."""

from __future__ import annotations

from django.conf import settings

from documents import selectors as document_selectors

from .models import PermitApplication

# By (kind, regime); overridden by the DOCUMENTS_REQUIRED setting.
DEFAULT_REQUIRED: dict[tuple[str, str], list[str]] = {
    ("export", "military"): ["end_user_certificate"],
    ("transit", "military"): ["end_user_certificate"],
    ("transfer", "military"): ["end_user_certificate"],
    ("export", "dual_use"): ["end_user_certificate"],
    ("export", "law_enforcement"): ["end_user_certificate"],
    # Regulation (EU) No 258/2012, Art. 4 and 7: the importing third country's authorisation.
    ("export", "civil_firearms"): ["import_certificate"],
}


def required_documents() -> dict[tuple[str, str], list[str]]:
    return getattr(settings, "DOCUMENTS_REQUIRED", DEFAULT_REQUIRED)


def missing_required_documents(application: PermitApplication) -> list[str]:
    """Kinds of document (``Document.Kind`` values) that ``application`` must still carry, by
    the ``DOCUMENTS_REQUIRED`` table. Only current (not superseded) documents count."""
    required = required_documents().get((application.kind, application.regime), [])
    if not required:
        return []
    present = document_selectors.current_document_kinds(
        application_id=application.pk, kinds=required
    )
    return [kind for kind in required if kind not in present]
