"""The search's date filters are Brussels calendar days, served as ranges of the timestamp: the
same files as ``__date`` in Europe/Brussels, at midnight and on the days the clocks change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from permits.filters import AuditFilter
from permits.models import PermitApplication
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

# Submission instants in UTC around Brussels midnights: winter (UTC+1), the night the clocks go
# forward (29 March 2026: 02:00 → 03:00, a 23-hour day) and back (25 October 2026, 25 hours).
INSTANTS = [
    datetime(2026, 3, 1, 22, 59, 59, tzinfo=UTC),  # 1 March, 23:59:59 in Brussels
    datetime(2026, 3, 1, 23, 0, 0, tzinfo=UTC),  # 2 March, 00:00:00
    datetime(2026, 3, 1, 23, 30, tzinfo=UTC),  # 2 March, 00:30
    datetime(2026, 3, 28, 22, 59, tzinfo=UTC),  # 28 March, 23:59 (UTC+1)
    datetime(2026, 3, 28, 23, 0, tzinfo=UTC),  # 29 March, 00:00 (UTC+1)
    datetime(2026, 3, 29, 21, 59, tzinfo=UTC),  # 29 March, 23:59 (UTC+2)
    datetime(2026, 3, 29, 22, 0, tzinfo=UTC),  # 30 March, 00:00 (UTC+2)
    datetime(2026, 10, 24, 21, 59, tzinfo=UTC),  # 24 October, 23:59 (UTC+2)
    datetime(2026, 10, 24, 22, 0, tzinfo=UTC),  # 25 October, 00:00 (UTC+2)
    datetime(2026, 10, 25, 22, 59, tzinfo=UTC),  # 25 October, 23:59 (UTC+1)
    datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # 26 October, 00:00 (UTC+1)
]
DAYS = ["2026-03-01", "2026-03-02", "2026-03-28", "2026-03-29", "2026-03-30"]
DAYS += ["2026-10-24", "2026-10-25", "2026-10-26"]


@pytest.fixture
def submitted(organisation, applicant):
    files = []
    for instant in INSTANTS:
        application = ApplicationFactory(organisation=organisation, created_by=applicant)
        PermitApplication.objects.filter(pk=application.pk).update(
            status="submitted", submitted_at=instant, decided_at=instant
        )
        files.append(application.pk)
    return files


def found(**params) -> set[int]:
    filterset = AuditFilter(params, queryset=PermitApplication.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def by_date(lookup: str, day: str) -> set[int]:
    # What ``__date`` (in the current time zone, Europe/Brussels) returned before.
    return set(PermitApplication.objects.filter(**{lookup: day}).values_list("pk", flat=True))


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("field", ["submitted", "decided"])
def test_a_day_filter_finds_what_the_brussels_date_finds(submitted, field, day):
    column = f"{field}_at"

    assert found(**{f"{field}_after": day}) == by_date(f"{column}__date__gte", day)
    assert found(**{f"{field}_before": day}) == by_date(f"{column}__date__lte", day)


def test_a_file_submitted_at_half_past_midnight_in_brussels_is_of_that_day(submitted):
    half_past_midnight = submitted[2]  # 23:30 UTC on 1 March

    assert half_past_midnight in found(submitted_after="2026-03-02", submitted_before="2026-03-02")
    assert half_past_midnight not in found(submitted_before="2026-03-01")


def test_the_day_the_clocks_go_forward_has_its_23_hours(submitted):
    day = found(submitted_after="2026-03-29", submitted_before="2026-03-29")

    assert day == {submitted[4], submitted[5]}


def test_the_day_filter_is_a_range_on_the_column_not_a_date_of_it(submitted):
    filterset = AuditFilter({"submitted_after": "2026-03-02"}, queryset=PermitApplication.objects)
    with CaptureQueriesContext(connection) as captured:
        list(filterset.qs)

    sql = captured.captured_queries[-1]["sql"]
    assert '"submitted_at" >= ' in sql and "AT TIME ZONE" not in sql.upper()
