from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from workflow.roles import STAFF_ROLES


def _staff_users():
    return (
        get_user_model()
        .objects.filter(groups__name__in=[role.value for role in STAFF_ROLES])
        .distinct()
        .order_by("username")
    )


class StaffUserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.get_username()})" if name else obj.get_username()


class ReadLogFilterForm(forms.Form):
    user = StaffUserChoiceField(
        label=_("Read by"), queryset=_staff_users(), required=False, empty_label=_("Anyone")
    )
    reference = forms.CharField(label=_("Reference number"), max_length=40, required=False)
    application = forms.IntegerField(
        label=_("Application id"), required=False, min_value=1, widget=forms.HiddenInput
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Evaluated per request, not once at import.
        self.fields["user"].queryset = _staff_users()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
