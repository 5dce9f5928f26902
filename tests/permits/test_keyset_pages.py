"""The big web lists page by cursor (permits/keyset.py): page after page with no gap and no
repeat, even when many files tie on the ordering key; an altered cursor is a clear 400 with
the first page, never a 500; the search's count stops counting at a thousand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from permits import keyset
from permits.models import PermitApplication
from tests.factories import ApplicationFactory
from tests.permits.test_web import client_for

pytestmark = pytest.mark.django_db

SAME_MOMENT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
FILES = 60  # more than two pages of 25


@pytest.fixture
def tied_files(organisation, applicant):
    """Submitted files of which most share their submission and update instant to the
    microsecond (a batch imported at once), and a few do not."""
    ids = []
    for index in range(FILES):
        application = ApplicationFactory(organisation=organisation, created_by=applicant)
        moment = SAME_MOMENT if index % 10 else SAME_MOMENT.replace(hour=index // 10)
        PermitApplication.objects.filter(pk=application.pk).update(
            status="submitted",
            reference=f"BXL-2026-{index:06d}",
            submitted_at=moment,
            updated_at=moment,
        )
        ids.append(application.pk)
    return ids


def walk(client, url, params):
    """Every page from the first, by the "next" links; then back by the "previous" links."""
    pages, cursor = [], None
    while True:
        response = client.get(url, {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        page = response.context["page"]
        pages.append([application.pk for application in page])
        if not page.has_next:
            break
        cursor = page.next_cursor
    back, cursor = [pages[-1]], page.previous_cursor
    while cursor:
        page = client.get(url, {**params, "cursor": cursor}).context["page"]
        back.insert(0, [application.pk for application in page])
        cursor = page.previous_cursor
    return pages, back


LISTS = [
    ("case_manager", "permits:queue", {"queue": "unassigned"}),
    ("case_manager", "permits:queue", {"queue": "unassigned", "o": "-submitted"}),
    ("auditor", "permits:search", {}),
    ("auditor", "permits:search", {"o": "submitted"}),
    ("auditor", "permits:search", {"o": "-decided"}),  # every file's decided_at is NULL
    # A bounded range of days: sorted by an expression of the update instant (filters.py).
    (
        "auditor",
        "permits:search",
        {"submitted_after": "2026-06-01", "submitted_before": "2026-06-01"},
    ),
    (
        "auditor",
        "permits:search",
        {"o": "updated", "submitted_after": "2026-06-01", "submitted_before": "2026-06-02"},
    ),
]


@pytest.mark.parametrize(("who", "name", "params"), LISTS)
def test_pages_follow_each_other_with_no_gap_and_no_repeat(
    tied_files, who, name, params, case_manager, auditor
):
    client = client_for({"case_manager": case_manager, "auditor": auditor}[who])

    pages, back = walk(client, reverse(name), params)

    listed = [pk for page in pages for pk in page]
    assert len(pages) == 3 and [len(page) for page in pages] == [25, 25, 10]
    assert sorted(listed) == sorted(tied_files)  # each once, none missing
    assert back == pages  # "previous" gives the very same pages back


@pytest.mark.parametrize(
    ("sort", "order"), [({}, ("-updated_at", "-id")), ({"o": "updated"}, ("updated_at", "id"))]
)
def test_a_bounded_range_lists_its_files_in_the_list_s_own_order(tied_files, auditor, sort, order):
    client = client_for(auditor)
    days = {"submitted_after": "2026-06-01", "submitted_before": "2026-06-01"}

    pages, _back = walk(client, reverse("permits:search"), {**days, **sort})

    listed = [pk for page in pages for pk in page]
    expected = PermitApplication.objects.filter(pk__in=tied_files).order_by(*order)
    assert listed == list(expected.values_list("pk", flat=True))


def test_the_order_within_a_tie_is_the_file_id(tied_files, case_manager):
    client = client_for(case_manager)

    pages, _back = walk(client, reverse("permits:queue"), {"queue": "unassigned"})

    listed = [pk for page in pages for pk in page]
    batch = {pk for index, pk in enumerate(tied_files) if index % 10}
    tied = [pk for pk in listed if pk in batch]
    assert tied == sorted(tied)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        "eyJvIjpbIi11cGRhdGVkX2F0Il19:1abc:xyz",
        "\x00",
        "a" * 5000,
    ],
)
@pytest.mark.parametrize("name", ["permits:queue", "permits:search"])
def test_an_altered_cursor_gives_the_first_page_and_a_400(
    tied_files, name, cursor, case_manager, auditor
):
    client = client_for(case_manager if name == "permits:queue" else auditor)
    first = client.get(reverse(name)).context["page"]

    response = client.get(reverse(name), {"cursor": cursor})

    if cursor:
        assert response.status_code == 400
        assert "This page link is not valid" in response.content.decode()
    else:
        assert response.status_code == 200
    assert [a.pk for a in response.context["page"]] == [a.pk for a in first]


def test_a_cursor_made_with_another_secret_is_refused(tied_files, auditor):
    client = client_for(auditor)
    genuine = client.get(reverse("permits:search")).context["page"].next_cursor
    payload = signing.loads(genuine, salt=keyset.SALT)
    cursor = signing.dumps(payload, key="another-secret-key-0123456789", salt=keyset.SALT)

    response = client.get(reverse("permits:search"), {"cursor": cursor})

    assert response.status_code == 400


def test_a_cursor_of_another_sort_starts_that_sort_from_the_first_page(tied_files, auditor):
    client = client_for(auditor)
    cursor = client.get(reverse("permits:search")).context["page"].next_cursor

    response = client.get(reverse("permits:search"), {"o": "reference", "cursor": cursor})

    assert response.status_code == 200
    assert [a.reference for a in response.context["page"]][:2] == [
        "BXL-2026-000000",
        "BXL-2026-000001",
    ]


def test_the_search_says_how_many_exactly_up_to_a_thousand(tied_files, auditor):
    response = client_for(auditor).get(reverse("permits:search"))

    assert "60 applications found." in response.content.decode()


def test_past_the_limit_the_count_is_an_estimate_said_about(tied_files):
    queryset = PermitApplication.objects.exclude(status="draft")

    count = keyset.bounded_count(queryset, exact_up_to=10)

    assert not count.exact and count.value >= 11
    assert keyset.bounded_count(queryset, exact_up_to=100) == keyset.Count(60, True)


def test_an_estimate_is_rounded_to_two_digits():
    assert keyset._round(987_654) == 990_000
    assert keyset._round(1_234) == 1_200
    assert keyset._round(42) == 42


def test_queue_counts_are_read_from_the_cache_until_a_file_changes(
    tied_files, case_manager, organisation, applicant
):
    client = client_for(case_manager)
    assert client.get(reverse("permits:queue")).context["counts"]["unassigned"] == FILES
    with CaptureQueriesContext(connection) as cached:
        client.get(reverse("permits:queue"))

    newcomer = ApplicationFactory(organisation=organisation, created_by=applicant)
    PermitApplication.objects.filter(pk=newcomer.pk).update(
        status="submitted", submitted_at=timezone.now(), updated_at=timezone.now()
    )

    assert not [q for q in cached.captured_queries if "COUNT(" in q["sql"]]
    assert client.get(reverse("permits:queue")).context["counts"]["unassigned"] == FILES + 1
