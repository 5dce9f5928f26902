"""The read replica router (config.db_router) against a real second database alias.

The test settings declare ``replica``: a second connection to the same PostgreSQL test
database (``TEST: {"MIRROR": "default"}``), read-only (``default_transaction_read_only``), as a
hot standby is. These tests turn bulk reads on and commit their rows (another connection does
not see a test's uncommitted rows), then look at which connection ran which query.
"""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.db_router import REPLICA, bulk_read_alias, bulk_reads
from permits import exports, selectors
from permits.models import ApplicantOrganisation
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

pytestmark = [
    pytest.mark.skipif(
        "replica" not in connections.settings,
        reason="the replica alias exists on PostgreSQL only",
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


@pytest.fixture
def replica_reads(settings):
    settings.BULK_READS_ON_REPLICA = True


@pytest.fixture
def issued_file(replica_reads, organisation, applicant, case_manager, head):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    return advance(application, "issued", applicant=applicant, case_manager=case_manager, head=head)


def statements(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries]


def test_without_the_setting_bulk_reads_stay_on_default(settings):
    settings.BULK_READS_ON_REPLICA = False
    assert bulk_read_alias() == "default"


def test_the_export_reads_on_the_replica_and_writes_nothing(issued_file):
    request = exports.ExportRequest(dataset="history", format="csv", exporter="auditor")
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        text = "".join(exports.export_chunks(request, applications=selectors.operator_audit_list()))

    assert issued_file.reference in text
    on_replica = statements(replica)
    assert any("workflow_transitionrecord" in sql for sql in on_replica)
    assert any("REPEATABLE READ" in sql for sql in on_replica)
    assert statements(primary) == []


def test_the_export_page_streams_from_the_replica(issued_file, auditor):
    client = Client()
    client.force_login(auditor)
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        response = client.get(
            reverse("permits:search_export"), {"dataset": "applications", "format": "jsonl"}
        )
        body = b"".join(response.streaming_content).decode()

    assert issued_file.reference in body
    assert any("permits_permitapplication" in sql for sql in statements(replica))


def test_writes_inside_bulk_reads_go_to_the_primary(replica_reads):
    with (
        bulk_reads() as alias,
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        organisation = ApplicantOrganisation.objects.create(
            legal_name="Routed Optics SA", enterprise_number="0403019261", address="Bruxelles"
        )
        ApplicantOrganisation.objects.filter(pk=organisation.pk).update(address="Etterbeek")
        found = ApplicantOrganisation.objects.get(pk=organisation.pk)

    assert alias == REPLICA
    assert found.address == "Etterbeek"
    assert any(sql.startswith("INSERT") for sql in statements(primary))
    assert any(sql.startswith("UPDATE") for sql in statements(primary))
    assert not any(sql.startswith(("INSERT", "UPDATE", "DELETE")) for sql in statements(replica))
    assert any(sql.startswith("SELECT") for sql in statements(replica))


def test_the_replica_alias_refuses_writes():
    from django.db import DatabaseError

    with pytest.raises(DatabaseError, match="read-only"), connections[REPLICA].cursor() as cursor:
        cursor.execute("UPDATE auth_user SET first_name = first_name")


def test_reads_outside_bulk_reads_stay_on_the_primary(issued_file):
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        assert selectors.operator_audit_list().filter(pk=issued_file.pk).exists()

    assert statements(replica) == []


def test_the_annual_report_counts_on_the_replica(issued_file):
    from permits.reports.build import annual_report

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        report = annual_report(
            year=issued_file.decided_at.year,
            kind="parliament",
            fmt="csv",
            language="en",
            made_by="x",
        )

    assert report.content
    assert any("permits_decision" in sql for sql in statements(replica))
    assert not any("permits_decision" in sql for sql in statements(primary))


def test_the_history_feed_reads_on_the_replica(issued_file, auditor):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(auditor)
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        response = client.get("/api/v1/history/", {"page_size": 5})

    assert response.status_code == 200, response.content
    assert response.json()["results"]
    assert any("workflow_transitionrecord" in sql for sql in statements(replica))
