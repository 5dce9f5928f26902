"""Which supporting documents an application must carry: the DOCUMENTS_REQUIRED table."""

from __future__ import annotations

import pytest

from permits.actions.documents import document_upload
from permits.rules import missing_required_documents
from tests.documents import factories as files
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def upload(application, actor, kind, **kw):
    return document_upload(
        application=application,
        actor=actor,
        kind=kind,
        uploaded_file=files.upload(files.pdf_bytes(), "certificate.pdf"),
        **kw,
    )


def test_an_export_of_military_goods_needs_an_end_user_certificate(draft):
    assert missing_required_documents(draft) == ["end_user_certificate"]


def test_an_uploaded_end_user_certificate_satisfies_the_requirement(draft, applicant):
    upload(draft, applicant, kind="end_user_certificate")

    assert missing_required_documents(draft) == []


def test_a_superseded_certificate_no_longer_counts(draft, applicant):
    old = upload(draft, applicant, kind="end_user_certificate")
    upload(draft, applicant, kind="other", supersedes=old)

    assert missing_required_documents(draft) == ["end_user_certificate"]


def test_an_import_needs_no_document_by_default(organisation, applicant):
    application = ApplicationFactory(organisation=organisation, created_by=applicant, kind="import")

    assert missing_required_documents(application) == []


def test_required_documents_come_from_the_setting(draft, settings):
    settings.DOCUMENTS_REQUIRED = {("export", "military"): ["contract", "end_user_certificate"]}

    assert missing_required_documents(draft) == ["contract", "end_user_certificate"]
