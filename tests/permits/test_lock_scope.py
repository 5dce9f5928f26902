"""What a long transaction locks, on real PostgreSQL connections: only the rows it must.

A row lock taken by ``select_for_update()`` with ``select_related`` also covers every joined row
unless ``of=`` says otherwise; an insert or update referring to a locked row then waits.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from permits import actions
from permits.decisions.generation import decision_locked
from permits.models import Decision
from tests.conftest import requires_postgresql
from tests.factories import ApplicationFactory
from tests.permits.test_concurrency import _blocked_backends
from tests.workflow_helpers import advance

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def _pending(organisation, applicant, case_manager, head):
    return advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "pending_approval",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )


def test_a_decision_document_being_rendered_does_not_hold_up_its_heads_next_approval(
    organisation, applicant, case_manager, head, settings
):
    settings.DECISION_AUTHORITY = {"default": "head_of_unit"}
    first = _pending(organisation, applicant, case_manager, head)
    second = _pending(organisation, applicant, case_manager, head)
    actions.application_approve(application=first, actor=head)
    decision = Decision.objects.get(application=first)

    locked, release = threading.Event(), threading.Event()

    def document_task_rendering():
        # What the document task holds while it renders and signs (same query, same locks).
        try:
            with transaction.atomic():
                decision_locked(decision.pk)
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    outcome: list[object] = []

    def approve_another_file():
        try:
            outcome.append(actions.application_approve(application=second, actor=head))
        except Exception as exc:  # the assertion below reports it
            outcome.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=document_task_rendering)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        approver = threading.Thread(target=approve_another_file)
        approver.start()
        # Either the approval ends, or PostgreSQL shows it waiting for a lock: no clock involved.
        waited = False
        while approver.is_alive():
            if _blocked_backends() > 0:
                waited = True
                break
            approver.join(timeout=0.05)
    finally:
        release.set()
        holder.join(timeout=60)
    approver.join(timeout=60)

    assert not waited, "the approval waited for the document task's locks"
    assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
    second.refresh_from_db()
    assert second.status == "issued"


def _submission_statements(organisation, applicant) -> list[str]:
    """The SQL of one submission, once the year's counter row exists (as it does after the
    year's first submission)."""
    actions.application_submit(
        application=ApplicationFactory(organisation=organisation, created_by=applicant),
        actor=applicant,
    )
    draft = ApplicationFactory(organisation=organisation, created_by=applicant)
    with CaptureQueriesContext(connection) as captured:
        actions.application_submit(application=draft, actor=applicant)
    return [q["sql"] for q in captured.captured_queries]


def _counter_lock(statements: list[str]) -> int:
    """The statement that locks the year's counter row: the draw."""
    (draw,) = (i for i, sql in enumerate(statements) if "permits_referencecounter" in sql)
    assert "UPDATE permits_referencecounter" in statements[draw], statements[draw]
    return draw


def test_submission_draws_its_reference_number_last(organisation, applicant):
    statements = _submission_statements(organisation, applicant)

    counter_lock = _counter_lock(statements)
    screening_insert = 'INSERT INTO "permits_screeningrun"'
    screening = next(i for i, sql in enumerate(statements) if sql.startswith(screening_insert))
    assert counter_lock > screening
    # After the number only what needs it: the history records (with their snapshot of the
    # file) and the applicant's e-mail. The screening, the work item and the clock are all
    # written before it.
    after = statements[counter_lock + 1 :]
    written = ('"permits_screeningrun"', '"permits_screeningflag"', '"workflow_casetask"')
    assert not any(
        sql.startswith(("INSERT INTO", "UPDATE")) and table in sql
        for sql in after
        for table in written
    ), after


