"""The submission's writes after the reference draw: one statement on PostgreSQL, the same rows
(and bytes hashed) as the ORM path writes."""

from __future__ import annotations

import copy
import json

import pytest

from outbox.models import OutboxMessage
from permits import actions
from permits.actions import submission
from permits.snapshots import application_snapshot
from tests.conftest import requires_postgresql
from tests.factories import ApplicationFactory
from workflow import chain
from workflow.chain import history_breaks
from workflow.models import HistoryHead, TransitionRecord

pytestmark = pytest.mark.django_db


def _encoded_directly(snapshot, reference):
    direct = copy.deepcopy(snapshot)
    direct["application"]["reference"] = reference
    encoded = chain.canonical_json(direct)
    return json.loads(encoded), encoded


@pytest.mark.parametrize(
    "reference",
    [
        "BI-2026-000001",
        "BI-2026-1234567",
        "BI-2026-000001-A2",
        # Never drawn, but the substitution must not be trusted for text JSON escapes.
        'odd "quoted" \\ ref',
        "réf-ü-2026",
        "",
    ],
)
def test_the_snapshot_encoded_before_the_draw_is_the_one_encoded_after_it(
    organisation, applicant, reference
):
    draft = ApplicationFactory(organisation=organisation, created_by=applicant)
    snapshot = application_snapshot(application=draft)
    # The placeholder's text sorts among other keys' values, not among keys: a few neighbours.
    snapshot["application"]["zz"] = "@reference-"
    snapshot["application"]["aa"] = ["ref", {"reference": None}]

    prepared = submission.SubmittedSnapshot(copy.deepcopy(snapshot))
    read_back, encoded = prepared.completed(reference)

    expected_read_back, expected_encoded = _encoded_directly(snapshot, reference)
    assert encoded == expected_encoded
    assert read_back == expected_read_back


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_one_statement_writes_the_rows_the_records_and_emails_were_made_as(
    organisation, applicant, monkeypatch
):
    sent: list[tuple[list[TransitionRecord], list[OutboxMessage]]] = []
    real = submission._submission_written

    def watched(connection, records, messages):
        real(connection, records, messages)
        sent.append((records, messages))

    monkeypatch.setattr(submission, "_submission_written", watched)
    draft = ApplicationFactory(organisation=organisation, created_by=applicant)

    submitted = actions.application_submit(application=draft, actor=applicant)

    ((records, messages),) = sent
    for made in records:
        stored = TransitionRecord.objects.get(pk=made.pk)
        for field in TransitionRecord._meta.concrete_fields:
            assert getattr(stored, field.attname) == getattr(made, field.attname), field.name
    delivery = ("status", "sent_at", "attempts", "last_error", "next_attempt_at")
    for made in messages:
        stored = OutboxMessage.objects.get(pk=made.pk)
        # The test settings deliver the e-mail once the submission commits.
        for field in (f for f in OutboxMessage._meta.concrete_fields if f.name not in delivery):
            assert getattr(stored, field.attname) == getattr(made, field.attname), field.name
    submit, screening = records
    assert [r.transition for r in records] == ["submit", "screening"]
    assert submit.snapshot == application_snapshot(application=submitted)
    assert submit.payload == {"reference": submitted.reference}
    # The hashes are those of the ORM path: the record's content, the snapshot's canonical JSON.
    assert list(history_breaks(application_id=submitted.pk)) == []
    head = HistoryHead.objects.get(application=submitted)
    assert (head.seq, head.record_id, head.record_hash) == (
        screening.seq,
        screening.pk,
        screening.record_hash,
    )
    assert [m.key for m in messages] == [
        f"submitted:{submitted.pk}:{submit.pk}:{applicant.email.lower()}"
    ]


def _stored(application):
    records = list(
        TransitionRecord.objects.filter(application=application)
        .order_by("seq")
        .values(
            "seq",
            "transition",
            "source_state",
            "target_state",
            "actor_id",
            "actor_role",
            "comment",
            "payload",
            "versions",
            "chain_key",
            "snapshot",
        )
    )
    for record in records:
        # The screening run's id and the number differ between two files.
        record["payload"].pop("run", None)
        record["payload"].pop("reference", None)
    messages = list(
        OutboxMessage.objects.filter(key__startswith=f"submitted:{application.pk}:").values(
            "channel", "recipient", "status", "attempts"
        )
    )
    head = HistoryHead.objects.get(application=application)
    return records, messages, head.seq


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_one_statement_and_the_orm_path_write_the_same_submission(
    organisation, applicant, monkeypatch
):
    by_statement = actions.application_submit(
        application=ApplicationFactory(organisation=organisation, created_by=applicant),
        actor=applicant,
    )
    monkeypatch.setattr(submission, "_one_statement", lambda connection: False)
    by_orm = actions.application_submit(
        application=ApplicationFactory(organisation=organisation, created_by=applicant),
        actor=applicant,
    )

    for application in (by_statement, by_orm):
        assert list(history_breaks(application_id=application.pk)) == []
    one, other = _stored(by_statement), _stored(by_orm)
    # The two files differ by their ids and numbers only: both paths wrote the same rows.
    assert one[1] == other[1] and one[2] == other[2]
    drop = ("snapshot",)
    assert [{k: v for k, v in r.items() if k not in drop} for r in one[0]] == [
        {k: v for k, v in r.items() if k not in drop} for r in other[0]
    ]


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_submission_with_no_address_to_write_to_still_writes_its_records(organisation, applicant):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk__in=organisation.members.all()).update(email="")
    draft = ApplicationFactory(organisation=organisation, created_by=applicant)

    submitted = actions.application_submit(application=draft, actor=applicant)

    assert not OutboxMessage.objects.filter(key__startswith=f"submitted:{submitted.pk}:").exists()
    records = TransitionRecord.objects.filter(application=submitted).order_by("seq")
    assert [r.transition for r in records][-2:] == ["submit", "screening"]
    assert HistoryHead.objects.get(application=submitted).record_id == records.last().pk
    assert list(history_breaks(application_id=submitted.pk)) == []
