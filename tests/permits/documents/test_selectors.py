"""The permission-checked lookup of a document to download."""

from __future__ import annotations

import pytest
from django.http import Http404

from permits.document_selectors import document_get_for_download
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def test_a_member_of_the_organisation_gets_its_document(draft, applicant):
    document = DocumentFactory(application=draft)

    assert document_get_for_download(user=applicant, public_id=document.public_id) == document


def test_download_lookup_of_another_organisations_document_is_404(draft, other_applicant):
    document = DocumentFactory(application=draft)

    with pytest.raises(Http404):
        document_get_for_download(user=other_applicant, public_id=document.public_id)


def test_download_lookup_of_a_malformed_id_is_404(applicant):
    with pytest.raises(Http404):
        document_get_for_download(user=applicant, public_id="not-a-uuid")
