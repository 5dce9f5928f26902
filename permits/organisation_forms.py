"""Forms of the company self-service pages: they validate input; the actions write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import AccessibleFormMixin, WebForm
from .models import CatalogueProduct, Language, SavedParty

RIGHT_LABELS = {
    "draft": _("Prepares drafts"),
    "submit": _("Submits applications"),
    "see_decisions": _("Reads decisions and licences"),
    "administrator": _("Administers the organisation"),
}


class RightsFields(forms.Form):
    draft = forms.BooleanField(label=RIGHT_LABELS["draft"], required=False, initial=True)
    submit = forms.BooleanField(label=RIGHT_LABELS["submit"], required=False)
    see_decisions = forms.BooleanField(label=RIGHT_LABELS["see_decisions"], required=False)
    administrator = forms.BooleanField(label=RIGHT_LABELS["administrator"], required=False)

    @property
    def rights(self) -> dict[str, bool]:
        return {name: self.cleaned_data.get(name, False) for name in RIGHT_LABELS}


class InvitationForm(AccessibleFormMixin, RightsFields):
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=Language.choices, required=False
    )
    field_order = ["email", "language", "draft", "submit", "see_decisions", "administrator"]


class MembershipRightsForm(AccessibleFormMixin, RightsFields):
    pass


class AcceptForm(WebForm):
    """A new account for the invitee (signed out, no account with the invited address)."""

    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password_again = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput, strip=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned


class SavedPartyForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = SavedParty
        fields = ["role", "name", "party_type", "address", "country"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class CatalogueProductForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = CatalogueProduct
        fields = ["description", "regime", "control_entry", "commodity_code", "catch_all_ground"]

    def _post_clean(self):
        # The action checks the entry against the control list of the product's regime.
        pass
