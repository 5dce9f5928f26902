"""Fixtures of the supporting-document tests: stored files go to a temporary MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path

import pytest

from permits.actions.documents import document_upload
from tests.documents import factories as files
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def draft(organisation, applicant):
    return ApplicationFactory(organisation=organisation, created_by=applicant, documents=False)


@pytest.fixture
def application_in(organisation, applicant, case_manager, head):
    """``application_in("under_review")``: an export application brought to that state through
    the real services, with the end-user certificate it needs to be submitted."""

    def make(state: str):
        application = ApplicationFactory(
            organisation=organisation, created_by=applicant, documents=False
        )
        if state != "draft":
            document_upload(
                application=application,
                actor=applicant,
                kind="end_user_certificate",
                uploaded_file=files.upload(files.pdf_bytes(), "euc.pdf"),
            )
        return advance(
            application, state, applicant=applicant, case_manager=case_manager, head=head
        )

    return make
