"""The applicant is told by when an information request must be answered, and what happens
otherwise: on the file's page and in the request's e-mail and reminders, in their language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from outbox.models import OutboxMessage
from permits import actions, rules
from tests.factories import ApplicationFactory, OrganisationFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def waiting(organisation, people):
    application = ApplicationFactory(organisation=organisation, created_by=people["applicant"])
    return advance(application, "information_requested", **people)


def test_the_deadline_is_the_request_day_plus_the_lapse_period(organisation, people, settings):
    settings.INFORMATION_REQUEST_LAPSE_DAYS = 60
    application = waiting(organisation, people)

    assert rules.information_request_due_on(application) == timezone.localdate() + timedelta(
        days=60
    )


def test_the_applicants_page_states_the_deadline_and_the_consequence(organisation, people):
    application = waiting(organisation, people)
    due = rules.information_request_due_on(application)
    client = Client()
    client.force_login(people["applicant"])

    page = client.get(
        reverse("permits:application_detail", args=[application.url_key]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert f"{due.day} {due.strftime('%B')} {due.year}</time> at the latest." in page
    assert f'Answer by <time datetime="{due.isoformat()}">' in page
    assert "closed automatically" in page


def test_the_request_e_mail_states_the_deadline_in_the_applicants_language(people):
    organisation = OrganisationFactory(members=[people["applicant"]], language="fr")
    application = waiting(organisation, people)
    due = rules.information_request_due_on(application)
    months_fr = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre"]  # fmt: skip

    message = OutboxMessage.objects.filter(key__startswith="information_requested:").get()

    assert f"Répondez au plus tard le {due.day} {months_fr[due.month - 1]} {due.year}" in (
        message.body
    )
    assert "clôturée automatiquement" in message.body


def test_reminders_state_the_same_deadline(organisation, people, settings):
    settings.INFORMATION_REMINDER_DAYS = [10]
    application = waiting(organisation, people)
    due = rules.information_request_due_on(application)

    actions.deadline_reminders_send(today=timezone.localdate() + timedelta(days=10))

    reminder = OutboxMessage.objects.filter(key__contains=":reminder:").first()
    assert reminder is not None
    first = OutboxMessage.objects.filter(key__startswith="information_requested:").first()
    assert reminder.body == first.body  # the same words, the same date
    with translation.override(organisation.language):
        assert formats.date_format(due, "DATE_FORMAT") in reminder.body
