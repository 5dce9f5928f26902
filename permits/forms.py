"""Forms of the web application: one small form per transition (the payload each needs,
validated before the service runs) and the forms of the draft's steps.

They only validate input; the actions write.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from workflow.roles import Role

from .actions.drafts import DRAFT_FIELDS
from .compliance import criteria
from .compliance.models import Consultation, GovernmentDecision
from .models import (
    GoodsItem,
    LineOutcome,
    Party,
    PermitApplication,
    Recommendation,
    StandardCondition,
)
from .widgets import RenderedOnceSelect


def _active_conditions() -> list[StandardCondition]:
    """The latest active version of each standard condition."""
    latest: dict[str, StandardCondition] = {}
    for condition in StandardCondition.objects.filter(active=True).order_by("code", "-version"):
        latest.setdefault(condition.code, condition)
    return list(latest.values())


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
    message = forms.CharField(
        label=_("What must the applicant provide?"),
        widget=forms.Textarea,
        help_text=_("The applicant reads this message, on their page and in the e-mail."),
    )


class ProvideInformationForm(WebForm):
    reply = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea,
        help_text=_("Read by Brussels International's case manager and head of unit."),
    )
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
    """The proposal, with a choice per goods line (grant, grant reduced, refuse citing
    criteria) and the licence's conditions. Cleans to the action's ``lines`` list."""

    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=Recommendation.choices)
    reasons = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea,
        help_text=_("Staff only: the applicant does not read your reasons."),
    )
    grounds = forms.CharField(
        label=_("Grounds for refusal"),
        widget=forms.Textarea,
        required=False,
        help_text=_(
            "Required when you recommend a refusal or refuse a goods line. The applicant reads "
            "them in the decision letter."
        ),
    )

    def __init__(self, *args, application: PermitApplication | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.goods = list(application.goods.all()) if application is not None else []
        framework = criteria.framework_for(application.regime) if application else criteria.MILITARY
        codes = [
            (code, f"{code} — {title}") for code, title in criteria.CRITERIA[framework].items()
        ]
        for item in self.goods:
            name = f"line_{item.pk}"
            described = f"{item.control_entry} {item.description}"
            self.fields[f"{name}_outcome"] = forms.ChoiceField(
                label=_("Goods line: %(line)s") % {"line": described},
                choices=LineOutcome.choices,
                initial=LineOutcome.GRANT,
                # Not sent: the line follows the recommendation as requested.
                required=False,
                help_text=_("Requested: %(quantity)s %(unit)s, %(value)s.")
                % {
                    "quantity": f"{item.quantity.normalize():f}",
                    "unit": item.unit,
                    "value": f"{item.line_value:.2f} {item.currency}",
                },
            )
            self.fields[f"{name}_quantity"] = forms.DecimalField(
                label=_("Quantity granted (if reduced)"),
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=3,
            )
            self.fields[f"{name}_value"] = forms.DecimalField(
                label=_("Value granted (if reduced)"),
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
            )
            self.fields[f"{name}_criteria"] = forms.MultipleChoiceField(
                label=_("Criteria relied on (if refused)"),
                choices=codes,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        self.fields["conditions"] = forms.MultipleChoiceField(
            label=_("Standard conditions"),
            choices=[(c.code, c.text(get_language() or "en")) for c in _active_conditions()],
            required=False,
            initial=list(settings.LICENCE_DEFAULT_CONDITIONS),
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Printed on the licence."),
        )
        self.fields["conditions_text"] = forms.CharField(
            label=_("Conditions for this file"),
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            help_text=_(
                "Printed on the licence, one condition per line; the applicant reads them."
            ),
        )

    def clean(self):
        cleaned = super().clean()
        lines = []
        for item in self.goods:
            name = f"line_{item.pk}"
            line = {
                "goods_item": item.pk,
                "outcome": cleaned.pop(f"{name}_outcome", None) or LineOutcome.GRANT,
                "granted_quantity": cleaned.pop(f"{name}_quantity", None),
                "granted_value": cleaned.pop(f"{name}_value", None),
                "criteria": cleaned.pop(f"{name}_criteria", None) or [],
            }
            if cleaned.get("recommendation") == Recommendation.REFUSE:
                # A refusal refuses every line (citing the worksheet's grounds unless told).
                line["outcome"] = LineOutcome.REFUSE
            lines.append(line)
        if lines:
            cleaned["lines"] = lines
        cleaned["conditions"] = list(cleaned.get("conditions") or [])
        return cleaned


class ReturnToReviewForm(WebForm):
    comment = forms.CharField(
        label=_("Why does the file go back?"),
        widget=forms.Textarea,
        help_text=_("Staff only: the applicant does not read this comment."),
    )


class ApproveForm(WebForm):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea,
        required=False,
        help_text=_(
            "Staff only: the applicant does not read this comment; the licence is what they "
            "receive."
        ),
    )
    validity_months = forms.IntegerField(
        label=_("Validity granted (months)"),
        required=False,
        min_value=1,
        max_value=120,
        help_text=_("Leave empty to grant the validity requested."),
    )
    validity_reason = forms.CharField(
        label=_("Why a shorter validity"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when you shorten the validity; the applicant reads it."),
    )


class RefuseForm(WebForm):
    grounds = forms.CharField(
        label=_("Grounds for refusal"),
        widget=forms.Textarea,
        help_text=_("The applicant reads these grounds: they are printed in the refusal letter."),
    )


class WithdrawForm(WebForm):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Read by Brussels International's staff."),
    )


class RevokeForm(WebForm):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        widget=forms.Textarea,
        help_text=_("The holder reads this reason, on their page and in the e-mail."),
    )


class ReassignForm(WebForm):
    case_manager = forms.ModelChoiceField(
        label=_("Hand the file to"), queryset=get_user_model().objects.none()
    )
    reason = forms.CharField(
        label=_("Why does the file change hands?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Staff only: the applicant does not read this reason."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].queryset = (
            get_user_model()
            .objects.filter(groups__name=Role.CASE_MANAGER, is_active=True)
            .order_by("last_name", "first_name")
        )


class CaseNoteForm(WebForm):
    text = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=8000,
        help_text=_("Staff only: never shown to the applicant, on any page, e-mail or document."),
    )


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
            "contract_date": forms.DateInput(attrs={"type": "date"}),
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
        maximum = settings.LICENCE_MAX_VALIDITY_MONTHS
        self.fields["requested_validity_months"].help_text = _(
            "At most %(military)d months (%(dual_use)d for dual-use items)."
        ) % {"military": maximum["military"], "dual_use": maximum["dual_use"]}

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
            "commodity_code",
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
    note = forms.CharField(
        label=_("Note"),
        max_length=8000,
        required=False,
        help_text=_("Staff only: the applicant does not read this note."),
    )


class ConsultationForm(forms.Form):
    counterpart = forms.ChoiceField(
        label=_("Authority consulted"), choices=Consultation.Counterpart.choices
    )
    counterpart_country = CountryField(blank=True).formfield(
        label=_("Country (for a Member State)"),
        required=False,
        # On every staff case page: the ~250 countries rendered once per language.
        widget=RenderedOnceSelect,
    )
    subject = forms.CharField(
        label=_("Question put to it"),
        max_length=8000,
        help_text=_("Staff only: the applicant does not read this note."),
    )
    due_on = forms.DateField(
        label=_("Answer due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ExportForm(WebForm):
    """Which audit export: the dataset and the format (the search filter says which files)."""

    dataset = forms.ChoiceField(
        label=_("Dataset"),
        choices=[
            ("applications", _("Applications")),
            ("decisions", _("Decisions per goods line")),
            ("history", _("History records")),
        ],
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", _("CSV")), ("jsonl", _("JSON Lines"))]
    )
