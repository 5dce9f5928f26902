"""Sessions end after a period of idleness: sooner for staff than for companies' users, and
every request starts the count again."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password"


def signed_in_client(user) -> Client:
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def still_signed_in(client: Client) -> bool:
    return client.get(reverse("accounts:tokens")).status_code == 200


def test_a_staff_session_ends_after_its_idle_time(head, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in_client(head)
    idle = timedelta(seconds=settings.SESSION_IDLE_SECONDS_STAFF)

    with time_machine.travel(start + idle + timedelta(minutes=1), tick=False):
        assert not still_signed_in(client)


def test_an_applicant_session_outlives_the_staff_idle_time(applicant, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in_client(applicant)
    idle = timedelta(seconds=settings.SESSION_IDLE_SECONDS_STAFF)

    with time_machine.travel(start + idle + timedelta(minutes=1), tick=False):
        assert still_signed_in(client)
    with time_machine.travel(
        start + idle + timedelta(seconds=settings.SESSION_COOKIE_AGE, minutes=2), tick=False
    ):
        assert not still_signed_in(client)


def test_activity_keeps_a_staff_session_alive(case_manager, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in_client(case_manager)
    step = timedelta(seconds=settings.SESSION_IDLE_SECONDS_STAFF) - timedelta(minutes=5)

    for n in range(1, 4):
        with time_machine.travel(start + n * step, tick=False):
            assert still_signed_in(client)


def session_row(client: Client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key)


def test_requests_within_a_minute_do_not_rewrite_the_session(case_manager, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in_client(case_manager)
        assert still_signed_in(client)
    expiry = session_row(client).expire_date

    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert still_signed_in(client)
    assert session_row(client).expire_date == expiry

    later = start + timedelta(seconds=settings.SESSION_TOUCH_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert still_signed_in(client)
    assert session_row(client).expire_date == later + timedelta(
        seconds=settings.SESSION_IDLE_SECONDS_STAFF
    )


def test_a_page_view_inside_the_minute_writes_nothing_to_the_session(case_manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in_client(case_manager)
        assert still_signed_in(client)
    with (
        time_machine.travel(start + timedelta(seconds=10), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert still_signed_in(client)
    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_idle_time_counts_from_the_last_touch_not_the_last_request(case_manager, settings):
    """Requests inside the minute do not extend the session: it ends at most a minute early."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in_client(case_manager)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert still_signed_in(client)
    idle = timedelta(seconds=settings.SESSION_IDLE_SECONDS_STAFF)
    with time_machine.travel(start + idle + timedelta(seconds=1), tick=False):
        assert not still_signed_in(client)
