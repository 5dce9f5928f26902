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
@pytest.mark.parametrize("reader", ["auditor_client", "applicant_client"])
def test_a_page_of_100_costs_the_queries_of_a_page_of_5(many_files, reader, path, request):
    auditor_client = request.getfixturevalue(reader)
    queries_for(auditor_client, path, 5)  # the token's first use writes its last-used time

    small_rows, small = queries_for(auditor_client, path, 5)
    large_rows, large = queries_for(auditor_client, path, 100)

    assert (small_rows, large_rows) == (5, 100)
    assert large == small


# --- The applications feed, written from values ------------------------------------------------


@pytest.fixture
def feed_files(decided_file, organisation, applicant, case_manager, head):
    """An issued file (licence, decision) and one under review with two currencies, transit
    countries, a proposal per line with criteria, standard conditions and staff-only text."""
    from permits.models import ProposedLine, StandardCondition
    from tests.factories import GoodsItemFactory

    pending = ApplicationFactory(
        organisation=organisation,
        created_by=applicant,
        transit_countries=["DE", "AT"],
        contract_reference="C-2026-17",
    )
    GoodsItemFactory(
        application=pending, currency="USD", quantity="2.5", unit_value="1999.99", unit="kg"
    )
    GoodsItemFactory(application=pending, currency="EUR", quantity="3", unit_value="0.10")
    pending = advance(
        pending, "under_review", applicant=applicant, case_manager=case_manager, head=head
    )
    goods = list(pending.goods.order_by("id"))
    ProposedLine.objects.create(
        application=pending, goods_item=goods[0], outcome="refuse", criteria=["7", "4"]
    )
    ProposedLine.objects.create(
        application=pending,
        goods_item=goods[1],
        outcome="reduce",
        granted_quantity="1.5",
        granted_value="12.30",
    )
    for code in ("storage", "end-use"):
        condition = StandardCondition.objects.create(
            code=f"bench-{code}", text_fr="f", text_nl="n", text_en="e"
        )
        pending.proposed_conditions.add(condition)
    PermitApplication.objects.filter(pk=pending.pk).update(
        total_value=None,
        recommendation="refuse",
        recommendation_reasons="Staff only: the end-user is a known diverter.",
        refusal_grounds="Criterion 7.",
        conditions_text="Staff only: report every shipment.",
    )
    return [decided_file, pending]


def application_feed_and_serializer(user, files):
    from permits.api import views

    staff = views.is_staff_member(user)
    applications = (
        views.application_queryset(user).filter(pk__in=[f.pk for f in files]).order_by("id")
    )
    expected = plain(views.application_serializer_class(user)(applications, many=True).data)
    rows = applications.prefetch_related(None).values(
        *serializers.application_feed_values(staff=staff)
    )
    return plain(serializers.application_feed_items(rows, staff=staff)), expected


@pytest.mark.parametrize("reader", ["auditor", "case_manager", "applicant"])
def test_the_application_feed_items_are_what_the_serializers_write(feed_files, reader, request):
    items, expected = application_feed_and_serializer(request.getfixturevalue(reader), feed_files)

    assert items == expected
    assert len(items) == 2


def test_the_compared_files_carry_every_part_of_an_item(feed_files, auditor):
    items, _expected = application_feed_and_serializer(auditor, feed_files)
    issued, pending = items

    assert issued["licence"] is not None
    assert pending["transit_countries"] == ["AT", "DE"]  # stored sorted
    assert [t["currency"] for t in pending["totals"]] == ["EUR", "USD"]
    assert len(pending["review"]["proposed_lines"]) == 2
    assert pending["review"]["proposed_conditions"] == ["bench-end-use", "bench-storage"]


def test_no_staff_only_data_reaches_an_applicant_through_the_feed(feed_files, applicant_client):
    response = applicant_client.get("/api/v1/applications/", {"page_size": 200})

    assert response.status_code == 200
    items = response.json()["results"]
    assert len(items) == 2
    assert all("review" not in item for item in items)
    for secret in ("known diverter", "report every shipment", "Criterion 7.", '"case_manager"'):
        assert secret not in response.content.decode()
    assert "review" in serializers.StaffApplicationSerializer().fields  # the block exists


def test_staff_receive_the_review_block_through_the_feed(feed_files, auditor_client):
    response = auditor_client.get("/api/v1/applications/", {"page_size": 200})

    items = {item["id"]: item for item in response.json()["results"]}
    pending = items[str(feed_files[1].public_id)]
    assert pending["review"]["recommendation_reasons"].startswith("Staff only")


@pytest.mark.parametrize(
    "value",
    ["0.000", "10.000", "2.5", "1999.99", "12345678901.123", "-1.250", "7", "1E+2", "0.0004"],
)
def test_the_feed_writes_a_decimal_as_drf_does(value):
    from decimal import Decimal

    from rest_framework import serializers as drf

    for digits, places in ((14, 3), (14, 2), (28, 5)):
        drf_field = drf.DecimalField(max_digits=digits, decimal_places=places)
        write = serializers._decimal_writer(max_digits=digits, decimal_places=places)
        assert write(Decimal(value)) == drf_field.to_representation(Decimal(value))


@pytest.mark.parametrize("zone", ["UTC", "Europe/Brussels"])
def test_the_feed_writes_a_time_as_drf_does(zone, settings):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone
    from rest_framework import serializers as drf

    with timezone.override(ZoneInfo(zone)):
        write = serializers._datetime_writer()
        for value in (
            datetime(2026, 7, 1, 10, 30, 5, 123456, tzinfo=UTC),
            datetime(2026, 1, 1, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
            datetime(2026, 3, 29, 1, 30),  # naive: DRF's own handling
        ):
            assert write(value) == drf.DateTimeField().to_representation(value)
