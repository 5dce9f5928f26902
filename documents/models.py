"""Supporting documents and decision documents. Stored files are never overwritten or deleted."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def document_path(instance: Document, filename: str) -> str:
    # A fresh random name per file: a new upload can never overwrite a stored one.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    folder = f"applications/{instance.application.public_id}"
    if instance.decision_id is not None:
        # One name per decision: an attempt that died after writing its file (its row rolled
        # back) left it under the name the next attempt writes, which replaces it.
        return f"{folder}/decision-{instance.decision_id}{suffix}"
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    class Kind(models.TextChoices):
        END_USER_CERTIFICATE = "end_user_certificate", _("End-user certificate")
        IMPORT_CERTIFICATE = "import_certificate", _("International import certificate")
        CONTRACT = "contract", _("Contract or order")
        TECHNICAL_SPECIFICATION = "technical_specification", _("Technical specification")
        INFORMATION_REPLY = "information_reply", _("Information reply")
        DECISION = "decision", _("Decision")
        OTHER = "other", _("Other")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "permits.PermitApplication",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
        help_text=_("Empty for documents the system generated."),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    decision = models.OneToOneField(
        "permits.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document",
        verbose_name=_("decision"),
    )
    unsigned_sha256 = models.CharField(
        _("SHA-256 of the unsigned rendering"), max_length=64, blank=True
    )
    signed = models.BooleanField(_("signed"), default=False)
    # A generated document keeps what it was rendered from, so the same bytes can be produced
    # again and compared with unsigned_sha256: the canonical JSON of every text and number it
    # prints, and the version of the layout that printed them.
    render_inputs = models.TextField(_("render inputs (canonical JSON)"), blank=True)
    layout_version = models.CharField(_("layout version"), max_length=20, blank=True)
    # Who reads it: the applicant's own uploads and decisions always; a document staff
    # uploaded only when they chose to share it at upload.
    shared_with_applicant = models.BooleanField(
        _("shared with the applicant"),
        default=True,
        help_text=_("Unticked: staff only, the applicant never sees this document."),
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "superseded_by")
