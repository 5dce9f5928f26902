"""The feeds' items written by PostgreSQL (permits.api.feed_sql) are those the Python path
writes (serializers.application_feed_items / history_feed_items, themselves checked against the
serializers in test_feeds.py) on the same data: value for value, for staff and applicants."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import F

from permits import rules
from permits.api import feed_sql, serializers, views
from permits.models import PermitApplication
from tests.conftest import requires_postgresql
from tests.factories import GoodsItemFactory
from workflow.models import TransitionRecord

from .test_feeds import decided_file, feed_files, plain  # noqa: F401 - the same fixtures

pytestmark = [pytest.mark.django_db, requires_postgresql]


@pytest.fixture
def tricky_files(feed_files):  # noqa: F811
    """Half cents that Python rounds to even, a time on the second (no microseconds), a summer
    and a winter time, a file without goods or parties' neighbours."""
    _issued, pending = feed_files
    GoodsItemFactory(application=pending, currency="GBP", quantity="0.025", unit_value="1.00")
    GoodsItemFactory(application=pending, currency="CHF", quantity="0.015", unit_value="1.00")
    PermitApplication.objects.filter(pk=pending.pk).update(
        created_at=datetime(2026, 7, 1, 10, 0, 0, tzinfo=UTC),
        submitted_at=datetime(2026, 1, 15, 23, 30, 0, 5, tzinfo=UTC),
    )
    return feed_files


def sql_items(queryset, item) -> list[dict]:
    return [json.loads(text) for text in queryset.annotate(x=item).values_list("x", flat=True)]


@pytest.mark.parametrize("reader", ["auditor", "case_manager", "applicant"])
def test_postgresql_writes_the_application_items_python_writes(tricky_files, reader, request):
    user = request.getfixturevalue(reader)
    staff = views.is_staff_member(user)
    applications = (
        views.application_queryset(user)
        .filter(pk__in=[f.pk for f in tricky_files])
        .order_by("id")
        .prefetch_related(None)
    )
    expected = plain(
        serializers.application_feed_items(
            applications.values(*serializers.application_feed_values(staff=staff)), staff=staff
        )
    )

    items = sql_items(applications, feed_sql.application_item(staff=staff))

    assert items == expected
    pending = items[1]
    totals = {t["currency"]: t["amount"] for t in pending["totals"]}
    assert totals["GBP"] == "0.02"  # 2.5 cents, to even
    assert totals["CHF"] == "0.02"  # 1.5 cents, to even
    assert pending["created_at"] == "2026-07-01T12:00:00+02:00"
    assert pending["submitted_at"] == "2026-01-16T00:30:00.000005+01:00"
    assert ("review" in pending) is staff


@pytest.mark.parametrize("staff", [True, False])
def test_postgresql_writes_the_history_items_python_writes(decided_file, staff, applicant):  # noqa: F811
    records = TransitionRecord.objects.filter(application=decided_file).order_by("id")
    if not staff:
        records = rules.history_visible_to(applicant, records)

    expected = plain(
        serializers.history_feed_items(
            records.values(*serializers.HISTORY_FEED_VALUES), staff=staff
        )
    )
    items = sql_items(records, feed_sql.history_item(staff=staff))

    assert items == expected
    assert len(items) > 3


def test_an_applicants_item_does_not_even_read_staff_columns():
    applications = PermitApplication.objects.values(x=feed_sql.application_item(staff=False))
    sql = str(applications.query)
    history = str(
        TransitionRecord.objects.values(x=feed_sql.history_item(staff=False)).query
    ).split(" FROM ")[0]

    for column in (
        "recommendation",
        "refusal_grounds",
        "conditions_text",
        "proposedline",
        "proposed_conditions",
        "assigned_case_manager",
    ):
        assert column not in sql
    for column in ('"payload"', '"versions"', '"username"'):
        assert column not in history


@pytest.mark.parametrize("path", ["/api/v1/applications/", "/api/v1/history/"])
def test_a_feed_page_from_postgresql_is_the_python_page(tricky_files, auditor_client, path):
    response = auditor_client.get(path, {"page_size": 1000})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["next", "previous", "results"]
    assert body["next"] is None and body["previous"] is None
    if path.endswith("history/"):
        records = TransitionRecord.objects.exclude(application__status="draft")
        expected = serializers.history_feed_items(
            records.values(*serializers.HISTORY_FEED_VALUES), staff=True
        )
    else:
        applications = PermitApplication.objects.exclude(status="draft")
        expected = serializers.application_feed_items(
            applications.values(*serializers.application_feed_values(staff=True)), staff=True
        )
    key = "id"
    assert sorted(body["results"], key=lambda i: str(i[key])) == sorted(
        plain(expected), key=lambda i: str(i[key])
    )


def test_the_feeds_take_pages_of_up_to_1000(auditor_client):
    assert auditor_client.get("/api/v1/history/", {"page_size": 1000}).status_code == 200
    assert auditor_client.get("/api/v1/history/", {"page_size": 1001}).status_code == 400


def test_the_cursor_pages_through_the_sql_feed(tricky_files, auditor_client):
    seen, url, params = [], "/api/v1/history/", {"page_size": 2}
    while url:
        response = auditor_client.get(url, params)
        assert response.status_code == 200
        body = response.json()
        seen += [item["id"] for item in body["results"]]
        url, params = body["next"], None
    expected = TransitionRecord.objects.exclude(application__status="draft")
    assert sorted(seen) == sorted(expected.values_list("id", flat=True))
    assert connection.vendor == "postgresql"


def test_the_cursor_position_is_the_text_of_the_datetime(tricky_files):
    rows = PermitApplication.objects.annotate(
        text=feed_sql.Position(F("created_at")), sub=feed_sql.Position(F("submitted_at"))
    ).values_list("created_at", "text", "submitted_at", "sub")

    for created_at, text, submitted_at, sub in rows:
        assert text == str(created_at)
        assert sub == (None if submitted_at is None else str(submitted_at))
    assert "2026-07-01 10:00:00+00:00" in [row[1] for row in rows]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Brussels", "America/New_York", "Asia/Kolkata"])
def test_postgresql_writes_a_time_as_drf_does(tricky_files, zone):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    with timezone.override(ZoneInfo(zone)):
        write = serializers._datetime_writer()
        rows = PermitApplication.objects.annotate(
            text=feed_sql.IsoTime(F("created_at"), zone),
            sub=feed_sql.IsoTime(F("submitted_at"), zone),
        ).values_list("created_at", "text", "submitted_at", "sub")
        for created_at, text, submitted_at, sub in rows:
            assert text == write(created_at)
            assert sub == (None if submitted_at is None else write(submitted_at))
