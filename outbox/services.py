"""Write outgoing messages in the caller's transaction; deliver each one once it is committed.

Delivery is idempotent per recipient: a message is one row for one recipient, marked sent in
the transaction that holds its row lock, so a retried task, a redelivered task or the sweep
finds it sent and does nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Iterable
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

from celery import Celery, Task, current_app
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from kombu.pools import ProducerPool

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# Looked up by name in the Celery registry: the task module calls these services, so these
# services do not import it back.
DELIVER_TASK = "outbox.tasks.deliver_outbox_message"
# Enqueueing after commit runs in the request: with the broker down it must fail in moments,
# not after kombu's connection retries (seconds) or the system's connect timeout (minutes).
FAIL_FAST = {"max_retries": 0, "socket_connect_timeout": 2}


def outbox_email_enqueue(
    *,
    key_prefix: str,
    recipients: Iterable[str],
    subject: str,
    body: str,
    concerns: str = "",
    fresh: bool = False,
) -> list[OutboxMessage]:
    """Write one e-mail per recipient, keyed ``"<key_prefix>:<recipient>"``, and have the new
    ones delivered once the caller's transaction commits. Returns the messages written now.

    ``fresh`` says no message can have this key prefix yet (it names a record written in the
    caller's transaction): the e-mails are then written by one INSERT, without looking each key
    up first. Were one there after all, the key's uniqueness refuses the caller's transaction.

    Call it inside the transaction of the action the e-mail reports: the e-mail then exists if
    and only if the action does. A key written before (the same occurrence enqueued twice) is
    left alone and not delivered again. Enqueueing after commit never raises: with the broker
    down, the messages stay pending and ``deliver_pending_outbox`` sends them later.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_email_enqueue must run inside the caller's transaction.")
    if fresh:
        written = outbox_messages_fresh(
            key_prefix=key_prefix,
            recipients=recipients,
            subject=subject,
            body=body,
            concerns=concerns,
        )
        if written:
            OutboxMessage.objects.bulk_create(written)
            outbox_delivery_after_commit([message.pk for message in written])
        return written
    written: list[OutboxMessage] = []
    for candidate in outbox_messages_fresh(
        key_prefix=key_prefix, recipients=recipients, subject=subject, body=body, concerns=concerns
    ):
        defaults = {name: getattr(candidate, name) for name in _EMAIL_FIELDS}
        message, created = OutboxMessage.objects.get_or_create(key=candidate.key, defaults=defaults)
        if created:
            written.append(message)
    if written:
        _deliver_after_commit([message.pk for message in written])
    return written


# What an e-mail of the outbox is made of besides its key (``outbox_messages_fresh`` sets them).
_EMAIL_FIELDS = (
    "channel",
    "recipient",
    "subject",
    "body",
    "subject_ref",
    "created_at",
    "next_attempt_at",
)


def outbox_messages_fresh(
    *,
    key_prefix: str,
    recipients: Iterable[str],
    subject: str,
    body: str,
    concerns: str = "",
) -> list[OutboxMessage]:
    """The e-mails ``outbox_email_enqueue(..., fresh=True)`` writes, unsaved: for a caller that
    inserts them itself (in one statement with its other writes), then calls
    ``outbox_delivery_after_commit`` with their ids."""
    now = timezone.now()
    written: dict[str, OutboxMessage] = {}
    for recipient in dict.fromkeys(r.strip() for r in recipients if r and r.strip()):
        key = f"{key_prefix}:{recipient.lower()}"
        # Two spellings of one address share a key: one e-mail, as get_or_create gives.
        if key not in written:
            written[key] = OutboxMessage(
                key=key,
                channel=OutboxMessage.Channel.EMAIL,
                recipient=recipient,
                subject=subject,
                body=body,
                subject_ref=concerns,
                created_at=now,
                next_attempt_at=now + _grace(),
            )
    return list(written.values())


def outbox_delivery_after_commit(message_ids: list[int]) -> None:
    """Hand the messages written in the caller's transaction to the workers once it commits."""
    if message_ids:
        _deliver_after_commit(message_ids)


def outbox_message_deliver(*, message_id: int) -> bool:
    """Send one pending message and mark it sent; True if this call sent it.

    The row is locked (``skip_locked``: a worker already delivering it is left to finish) and
    the e-mail is sent while the lock is held, then marked sent in the same transaction. So
    two workers never both send it, and a message found sent is never sent again.

    At least once, not exactly once: if the process dies after the SMTP server accepted the
    e-mail but before the transaction commits, the row is still pending and the sweep sends
    it again. That window is one SMTP round trip, and the key confines its damage to that one
    recipient of that one occurrence — never the whole list, never another event. The
    Message-ID is derived from the key, so mail systems that drop duplicate Message-IDs hide
    even that second copy.

    A failed send is recorded (attempts, error, next attempt after a back-off; ``failed`` after
    ``OUTBOX_MAX_ATTEMPTS``) and re-raised so that the task retries it.
    """
    error: Exception | None = None
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        )
        if message is None or message.status != OutboxMessage.Status.PENDING:
            return False
        message.attempts += 1
        try:
            _send_email(message)
        except Exception as exc:
            error = exc
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            backoff = timedelta(minutes=min(2**message.attempts, 360))
            message.next_attempt_at = timezone.now() + max(_grace(), backoff)
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
                logger.error(
                    "Outbox message %s failed %s times; giving up.", message.pk, message.attempts
                )
        else:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save(
            update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"]
        )
    if error is not None:
        raise error
    return True


