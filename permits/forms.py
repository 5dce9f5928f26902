"""One small form per transition: the payload each needs, validated before the service runs."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from workflow.roles import Role

from .models import Recommendation


class SubmitForm(forms.Form):
    pass


class StartReviewForm(forms.Form):
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


class RequestInformationForm(forms.Form):
    message = forms.CharField(label=_("What must the applicant provide?"), widget=forms.Textarea)


class ProvideInformationForm(forms.Form):
    reply = forms.CharField(label=_("Your reply"), widget=forms.Textarea)


class ProposeDecisionForm(forms.Form):
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=Recommendation.choices)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea)
    grounds = forms.CharField(
        label=_("Grounds for refusal"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Required when you recommend a refusal."),
    )


class ReturnToReviewForm(forms.Form):
    comment = forms.CharField(label=_("Why does the file go back?"), widget=forms.Textarea)


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea, required=False)


class RefuseForm(forms.Form):
    grounds = forms.CharField(label=_("Grounds for refusal"), widget=forms.Textarea)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), widget=forms.Textarea, required=False)


class RevokeForm(forms.Form):
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

TRANSITION_LABELS = {
    "submit": _("Submit"),
    "start_review": _("Start review"),
    "request_information": _("Request information"),
    "provide_information": _("Provide information"),
    "propose_decision": _("Propose decision"),
    "return_to_review": _("Return to review"),
    "approve": _("Approve"),
    "refuse": _("Refuse"),
    "withdraw": _("Withdraw"),
    "revoke": _("Revoke"),
    "expire": _("Expire"),
}
