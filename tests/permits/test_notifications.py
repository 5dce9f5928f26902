"""E-mails to applicants and to the unit are written to the outbox in the action's transaction:
one per active member (or staff recipient) and occurrence, never two for the same one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction

from outbox.models import OutboxMessage
from permits import actions, notifications
from permits.models import PermitApplication
from tests.factories import ApplicationFactory, UserFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def colleague(organisation):
    """A second member; the organisation also has a former member and one without address."""
    user = UserFactory(username="colleague", roles=["applicant"])
    organisation.members.add(
        user,
        UserFactory(username="former", roles=["applicant"], is_active=False),
        UserFactory(username="no_address", roles=["applicant"], email=""),
    )
    return user


@pytest.fixture
def submitted(organisation, people):
    return advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "submitted",
        **people,
    )


def enqueue(application: PermitApplication, event: str, **kwargs) -> list[OutboxMessage]:
    with transaction.atomic():
        return notifications.applicant_notification_enqueue(
            application=application, event=event, **kwargs
        )


def acknowledge(application: PermitApplication) -> list[OutboxMessage]:
    """The acknowledgement, reporting the submission's record (screening is recorded after)."""
    record = application.history.get(transition="submit")
    return enqueue(application, "submitted", occurrence=record.pk)


def subjects_to(user) -> list[str]:
    return [message.subject for message in mail.outbox if message.to == [user.email]]


def test_each_active_member_with_an_address_gets_the_email_in_the_organisations_language(
    organisation, people, applicant, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = advance(
            ApplicationFactory(organisation=organisation, created_by=applicant),
            "submitted",
            **people,
        )

    assert sorted(message.to for message in mail.outbox) == [[applicant.email], [colleague.email]]
    assert subjects_to(colleague) == [f"Demande {submitted.reference} reçue"]


def test_the_email_names_the_file_it_concerns(submitted, applicant):
    message = OutboxMessage.objects.get(
        key__startswith=f"submitted:{submitted.pk}:", recipient=applicant.email
    )

    assert message.subject_ref == submitted.reference
    record = submitted.history.get(transition="submit")
    assert message.key == f"submitted:{submitted.pk}:{record.pk}:{message.recipient}"


def test_the_same_occurrence_enqueued_again_sends_nothing(
    organisation, people, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = advance(
            ApplicationFactory(organisation=organisation, created_by=applicant),
            "submitted",
            **people,
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = acknowledge(submitted)

    assert again == []
    assert len(subjects_to(applicant)) == 1


def test_the_email_is_rolled_back_with_the_action(submitted):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(submitted, "submitted", occurrence="rolled-back")
        raise RuntimeError("the action failed")

    assert not OutboxMessage.objects.filter(key__contains=":rolled-back:").exists()


def test_two_information_requests_on_one_file_are_two_emails(
    submitted, people, django_capture_on_commit_callbacks
):
    application = actions.application_start_review(
        application=submitted, actor=people["case_manager"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.application_request_information(
            application=application, actor=people["case_manager"], message="The EUC, please."
        )
    with django_capture_on_commit_callbacks(execute=True):
        actions.application_provide_information(
            application=application, actor=people["applicant"], reply="Attached."
        )
    with django_capture_on_commit_callbacks(execute=True):
        actions.application_request_information(
            application=application, actor=people["case_manager"], message="Signed, please."
        )

    subject = f"Informations demandées pour la demande {application.reference}"
    assert subjects_to(people["applicant"]) == [subject, subject]


def test_an_email_enqueued_before_its_history_record_is_refused(submitted, people):
    application = actions.application_start_review(
        application=submitted, actor=people["case_manager"]
    )

    # The latest record is the review's start: the request this e-mail would report is not
    # written yet, and an older request's id would make its key a duplicate.
    with pytest.raises(ValueError, match="pass occurrence"):
        enqueue(application, "information_requested")


def test_a_reminder_with_its_own_occurrence_goes_out_beside_the_request(
    submitted, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = actions.application_request_information(
            application=actions.application_start_review(
                application=submitted, actor=people["case_manager"]
            ),
            actor=people["case_manager"],
            message="The EUC, please.",
        )
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(application, "information_requested")
        enqueue(application, "information_requested", occurrence="reminder:14")
        enqueue(application, "information_requested", occurrence="reminder:14")

    assert len(subjects_to(people["applicant"])) == 2


def test_an_email_no_history_record_reports_needs_an_occurrence(submitted):
    with pytest.raises(ValueError, match="pass occurrence"):
        enqueue(submitted, "return_due")

    assert len(enqueue(submitted, "return_due", occurrence="41:2027-03-01")) == 1


def test_a_case_manager_is_reminded_once_per_reminder_point(submitted, case_manager):
    PermitApplication.objects.filter(pk=submitted.pk).update(decision_due_on=date(2026, 6, 30))
    submitted.refresh_from_db()

    def remind(point: int) -> list[OutboxMessage]:
        with transaction.atomic():
            return notifications.case_manager_reminder_enqueue(
                application=submitted, recipient=case_manager.email, point=point, days_left=3
            )

    first = remind(10)
    assert remind(10) == []
    assert len(remind(3)) == 1
    assert first[0].subject == f"{submitted.reference}: decision due on June 30, 2026"
    assert "(3 days left)" in first[0].body


def test_an_overdue_file_is_one_email_to_each_head(submitted, head, second_head):
    PermitApplication.objects.filter(pk=submitted.pk).update(decision_due_on=date(2026, 6, 30))
    submitted.refresh_from_db()

    with transaction.atomic():
        written = notifications.overdue_escalation_enqueue(
            application=submitted, recipients=[head.email, second_head.email]
        )

    assert sorted(message.recipient for message in written) == [head.email, second_head.email]
    assert written[0].body == (
        f"File {submitted.reference} was due on June 30, 2026 and is submitted."
    )


def test_goods_not_returned_are_reported_once(organisation, people):
    application = advance(
        ApplicationFactory(
            organisation=organisation, created_by=people["applicant"], temporary_purpose="STU"
        ),
        "issued",
        **people,
    )
    licence = application.licence
    shipment = actions.shipment_record(
        licence=licence,
        actor=people["applicant"],
        shipped_on=licence.valid_from,
        customs_reference="EX-1",
        quantities={licence.lines.get().pk: Decimal("6")},
    )

    def report() -> list[OutboxMessage]:
        with transaction.atomic():
            return notifications.return_overdue_enqueue(
                application=application,
                line=shipment.lines.get(),
                outstanding=Decimal("6"),
                due_on=date(2027, 3, 1),
                recipients=[people["head"].email],
            )

    written = report()
    assert report() == []
    assert written[0].subject == f"Goods not returned: {application.reference}"
    assert "were due back on March 1, 2027" in written[0].body