def outbox_messages_due() -> QuerySet[OutboxMessage]:
    """Pending messages whose after-commit delivery had its grace period, or whose back-off
    after a failure is over."""
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
    )


def outbox_messages_lease(*, message_ids: list[int]) -> None:
    """Leave messages handed to a worker alone for another grace period, so that a stopped
    worker does not find the same message queued once per sweep."""
    OutboxMessage.objects.filter(pk__in=message_ids).update(
        next_attempt_at=timezone.now() + _grace()
    )


def _grace() -> timedelta:
    return timedelta(minutes=settings.OUTBOX_REDELIVERY_GRACE_MINUTES)


def _send_email(message: OutboxMessage) -> None:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:40]
    EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": f"<outbox.{digest}@{domain}>", "Auto-Submitted": "auto-generated"},
    ).send(fail_silently=False)


def _deliver_after_commit(message_ids: list[int]) -> None:
    def send() -> None:
        task = current_app.tasks[DELIVER_TASK]
        for message_id in message_ids:
            try:
                _send_task(task, (message_id,))
            except Exception:
                logger.exception(
                    "Could not enqueue outbox message %s; the sweep will deliver it.",
                    message_id,
                )
                if not task.app.conf.task_always_eager:
                    return  # the broker is unreachable: so it is for the next ones

    transaction.on_commit(send)


def task_enqueue_after_commit(task_name: str, *args: Any) -> None:
    """Send the task registered as ``task_name`` once the current transaction commits, failing
    fast when the broker is down (a beat sweep acting on the database catches up).

    By name, so that the actions that record side effects never import task modules (the tasks
    import the actions).
    """

    def send() -> None:
        try:
            if task_name not in current_app.tasks:
                # A web process imports task modules only on demand: discover them now.
                current_app.loader.import_default_modules()
            _send_task(current_app.tasks[task_name], args)
        except Exception:
            logger.exception("Could not enqueue %s%r; a beat sweep will retry.", task_name, args)

    transaction.on_commit(send)


# One pool of producers per process and broker, on connections with FAIL_FAST: a web or worker
# process sends every task on a connection it already holds instead of connecting to Redis for
# each one (≈ 16 ms a task). Keyed by process as well, since a forked child must not share
# its parent's sockets.
_producer_pools: dict[tuple[int, str], ProducerPool] = {}
_producer_pools_lock = threading.Lock()


def _producer_pool(app: Celery) -> ProducerPool:
    key = (os.getpid(), app.conf.broker_write_url or app.conf.broker_url or "")
    pool = _producer_pools.get(key)
    if pool is None:
        with _producer_pools_lock:
            pool = _producer_pools.get(key)
            if pool is None:
                for stale in [k for k in _producer_pools if k != key]:
                    # The parent's sockets are the parent's to close; another broker's (the app
                    # was pointed elsewhere) are closed here.
                    dropped = _producer_pools.pop(stale)
                    if stale[0] == key[0]:
                        dropped.connections.force_close_all()
                limit = app.conf.broker_pool_limit
                connections = app.connection_for_write(transport_options=FAIL_FAST).Pool(limit)
                pool = ProducerPool(connections, limit=limit, Producer=app.amqp.Producer)
                _producer_pools[key] = pool
    return pool


def _send_task(task: Task, args: tuple[Any, ...]) -> None:
    """Publish ``task`` on a pooled connection, without kombu's retries.

    A pooled connection may have died since its last use (Redis restarted, the server closed
    it): its failure is retried once on a fresh connection, so that a broker that is back is
    used at once. A failure to connect is raised at once (the broker is down: fail fast).
    """
    app = task.app
    if app.conf.task_always_eager:
        task.apply_async(args)
        return
    pool = _producer_pool(app)
    for attempt in (1, 2):
        with pool.acquire(block=True) as producer:
            connection = producer.connection
            reused = connection.connected
            try:
                task.apply_async(args, producer=producer, retry=False)
                return
            except Exception:
                connection.collect()  # never hand this socket out again
                if not reused or attempt == 2:
                    raise
                logger.info("A pooled broker connection had died; sending on a new one.")
