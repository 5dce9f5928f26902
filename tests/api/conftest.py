"""Fixtures of the API tests: an API client per role, applications in each state."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import api_token_create
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Throttle counts live in the cache; every test starts with none.
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, plaintext = api_token_create(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def api_client_for(db):
    return client_for


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def applicant_client(applicant, organisation):
    return client_for(applicant)


@pytest.fixture
def other_applicant_client(other_applicant):
    return client_for(other_applicant)


@pytest.fixture
def case_manager_client(case_manager):
    return client_for(case_manager)


@pytest.fixture
def head_client(head):
    return client_for(head)


@pytest.fixture
def auditor_client(auditor):
    return client_for(auditor)


@pytest.fixture
def draft(organisation, applicant):
    return ApplicationFactory(organisation=organisation, created_by=applicant)


@pytest.fixture
def make_application(organisation, applicant, case_manager, head):
    """An application of the applicant's organisation, walked to ``state`` by the services."""

    def make(state: str = "draft"):
        application = ApplicationFactory(organisation=organisation, created_by=applicant)
        return advance(
            application, state, applicant=applicant, case_manager=case_manager, head=head
        )

    return make


def url(application, suffix: str = "") -> str:
    return f"/api/v1/applications/{application.url_key}/{suffix}"


# Cases schemathesis generated per role (test_schemathesis), printed at the end of the run.
SCHEMATHESIS_CASES: dict[str, int] = {}


def pytest_terminal_summary(terminalreporter):
    if SCHEMATHESIS_CASES:
        total = sum(SCHEMATHESIS_CASES.values())
        per_role = ", ".join(f"{role} {count}" for role, count in SCHEMATHESIS_CASES.items())
        terminalreporter.write_line(f"schemathesis: {total} generated cases ({per_role})")
