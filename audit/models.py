"""The staff read log: who opened which file, how, and when.

One row per read, written by a single INSERT (no SELECT before it, no row lock): reading a file
must not become slower because it is logged. The file is named by its id and reference copied
as they were, not by a foreign key, so that this app knows nothing of the permit models and the
log never blocks or cascades with them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StaffRead(models.Model):
    class What(models.TextChoices):
        PAGE = "page", _("Case page")
        API = "api", _("API: the application")
        API_HISTORY = "api_history", _("API: its history")
        DOCUMENT = "document", _("Document download")
        DECISION_PDF = "decision_pdf", _("Decision PDF")
        CUSTOMS_LOOKUP = "customs_lookup", _("Customs: licence lookup")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("read by"),
    )
    application_id = models.BigIntegerField(_("application id"), db_index=True)
    reference = models.CharField(_("reference number"), max_length=40, blank=True)
    what = models.CharField(_("what"), max_length=20, choices=What.choices)
    document = models.UUIDField(_("document"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500)
    read_at = models.DateTimeField(_("read at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-read_at", "-id"]
        verbose_name = _("staff read")
        verbose_name_plural = _("staff reads")
        indexes = [models.Index(fields=["user", "-read_at"], name="audit_read_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.what} {self.reference or self.application_id}"
