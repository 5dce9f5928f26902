"""A database connection killed in the middle of a transition leaves nothing half-written.

The approval is stopped after it has already changed the file and created the licence — its
next insert waits on a row this test holds — and its backend is then terminated by PostgreSQL
(``pg_terminate_backend``), as an operator, a failover or an out-of-memory kill would.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from permits import actions
from permits.models import Decision, GoodsItem, Licence, PermitApplication
from tests.conftest import requires_postgresql
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance, record_government_decision
from workflow.models import TransitionRecord

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _waiting_backend_pid() -> int | None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
        return row[0] if row else None


def test_an_approval_whose_connection_is_killed_writes_nothing(
    organisation, applicant, case_manager, head, second_head
):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "pending_approval",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    record_government_decision(application, second_head, "granted")
    # The pre-decision screening commits on its own, before the approval's transaction.
    history = TransitionRecord.objects.filter(application=application).exclude(
        transition="screening"
    )
    history_before = history.count()
    outcome: list[object] = []

    def approve():
        try:
            outcome.append(actions.application_approve(application=application, actor=second_head))
        except Exception as exc:  # the kill is the point: keep what it raised
            outcome.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        # The licence line's foreign key to this goods item must wait for this lock: by then
        # the approval has changed the file's state and inserted the licence.
        GoodsItem.objects.select_for_update().filter(application=application).get()
        worker = threading.Thread(target=approve)
        worker.start()
        deadline = time.monotonic() + 20
        pid = _waiting_backend_pid()
        while pid is None and time.monotonic() < deadline:
            time.sleep(0.05)
            pid = _waiting_backend_pid()
        assert pid is not None, "the approval never reached its insert"
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    worker.join(timeout=30)

    assert len(outcome) == 1 and isinstance(outcome[0], Exception), outcome
    application.refresh_from_db()
    assert application.status == "pending_approval"
    assert not Licence.objects.filter(application=application).exists()
    assert not Decision.objects.filter(application=application).exists()
    assert history.count() == history_before
    # And the file can still be approved afterwards, by the same head.
    approved = actions.application_approve(
        application=PermitApplication.objects.get(pk=application.pk), actor=second_head
    )
    assert approved.status == "issued"
