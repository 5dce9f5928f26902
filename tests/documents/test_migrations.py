"""The data migration that makes documents staff uploaded before the choice existed staff
only; the applicant's own documents stay theirs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from documents.models import Document
from tests.factories import DocumentFactory


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.fixture(autouse=True)
def _back_to_the_latest_migration():
    # The tests after this one need every column of today's schema.
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_staff_uploads_become_staff_only_and_the_applicants_stay_shared(applicant, case_manager):
    theirs = DocumentFactory(uploaded_by=applicant)
    staff = DocumentFactory(uploaded_by=case_manager)

    migrate(("documents", "0001_initial"))
    migrate(("documents", "0002_shared_with_applicant"))

    shared = dict(
        Document.objects.filter(pk__in=[theirs.pk, staff.pk]).values_list(
            "pk", "shared_with_applicant"
        )
    )
    assert shared == {theirs.pk: True, staff.pk: False}
