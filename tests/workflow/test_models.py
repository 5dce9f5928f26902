from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from tests.conftest import requires_postgresql
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance
from workflow.models import HistoryIsAppendOnly, TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(organisation, applicant):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "submitted",
        applicant=applicant,
        case_manager=None,
        head=None,
    )
    return application.history.state_changes().get()


def test_a_saved_record_cannot_be_changed(record):
    record.comment = "rewritten"

    with pytest.raises(HistoryIsAppendOnly):
        record.save()


def test_a_record_cannot_be_deleted(record):
    with pytest.raises(HistoryIsAppendOnly):
        record.delete()


def test_records_cannot_be_bulk_updated_or_deleted(record):
    with pytest.raises(HistoryIsAppendOnly):
        TransitionRecord.objects.filter(pk=record.pk).update(comment="x")
    with pytest.raises(HistoryIsAppendOnly):
        TransitionRecord.objects.all().delete()

    assert TransitionRecord.objects.filter(pk=record.pk, comment="").exists()


def test_deleting_an_application_with_history_is_refused(record):
    with pytest.raises(ProtectedError):
        record.application.delete()


@requires_postgresql
def test_the_database_refuses_raw_updates_of_history(record):
    with (
        pytest.raises(DatabaseError, match="Cannot update or delete rows"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE workflow_transitionrecord SET comment = 'forged' WHERE id = %s",
            [record.pk],
        )


@requires_postgresql
def test_the_database_refuses_raw_deletes_of_history(record):
    with (
        pytest.raises(DatabaseError, match="Cannot update or delete rows"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM workflow_transitionrecord WHERE id = %s", [record.pk])


def test_history_reads_in_order(organisation, applicant, case_manager, head):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )

    assert [r.transition for r in application.history.state_changes()] == [
        "submit",
        "start_review",
        "propose_decision",
        "approve",
    ]
