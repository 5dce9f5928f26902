"""Fixtures shared by every test package: one user per role and an applicant organisation."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import OrganisationFactory, UserFactory

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (row locks, triggers, concurrent connections): "
    "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/permits (CI does)",
)


@pytest.fixture
def applicant(db):
    return UserFactory(username="applicant", roles=["applicant"])


@pytest.fixture
def organisation(applicant):
    return OrganisationFactory(members=[applicant])


@pytest.fixture
def other_applicant(db):
    user = UserFactory(username="other_applicant", roles=["applicant"])
    OrganisationFactory(members=[user])
    return user


@pytest.fixture
def case_manager(db):
    return UserFactory(username="case_manager", roles=["case_manager"])


@pytest.fixture
def second_case_manager(db):
    return UserFactory(username="case_manager_2", roles=["case_manager"])


@pytest.fixture
def head(db):
    return UserFactory(username="head", roles=["head_of_unit"])


@pytest.fixture
def second_head(db):
    return UserFactory(username="head_2", roles=["head_of_unit"])


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", roles=["auditor"])
