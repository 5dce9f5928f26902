"""The history's hash chain: what an attacker with database access tries, the chain shows."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from itertools import pairwise

import pgtrigger
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from config.release import current_release
from outbox.models import OutboxMessage
from permits import events
from permits.evidence import history_check_and_alert
from tests.conftest import requires_postgresql
from tests.factories import ApplicationFactory
from tests.permits.test_concurrency import race
from tests.workflow_helpers import advance
from workflow import chain
from workflow.chain import chain_head, history_breaks
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(organisation, applicant, case_manager, head):
    return advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )


def _verify_history() -> str:
    """Run the command; return the first broken record's line (CommandError when broken)."""
    from io import StringIO

    err = StringIO()
    try:
        call_command("verify_history", stderr=err, stdout=StringIO())
    except CommandError:
        return err.getvalue()
    return ""


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_each_files_records_form_a_chain(issued):
    records = list(issued.history.order_by("seq"))

    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert records[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.record_hash for a, b in pairwise(records))
    assert list(history_breaks()) == []


def test_verify_history_passes_on_an_untouched_history(issued):
    assert _verify_history() == ""


def test_every_record_carries_the_release_and_the_reference_list_versions(issued):
    for record in issued.history.all():
        assert record.versions["release"] == current_release()
        assert "lists" in record.versions


def test_each_transition_stores_a_snapshot_that_matches_its_hash(issued):
    approve = issued.history.get(transition="approve")

    assert approve.snapshot["application"]["status"] == "issued"
    assert (
        approve.snapshot_hash == hashlib.sha256(chain.canonical_json(approve.snapshot)).hexdigest()
    )


def test_the_chain_head_moves_with_each_new_record(issued):
    before = chain_head()
    with transaction.atomic():
        events.licence_exhausted(application=issued, actor=None)
    after = chain_head()

    assert after.record_id != before.record_id
    assert after.record_count == before.record_count + 1
    assert after.heads_digest != before.heads_digest
    assert after.record_hash in after.label


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_truncate_the_history(issued):
    with (
        pytest.raises(DatabaseError, match="TRUNCATE refused"),
        transaction.atomic(),
    ):
        _raw("TRUNCATE workflow_transitionrecord CASCADE")


@requires_postgresql
def test_a_forged_back_dated_approval_breaks_the_chain(issued):
    last = issued.history.order_by("-seq").first()
    forged_at = last.created_at - timedelta(days=30)
    content = {"transition": "approve", "forged": True}
    with transaction.atomic():
        _raw(
            "INSERT INTO workflow_transitionrecord (application_id, transition, source_state, "
            "target_state, actor_role, created_at, comment, payload, seq, prev_hash, record_hash, "
            "chain_key, snapshot_hash, versions) VALUES (%s, 'approve', 'pending_approval', "
            "'issued', 'head_of_unit', %s, '', '{}', %s, %s, %s, %s, '', '{}')",
            [
                issued.pk,
                forged_at,
                last.seq + 1,
                last.record_hash,
                # What an attacker without the key can compute: a plain SHA-256.
                hashlib.sha256(json.dumps(content).encode()).hexdigest(),
                last.chain_key,
            ],
        )
    forged = issued.history.get(seq=last.seq + 1)

    assert f"history record #{forged.pk} " in _verify_history()


@requires_postgresql
def test_a_record_rewritten_with_the_trigger_disabled_is_named(issued):
    victim = issued.history.get(transition="approve")
    with transaction.atomic():
        # What a database superuser can do: switch every trigger off for the session.
        _raw("SET LOCAL session_replication_role = replica")
        _raw(
            "UPDATE workflow_transitionrecord SET comment = 'approved without reservation' "
            "WHERE id = %s",
            [victim.pk],
        )

    output = _verify_history()

    assert f"FIRST BROKEN RECORD: history record #{victim.pk} " in output
    assert "does not match its hash" in output


@requires_postgresql
def test_a_record_removed_from_the_middle_is_found_at_the_next_one(issued):
    records = list(issued.history.order_by("seq"))
    removed, following = records[1], records[2]
    with transaction.atomic(), pgtrigger.ignore("workflow.TransitionRecord:history_append_only"):
        _raw("DELETE FROM workflow_transitionrecord WHERE id = %s", [removed.pk])

    output = _verify_history()

    assert f"history record #{following.pk} " in output
    assert f"position {following.seq} where {removed.seq} was expected" in output


@requires_postgresql
def test_a_snapshot_rewritten_in_place_is_found(issued):
    approve = issued.history.get(transition="approve")
    with transaction.atomic(), pgtrigger.ignore("workflow.TransitionRecord:history_append_only"):
        _raw(
            "UPDATE workflow_transitionrecord "
            "SET snapshot = jsonb_set(snapshot, '{application,end_use_statement}', '\"civil\"') "
            "WHERE id = %s",
            [approve.pk],
        )

    assert "snapshot does not match" in _verify_history()


@requires_postgresql
def test_the_daily_check_alerts_the_auditors_once(issued, auditor):
    victim = issued.history.get(transition="submit")
    with transaction.atomic(), pgtrigger.ignore("workflow.TransitionRecord:history_append_only"):
        _raw("UPDATE workflow_transitionrecord SET actor_id = NULL WHERE id = %s", [victim.pk])

    history_check_and_alert()
    history_check_and_alert()

    alerts = OutboxMessage.objects.filter(recipient=auditor.email)
    assert alerts.count() == 1
    assert f"#{victim.pk}" in alerts.get().subject


def test_a_record_sealed_with_an_unknown_key_is_reported(issued, settings):
    settings.HISTORY_CHAIN_KEYS = {"other": "another-key-entirely-" + "x" * 20}
    settings.HISTORY_CHAIN_KEY_ID = "other"

    breaks = list(history_breaks(application_id=issued.pk))

    assert breaks and "not configured" in breaks[0].reason


def test_rotating_the_key_keeps_older_records_verifiable(issued, settings):
    settings.HISTORY_CHAIN_KEYS = {**settings.HISTORY_CHAIN_KEYS, "k2": "second-key-" + "y" * 30}
    settings.HISTORY_CHAIN_KEY_ID = "k2"
    with transaction.atomic():
        new = events.licence_exhausted(application=issued, actor=None)

    assert new.chain_key == "k2"
    assert list(history_breaks(application_id=issued.pk)) == []


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_records_of_one_file_take_consecutive_positions(issued):
    def write():
        with transaction.atomic():
            return events.licence_exhausted(application=issued, actor=None).seq

    results = race(issued.pk, write, write)

    assert sorted(results) == [issued.history.count() - 1, issued.history.count()]
    assert list(history_breaks(application_id=issued.pk)) == []


def test_changing_a_record_through_the_orm_fails(issued):
    from workflow.models import HistoryIsAppendOnly

    record = issued.history.first()
    record.comment = "rewritten"
    with pytest.raises(HistoryIsAppendOnly):
        record.save()
    assert TransitionRecord.objects.get(pk=record.pk).comment == ""


def test_an_alert_with_a_long_key_is_filed_once(auditor):
    from permits.alerts import auditors_alert

    key = "stored_file:" + "x" * 300
    auditors_alert(subject="Swapped", body="A file", key=key)
    auditors_alert(subject="Swapped", body="A file", key=key)

    assert OutboxMessage.objects.filter(recipient=auditor.email).count() == 1
