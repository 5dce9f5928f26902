"""Bulk reading through the API (issue 14): the history feed written from values says what the
serializers say, and a page of either feed costs the same queries whatever its size."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from permits import rules
from permits.api import serializers
from permits.models import PermitApplication
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord
from workflow.services import transition_record_create

pytestmark = pytest.mark.django_db


def plain(data) -> list[dict]:
    # What the client receives: the JSON, not the Python types on the way.
    from rest_framework.utils.encoders import JSONEncoder

    return json.loads(json.dumps(data, cls=JSONEncoder))


@pytest.fixture
def decided_file(organisation, applicant, case_manager, head):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    return advance(application, "issued", applicant=applicant, case_manager=case_manager, head=head)


@pytest.mark.parametrize("staff", [True, False])
def test_the_feed_items_are_what_the_serializers_write(decided_file, staff):
    records = TransitionRecord.objects.filter(application=decided_file).order_by("id")
    if not staff:
        records = rules.history_visible_to(None, records)
    serializer = (
        serializers.StaffHistorySerializer if staff else serializers.ApplicantHistorySerializer
    )

    expected = plain(serializer(records.select_related("application", "actor"), many=True).data)
    items = plain(
        serializers.history_feed_items(
            records.values(*serializers.HISTORY_FEED_VALUES), staff=staff
        )
    )

    assert items == expected
    assert len(items) > 3


@pytest.fixture
def many_files(organisation, applicant):
    files = ApplicationFactory.create_batch(
        105, organisation=organisation, created_by=applicant, documents=False
    )
    PermitApplication.objects.filter(pk__in=[f.pk for f in files]).update(status="submitted")
    for application in files:
        transition_record_create(
            application=application,
            transition="document_uploaded",
            source_state="submitted",
            target_state="submitted",
            actor=applicant,
            comment="End-user certificate",
        )
    return files


def queries_for(client, path: str, size: int) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"page_size": size})
    assert response.status_code == 200, response.content
    return len(response.json()["results"]), len(queries)


@pytest.mark.parametrize("path", ["/api/v1/applications/", "/api/v1/history/"])
def test_a_page_of_100_costs_the_queries_of_a_page_of_5(many_files, auditor_client, path):
    queries_for(auditor_client, path, 5)  # the token's first use writes its last-used time

    small_rows, small = queries_for(auditor_client, path, 5)
    large_rows, large = queries_for(auditor_client, path, 100)

    assert (small_rows, large_rows) == (5, 100)
    assert large == small
