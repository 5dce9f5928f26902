"""Transition history and work items of the permit workflow."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HistoryIsAppendOnly(Exception):
    """Raised on any attempt to change or remove a transition record."""


class TransitionRecordQuerySet(models.QuerySet):
    def state_changes(self):
        """Only the workflow's transitions, without events such as screenings or uploads
        (which are recorded with the same state before and after)."""
        return self.exclude(source_state=models.F("target_state"))

    def update(self, **kwargs):
        raise HistoryIsAppendOnly("Transition records cannot be updated.")

    def delete(self):
        raise HistoryIsAppendOnly("Transition records cannot be deleted.")

    def bulk_update(self, *args, **kwargs):
        raise HistoryIsAppendOnly("Transition records cannot be updated.")


class TransitionRecord(models.Model):
    """One row per state change of an application, written in the transaction that made it."""

    application = models.ForeignKey(
        "permits.PermitApplication",
        on_delete=models.PROTECT,
        related_name="history",
        verbose_name=_("application"),
    )
    transition = models.CharField(_("transition"), max_length=40)
    source_state = models.CharField(_("from state"), max_length=30)
    target_state = models.CharField(_("to state"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty when the system acted (for example the daily expiry sweep)."),
    )
    actor_role = models.CharField(_("actor's role"), max_length=30)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # The tamper evidence (workflow/chain.py): position in the file's chain, the previous
    # record's hash, and this record's keyed hash over all of the above and below.
    seq = models.PositiveIntegerField(_("position in the file's history"))
    prev_hash = models.CharField(_("previous record's hash"), max_length=64)
    record_hash = models.CharField(_("record hash"), max_length=64)
    chain_key = models.CharField(_("chain key"), max_length=32)
    # What the file looked like after this step (transitions only) and its SHA-256.
    snapshot = models.JSONField(_("snapshot of the file"), null=True, blank=True)
    snapshot_hash = models.CharField(_("snapshot hash"), max_length=64, blank=True)
    # The code release and the reference lists' versions in force when this was written.
    versions = models.JSONField(_("versions in force"), default=dict, blank=True)

    objects = TransitionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("transition record")
        verbose_name_plural = _("transition records")
        indexes = [models.Index(fields=["application", "created_at", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["application", "seq"], name="one_record_per_position")
        ]
        # On PostgreSQL the database itself refuses to change or remove history, for raw SQL
        # and every other client too, not only through the ORM.
        triggers = [
            pgtrigger.Protect(
                name="history_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
            pgtrigger.Trigger(
                name="history_no_truncate",
                when=pgtrigger.Before,
                operation=pgtrigger.Truncate,
                level=pgtrigger.Statement,
                func=(
                    "RAISE EXCEPTION 'workflow_transitionrecord is append-only (TRUNCATE refused)';"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transition}: {self.source_state} → {self.target_state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryIsAppendOnly("Transition records cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly("Transition records cannot be deleted.")


class HistoryHead(models.Model):
    """The end of one file's history chain: its last record's position, id and hash.

    Written by ``workflow.services.transition_record_create`` in the transaction that appends
    the record (under the file's row lock), so that ``chain.chain_head`` reads one row per
    file instead of aggregating the whole history. It is a summary, not evidence: the history
    records are, and ``chain_head_from_history`` recomputes it from them.
    """

    application = models.OneToOneField(
        "permits.PermitApplication",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="+",
        verbose_name=_("application"),
    )
    seq = models.PositiveIntegerField(_("position in the file's history"))
    record_id = models.BigIntegerField(_("transition record"))
    record_hash = models.CharField(_("record hash"), max_length=64)

    class Meta:
        verbose_name = _("history chain head")
        verbose_name_plural = _("history chain heads")
        # On PostgreSQL a head only moves forward and is never removed, like the history.
        triggers = [
            pgtrigger.Protect(name="history_head_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="history_head_forward_only",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(new__seq__lte=pgtrigger.F("old__seq")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.seq}"


class CaseTaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(completed_at__isnull=True)


class CaseTask(models.Model):
    """A thing a person must do next on a file. Queues are queries over open tasks."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Review the file")
        PROVIDE_INFORMATION = "provide_information", _("Answer the information request")
        APPROVE = "approve", _("Approve or refuse the file")

    application = models.ForeignKey(
        "permits.PermitApplication",
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    candidate_role = models.CharField(_("candidate role"), max_length=30)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_tasks",
        verbose_name=_("assignee"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, db_index=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    due_at = models.DateTimeField(_("due"), db_index=True)

    objects = CaseTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("case task")
        verbose_name_plural = _("case tasks")
        constraints = [
            # At most one open task per application: the file is in exactly one hand.
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(completed_at__isnull=True),
                name="one_open_task_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.application})"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None
