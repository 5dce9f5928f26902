"""Forms of the web application: one small form per transition (the payload each needs,
validated before the service runs) and the forms of the draft's steps.

They only validate input; the actions write.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from workflow.roles import Role

from .actions.drafts import DRAFT_FIELDS
from .compliance.models import Consultation, GovernmentDecision
from .models import GoodsItem, Party, PermitApplication, Recommendation


class AccessibleFormMixin:
    """Fields with errors say so to assistive technology: ``aria-invalid`` and
    ``aria-describedby`` pointing at the error (``<id>_error``) and help text."""

    def full_clean(self):
        super().full_clean()
        self._describe()

    def apply_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put a service's field errors (``TransitionGuardFailed.errors``) on this form."""
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        self._describe()

    def _describe(self) -> None:
        if self._errors is None:
            return
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if name in self._errors:
                described.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if field.help_text:
                described.append(f"{bound.auto_id}_helptext")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


class WebForm(AccessibleFormMixin, forms.Form):
    pass


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class SubmitForm(WebForm):
    pass


class StartReviewForm(WebForm):
    case_manager = forms.ModelChoiceField(
        label=_("Assign to case manager"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Leave empty to take the file yourself."),
    )

    def __init__(self, *args, can_assign_others: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if can_assign_others:
            self.fields["case_manager"].queryset = (
                get_user_model()
                .objects.filter(groups__name=Role.CASE_MANAGER, is_active=True)
                .order_by("last_name", "first_name")
            )
        else:
            del self.fields["case_manager"]


class RequestInformationForm(WebForm):
    message = forms.CharField(label=_("What must the applicant provide?"), widget=forms.Textarea)


class ProvideInformationForm(WebForm):
    reply = forms.CharField(label=_("Your reply"), widget=forms.Textarea)
    documents = MultipleFileField(
        label=_("Documents (optional)"),
        required=False,
        allow_empty_file=True,
        help_text=_("PDF, PNG or JPEG. You can choose several files."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].widget.attrs["accept"] = "application/pdf,image/png,image/jpeg"


class ProposeDecisionForm(WebForm):
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=Recommendation.choices)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea)
    grounds = forms.CharField(
        label=_("Grounds for refusal"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Required when you recommend a refusal."),
    )


class ReturnToReviewForm(WebForm):
    comment = forms.CharField(label=_("Why does the file go back?"), widget=forms.Textarea)


class ApproveForm(WebForm):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea, required=False)


class RefuseForm(WebForm):
    grounds = forms.CharField(label=_("Grounds for refusal"), widget=forms.Textarea)


class WithdrawForm(WebForm):
    reason = forms.CharField(label=_("Reason (optional)"), widget=forms.Textarea, required=False)


class RevokeForm(WebForm):
    reason = forms.CharField(label=_("Reason for revocation"), widget=forms.Textarea)


TRANSITION_FORMS: dict[str, type[forms.Form]] = {
    "submit": SubmitForm,
    "start_review": StartReviewForm,
    "request_information": RequestInformationForm,
    "provide_information": ProvideInformationForm,
    "propose_decision": ProposeDecisionForm,
    "return_to_review": ReturnToReviewForm,
    "approve": ApproveForm,
    "refuse": RefuseForm,
    "withdraw": WithdrawForm,
    "revoke": RevokeForm,
}

# --- Draft steps -----------------------------------------------------------------------------


class DraftRequestForm(AccessibleFormMixin, forms.ModelForm):
    """Step 1: what is requested — kind, regime, countries, end use, value."""

    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=None, required=True, empty_label=None
    )

    class Meta:
        model = PermitApplication
        fields = list(DRAFT_FIELDS)
        widgets = {
            "end_use_statement": forms.Textarea(attrs={"rows": 4}),
            "transit_countries": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "transit_countries": _("Hold Ctrl (or Cmd) to choose several countries."),
            "end_use_statement": _("Who will use the goods, where, and for what."),
        }

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is None or len(organisations) < 2:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
        self.fields["kind"].choices = self.fields["kind"].choices[1:]
        self.fields["regime"].choices = self.fields["regime"].choices[1:]

    @property
    def draft_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in DRAFT_FIELDS if name in self.cleaned_data}


class PartyForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Party
        fields = ["role", "name", "party_type", "address", "country"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class GoodsItemForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = GoodsItem
        fields = [
            "description",
            "control_entry",
            "catch_all_ground",
            "quantity",
            "unit",
            "unit_value",
            "currency",
        ]
        labels = {"unit_value": _("Unit value")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entry = self.fields["control_entry"].widget
        entry.attrs.update(
            {"list": "control-entries", "autocomplete": "off", "data-entry-lookup": ""}
        )
        self.fields["control_entry"].help_text = _(
            "Start typing a code or a word: the current control list suggests entries, "
            "for example ML10.a or 5A002.a."
        )

    def _post_clean(self):
        # The service checks the whole item with the application's regime.
        pass


class GovernmentDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Government's decision"), choices=GovernmentDecision.Outcome.choices
    )
    decided_on = forms.DateField(
        label=_("Date of the Government's decision"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reference = forms.CharField(label=_("Reference of the Government's decision"), max_length=100)
    note = forms.CharField(label=_("Note"), max_length=8000, required=False)


class ConsultationForm(forms.Form):
    counterpart = forms.ChoiceField(
        label=_("Authority consulted"), choices=Consultation.Counterpart.choices
    )
    counterpart_country = CountryField(blank=True).formfield(
        label=_("Country (for a Member State)"), required=False
    )
    subject = forms.CharField(label=_("Question put to it"), max_length=8000)
    due_on = forms.DateField(
        label=_("Answer due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
