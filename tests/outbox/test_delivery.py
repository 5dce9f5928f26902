"""Messages are written in the caller's transaction and reach each recipient once: a retried
or repeated delivery sends nothing twice, and the sweep delivers what the broker lost."""

from __future__ import annotations

import ast
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app as celery_app
from outbox import tasks
from outbox.models import OutboxMessage
from outbox.services import outbox_email_enqueue, outbox_message_deliver
from tests.conftest import broker_down, requires_postgresql
from tests.outbox.backends import HeldEmailBackend

RECIPIENTS = ["ana@example.test", "bert@example.test", "chloe@example.test"]


def enqueue(key_prefix: str = "event:1:7", recipients=RECIPIENTS) -> list[OutboxMessage]:
    with transaction.atomic():
        return outbox_email_enqueue(
            key_prefix=key_prefix,
            recipients=recipients,
            subject="Application received",
            body="We have received your application.",
            concerns="BXL-ML-EXP-2026-000001",
        )


def received(address: str) -> int:
    return sum(message.to == [address] for message in mail.outbox)


def past_grace() -> time_machine.travel:
    minutes = settings.OUTBOX_REDELIVERY_GRACE_MINUTES + 1
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


@pytest.mark.django_db
def test_each_recipient_gets_one_email_of_their_own_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue()

    assert sorted(message.to[0] for message in mail.outbox) == RECIPIENTS
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_nothing_is_sent_before_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue()

    assert mail.outbox == []
    assert OutboxMessage.objects.filter(status="pending").count() == 3
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_enqueueing_the_same_key_again_writes_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        written = enqueue()

    assert written == []
    assert callbacks == []
    assert OutboxMessage.objects.count() == 3
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_message():
    with pytest.raises(RuntimeError, match="action failed"), transaction.atomic():
        enqueue()
        raise RuntimeError("action failed")

    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_enqueueing_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        outbox_email_enqueue(key_prefix="event:1:7", recipients=RECIPIENTS, subject="s", body="b")

    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_delivery_task_run_twice_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = enqueue(recipients=["ana@example.test"])[0]

    assert tasks.deliver_outbox_message.apply(args=(message.pk,)).get() is True
    assert tasks.deliver_outbox_message.apply(args=(message.pk,)).get() is False

    assert received("ana@example.test") == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_retrying_deliveries_after_a_refused_recipient_sends_nobody_a_second_email(
    refusing_smtp, django_capture_on_commit_callbacks
):
    refusing_smtp["bert@example.test"] = 1
    with django_capture_on_commit_callbacks(execute=True):
        messages = enqueue()
    assert [received(address) for address in RECIPIENTS] == [1, 0, 1]

    for message in messages:  # every delivery of the occurrence runs again
        tasks.deliver_outbox_message.apply(args=(message.pk,), throw=True)

    assert [received(address) for address in RECIPIENTS] == [1, 1, 1]
    attempts = dict(OutboxMessage.objects.values_list("recipient", "attempts"))
    assert attempts == {"ana@example.test": 1, "bert@example.test": 2, "chloe@example.test": 1}


@pytest.mark.django_db
def test_a_failed_send_is_recorded_and_raised_for_the_task_to_retry(refusing_smtp):
    refusing_smtp["ana@example.test"] = 1
    with transaction.atomic():
        message = enqueue(recipients=["ana@example.test"])[0]

    with pytest.raises(OSError, match="Mailbox busy"):
        outbox_message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at) == ("pending", 1, None)
    assert "SMTPRecipientsRefused" in message.last_error
    assert message.next_attempt_at > timezone.now()


@pytest.mark.django_db
def test_a_message_refused_every_time_is_marked_failed_and_no_longer_swept(settings, refusing_smtp):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    refusing_smtp["ana@example.test"] = 99
    with transaction.atomic():
        message = enqueue(recipients=["ana@example.test"])[0]

    for _attempt in range(2):
        with pytest.raises(OSError, match="Mailbox busy"):
            outbox_message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 2)
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert tasks.deliver_pending_outbox() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_messages_whose_broker_was_down_at_commit_are_delivered_by_the_sweep(
    django_capture_on_commit_callbacks,
):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        enqueue()  # the failed enqueue is logged, never raised

    assert mail.outbox == []
    assert OutboxMessage.objects.filter(status="pending").count() == 3

    with past_grace():
        assert tasks.deliver_pending_outbox() == 3
        assert tasks.deliver_pending_outbox() == 0

    assert [received(address) for address in RECIPIENTS] == [1, 1, 1]


@pytest.mark.django_db
def test_committing_with_the_broker_down_neither_raises_nor_waits(
    django_capture_on_commit_callbacks,
):
    started = time.monotonic()
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        enqueue()

    assert time.monotonic() - started < 2


@pytest.mark.django_db
def test_the_sweep_leaves_messages_within_their_grace_period_alone(
    django_capture_on_commit_callbacks,
):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        enqueue()

    assert tasks.deliver_pending_outbox() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_sweep_hands_a_message_to_a_worker_once_per_grace_period():
    with broker_down(), transaction.atomic():
        enqueue(recipients=["ana@example.test"])

    with broker_down(), past_grace():
        # The broker is down for the sweep's enqueue too: the message is not lost, only leased.
        assert tasks.deliver_pending_outbox() == 1
        assert tasks.deliver_pending_outbox() == 0
    assert OutboxMessage.objects.get().status == "pending"


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_message_being_sent_by_one_worker_is_skipped_by_another(settings):
    settings.EMAIL_BACKEND = "tests.outbox.backends.HeldEmailBackend"
    HeldEmailBackend.sending.clear()
    HeldEmailBackend.release.clear()
    with broker_down(), transaction.atomic():  # pending: no task of its own
        message = enqueue(recipients=["ana@example.test"])[0]

    def first_worker():
        try:
            outbox_message_deliver(message_id=message.pk)
        finally:
            connection.close()

    first = threading.Thread(target=first_worker)
    first.start()
    try:
        assert HeldEmailBackend.sending.wait(timeout=10)
        assert outbox_message_deliver(message_id=message.pk) is False
    finally:
        HeldEmailBackend.release.set()
        first.join(timeout=10)

    assert received("ana@example.test") == 1
    assert OutboxMessage.objects.get().status == "sent"


def test_the_sweep_is_scheduled_by_beat_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["deliver-pending-outbox"]

    assert entry["task"] == tasks.deliver_pending_outbox.name
    assert tasks.deliver_pending_outbox.name in celery_app.tasks
    assert tasks.deliver_outbox_message.acks_late is True
    assert len(entry["schedule"].minute) >= 12  # at least every five minutes


def test_the_outbox_imports_none_of_the_apps_it_serves():
    imported = set()
    for path in Path(settings.BASE_DIR, "outbox").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])

    assert imported.isdisjoint({"permits", "documents", "directory", "workflow"})
