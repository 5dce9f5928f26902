from __future__ import annotations

import pytest

from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance


@pytest.fixture
def make_application(organisation, applicant, case_manager, head):
    """An application of the applicant's organisation, walked to ``state`` by the actions."""

    def make(state: str = "draft"):
        application = ApplicationFactory(organisation=organisation, created_by=applicant)
        return advance(
            application, state, applicant=applicant, case_manager=case_manager, head=head
        )

    return make


@pytest.fixture
def anon_client():
    from rest_framework.test import APIClient

    return APIClient()
