"""With the real broker and a real worker: one e-mail per recipient, retries through Redis
that reach only the refused recipient, and the sweep delivering what the broker never got."""

from __future__ import annotations

from django.core import mail
from django.db import transaction

from outbox import tasks
from outbox.models import OutboxMessage
from outbox.services import outbox_email_enqueue
from tests.conftest import broker_down, wait_for

RECIPIENTS = ["ana@example.test", "bert@example.test", "chloe@example.test"]


def enqueue() -> list[OutboxMessage]:
    with transaction.atomic():
        return outbox_email_enqueue(
            key_prefix="event:1:7",
            recipients=RECIPIENTS,
            subject="Application received",
            body="We have received your application.",
        )


def all_sent() -> bool:
    return OutboxMessage.objects.filter(status="sent").count() == len(RECIPIENTS)


def received() -> list[int]:
    return [sum(message.to == [address] for message in mail.outbox) for address in RECIPIENTS]


def test_a_real_worker_delivers_one_email_per_recipient(celery_worker_on_redis):
    messages = enqueue()
    for message in messages:  # the same deliveries queued again, as a redelivery would
        tasks.deliver_outbox_message.delay(message.pk)
    # The worker takes tasks in order: once this one is sent, the duplicates have run.
    with transaction.atomic():
        outbox_email_enqueue(
            key_prefix="marker", recipients=["zoe@example.test"], subject="s", body="b"
        )

    assert wait_for(lambda: OutboxMessage.objects.filter(status="sent").count() == 4)
    assert received() == [1, 1, 1]
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def test_a_real_worker_retries_only_the_refused_recipient(celery_worker_on_redis, refusing_smtp):
    refusing_smtp["bert@example.test"] = 1

    enqueue()

    # The retry waits out a back-off of up to 30 seconds in Redis.
    assert wait_for(all_sent, timeout=60)
    assert received() == [1, 1, 1]
    assert OutboxMessage.objects.get(recipient="bert@example.test").attempts == 2


def test_the_sweep_on_a_real_worker_delivers_what_the_broker_never_got(
    celery_worker_on_redis, settings
):
    settings.OUTBOX_REDELIVERY_GRACE_MINUTES = 0
    with broker_down():
        enqueue()
    assert OutboxMessage.objects.filter(status="pending").count() == 3

    tasks.deliver_pending_outbox.delay()

    assert wait_for(all_sent)
    assert received() == [1, 1, 1]
