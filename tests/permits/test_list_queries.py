"""The number of SQL queries of a list page or a case page does not grow with the rows it shows
(issue 14: lists at a million files). Each test counts the queries of a page over a few rows,
adds many more, and asks for the same count again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from permits import actions
from tests.api.conftest import client_for as api_client_for
from tests.factories import GoodsItemFactory, PartyFactory
from tests.permits.test_web import client_for, make
from workflow.models import CaseTask

pytestmark = pytest.mark.django_db

STATES = ["issued", "submitted", "under_review", "information_requested", "pending_approval"]


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def grow(organisation, people, count):
    for index in range(count):
        application = make(organisation, people["applicant"], STATES[index % len(STATES)], people)
        CaseTask.objects.open().filter(application=application).update(
            due_at=timezone.now() - timedelta(days=1)
        )


def queries_of(get) -> list[str]:
    """The page's queries but the session's own: a session touched after an idle spell is
    written back, which is the login's business, not the list's."""
    get()  # warm the per-process caches (content types, roles, rendered widgets)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = get()
    assert response.status_code == 200
    return [
        query["sql"]
        for query in captured.captured_queries
        if "django_session" not in query["sql"] and "SAVEPOINT" not in query["sql"]
    ]


WEB_LISTS = [
    ("case_manager", "permits:queue", {}),
    ("case_manager", "permits:queue", {"queue": "overdue"}),
    ("case_manager", "permits:queue", {"queue": "unassigned", "destination": "NO", "age": "7"}),
    ("auditor", "permits:search", {}),
    ("auditor", "permits:search", {"submitted_after": "2000-01-01", "destination": "NO"}),
    ("auditor", "permits:search", {"q": "BXL", "o": "-submitted"}),
]


@pytest.mark.parametrize(("who", "name", "params"), WEB_LISTS)
def test_web_lists_query_the_same_for_3_and_for_15_files(
    who, name, params, organisation, people, auditor
):
    client = client_for({**people, "auditor": auditor}[who])

    def get():
        return client.get(reverse(name), params)

    grow(organisation, people, 3)
    few = queries_of(get)
    grow(organisation, people, 12)

    assert len(queries_of(get)) == len(few), queries_of(get)


@pytest.mark.parametrize("who", ["auditor", "applicant"])
@pytest.mark.parametrize("params", [{}, {"status": "issued", "submitted_after": "2000-01-01"}])
def test_the_api_list_queries_the_same_for_3_and_for_15_files(
    who, params, organisation, people, auditor
):
    client = api_client_for({**people, "auditor": auditor}[who])

    def get():
        return client.get("/api/v1/applications/", params)

    grow(organisation, people, 3)
    few = queries_of(get)
    listed = len(get().json()["results"])
    grow(organisation, people, 12)

    assert len(queries_of(get)) == len(few), queries_of(get)
    assert len(get().json()["results"]) > listed


@pytest.mark.parametrize("who", ["case_manager", "auditor", "applicant"])
def test_a_case_page_queries_the_same_for_3_and_for_15_lines(who, organisation, people, auditor):
    application = make(organisation, people["applicant"], "under_review", people)
    client = client_for({**people, "auditor": auditor}[who])

    def get():
        return client.get(reverse("permits:application_detail", args=[application.url_key]))

    few = queries_of(get)
    for _ in range(12):
        GoodsItemFactory(application=application)
        PartyFactory(application=application, role="end_user")
    for index in range(5):
        # More history: information asked and given back, five times.
        actions.application_request_information(
            application=application, actor=people["case_manager"], message=f"Question {index}"
        )
        application = actions.application_provide_information(
            application=application, actor=people["applicant"], reply=f"Answer {index}"
        )

    assert len(queries_of(get)) == len(few), queries_of(get)


def _reads(queries: list[str], table: str) -> list[str]:
    return [sql for sql in queries if f'FROM "{table}"' in sql]


@pytest.mark.parametrize("who", ["case_manager", "auditor", "head"])
@pytest.mark.parametrize("state", ["issued", "pending_approval", "under_review"])
def test_a_case_page_reads_each_related_kind_once(who, state, organisation, people, auditor):
    """The decision, the licence and the Government decision come with the file (one query);
    the goods and parties are read once, whichever sections and forms show them."""
    application = make(organisation, people["applicant"], state, people)
    for _ in range(3):
        GoodsItemFactory(application=application)
    client = client_for({**people, "auditor": auditor}[who])

    queries = queries_of(
        lambda: client.get(reverse("permits:application_detail", args=[application.url_key]))
    )

    for table in ("permits_decision", "permits_licence", "permits_governmentdecision"):
        assert _reads(queries, table) == [], table
    assert len(_reads(queries, "permits_goodsitem")) == 1
    assert len(_reads(queries, "permits_party")) == 1


def test_a_decided_case_page_queries_no_more_than_one_under_review(organisation, people):
    """Its decision, licence and document add no query of their own."""
    reviewed = make(organisation, people["applicant"], "under_review", people)
    issued = make(organisation, people["applicant"], "issued", people)
    client = client_for(people["head"])

    def count(application):
        url = reverse("permits:application_detail", args=[application.url_key])
        return len(queries_of(lambda: client.get(url)))

    assert count(issued) <= count(reviewed)


@pytest.mark.parametrize("who", ["case_manager", "auditor", "applicant"])
def test_a_case_page_viewed_again_within_a_minute_does_not_write_the_session(
    who, organisation, people, auditor
):
    """The session row is rewritten at most once a minute (its idle count), not on every view:
    a case page seen again at once runs no UPDATE and no transaction of its own for it."""
    application = make(organisation, people["applicant"], "under_review", people)
    client = client_for({**people, "auditor": auditor}[who])
    url = reverse("permits:application_detail", args=[application.url_key])
    assert client.get(url).status_code == 200

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200

    session_queries = [q["sql"] for q in captured if "django_session" in q["sql"]]
    assert [sql for sql in session_queries if not sql.startswith("SELECT")] == []


@pytest.mark.parametrize("who", ["case_manager", "auditor", "head"])
def test_a_staff_case_page_reads_the_current_reference_lists_once(
    who, organisation, people, auditor
):
    application = make(organisation, people["applicant"], "under_review", people)
    client = client_for({**people, "auditor": auditor}[who])

    queries = queries_of(
        lambda: client.get(reverse("permits:application_detail", args=[application.url_key]))
    )

    assert len(_reads(queries, "permits_referencelist")) == 1