def test_from_the_draw_to_the_commit_a_submission_runs_one_statement(organisation, applicant):
    # Every concurrent submission of the Region waits for the year's counter row from the draw
    # to the commit: in that time one statement only, whose data-modifying CTEs insert the two
    # history records (submission and screening), move the file's chain head onto the second
    # and insert the applicant's e-mails; no read, no savepoint, no other write.
    statements = _submission_statements(organisation, applicant)

    draw = _counter_lock(statements)
    assert "UPDATE permits_permitapplication" in statements[draw]  # the number, on the file
    commit = statements.index("COMMIT", draw)
    (held,) = statements[draw + 1 : commit]
    assert held.startswith('WITH records AS (INSERT INTO "workflow_transitionrecord" ('), held
    assert 'head AS (INSERT INTO "workflow_historyhead" (' in held, held
    assert 'INSERT INTO "outbox_outboxmessage" (' in held, held
    assert "UNNEST" not in held.upper(), held


def test_the_record_ids_are_taken_before_the_draw(organisation, applicant):
    statements = _submission_statements(organisation, applicant)

    draw = _counter_lock(statements)
    reserved = next(i for i, sql in enumerate(statements) if "nextval(" in sql)
    assert reserved < draw


def test_submission_reads_the_files_snapshot_before_locking_the_counter(organisation, applicant):
    statements = _submission_statements(organisation, applicant)

    counter_lock = _counter_lock(statements)
    # The snapshot reads the goods, parties, documents and worksheet: all before the counter.
    snapshot_tables = (
        '"permits_goodsitem"',
        '"permits_party"',
        '"documents_document"',
        '"permits_criterionassessment"',
    )
    after = statements[counter_lock + 1 :]
    assert not any(
        sql.startswith("SELECT") and table in sql.split(" WHERE ")[0]
        for sql in after
        for table in snapshot_tables
    ), after


def test_the_submission_records_snapshot_is_the_file_as_submitted(organisation, applicant):
    from permits.snapshots import application_snapshot
    from workflow.models import TransitionRecord

    draft = ApplicationFactory(organisation=organisation, created_by=applicant)

    submitted = actions.application_submit(application=draft, actor=applicant)

    record = TransitionRecord.objects.get(application=submitted, transition="submit")
    assert record.snapshot["application"]["reference"] == submitted.reference
    assert record.snapshot == application_snapshot(application=submitted)


def test_the_submissions_records_are_one_chain_and_its_email_reports_the_submission(
    organisation, applicant
):
    from outbox.models import OutboxMessage
    from workflow.chain import history_breaks
    from workflow.models import TransitionRecord

    draft = ApplicationFactory(organisation=organisation, created_by=applicant)

    submitted = actions.application_submit(application=draft, actor=applicant)

    records = list(TransitionRecord.objects.filter(application=submitted).order_by("seq"))
    assert [r.transition for r in records][-2:] == ["submit", "screening"]
    submit, screening = records[-2:]
    assert screening.seq == submit.seq + 1 and screening.prev_hash == submit.record_hash
    assert screening.versions == submit.versions
    assert list(history_breaks(application_id=submitted.pk)) == []
    (email,) = OutboxMessage.objects.filter(key__startswith=f"submitted:{submitted.pk}:")
    assert email.key == f"submitted:{submitted.pk}:{submit.pk}:{applicant.email.lower()}"
    assert submitted.reference in email.subject


def test_refreshing_a_file_keeps_its_status_protected_meanwhile(organisation, applicant):
    # Actions refresh the caller's copy of the file. django-fsm's own refresh lifts the status
    # field's protection for every thread while it reads; another thread's refresh could then
    # put it back in the middle of ours and make it fail. Ours reads with it kept.
    from django.db.models import QuerySet

    from permits.models import PermitApplication

    field = PermitApplication._meta.get_field("status")
    seen: list[bool] = []

    class Watching(QuerySet):
        def get(self, *args, **kwargs):
            seen.append(field.protected)
            return super().get(*args, **kwargs)

    draft = ApplicationFactory(organisation=organisation, created_by=applicant)
    copy = PermitApplication.objects.get(pk=draft.pk)
    actions.application_submit(application=draft, actor=applicant)

    copy.refresh_from_db(from_queryset=Watching(model=PermitApplication))

    assert seen == [True]
    assert copy.status == "submitted"
    with pytest.raises(AttributeError):
        copy.status = "draft"  # still protected on this instance
