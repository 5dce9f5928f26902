"""The upload form: what the user chooses; the file itself is checked by the service."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import conf
from .models import Document

UPLOADABLE_KINDS = [
    (value, label) for value, label in Document.Kind.choices if value != Document.Kind.DECISION
]


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=UPLOADABLE_KINDS)
    # Empty files pass here so that the service refuses them with its own message.
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    supersedes = forms.ModelChoiceField(
        label=_("Replaces"),
        queryset=Document.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("Nothing: this is an additional document"),
        help_text=_("Choose a document only if this upload is a corrected version of it."),
    )

    shared_with_applicant = forms.BooleanField(
        label=_("Share with the applicant"),
        required=False,
        help_text=_(
            "Unticked, the document is staff only: the applicant never sees it. Tick it only "
            "for a document the applicant must read."
        ),
    )

    def __init__(self, *args, application, staff: bool = False, supersedable=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            # What an applicant uploads is theirs and always visible to them.
            del self.fields["shared_with_applicant"]
        self.fields["file"].help_text = _("PDF, PNG or JPEG, at most %(size)s.") % {
            "size": filesizeformat(conf.max_upload_bytes())
        }
        self.fields["file"].widget.attrs["accept"] = "application/pdf,image/png,image/jpeg"
        self.fields["supersedes"].queryset = (
            supersedable
            if supersedable is not None
            else Document.objects.filter(
                application=application, superseded_by__isnull=True
            ).exclude(kind=Document.Kind.DECISION)
        )
        if not self.fields["supersedes"].queryset.exists():
            del self.fields["supersedes"]
