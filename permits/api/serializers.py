"""Serializers of the permits API, one set per audience.

Applicants never receive staff-only data: the recommendation, its reasons, proposed refusal
grounds, the assignment, who acted on the file, or the comments and payloads of the internal
steps (``permits.views.STAFF_ONLY_TRANSITIONS``). Staff serializers add a ``review`` block and
the acting user; in the schema these staff-only parts are optional properties.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django_countries import countries
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workflow.models import TransitionRecord

from ..events import COMMENTS_HIDDEN_FROM_APPLICANT
from ..models import (
    Decision,
    GoodsItem,
    Kind,
    LicenceType,
    Party,
    PermitApplication,
    Recommendation,
    Regime,
    Status,
)

# By code, not by (translated) name: the schema must not depend on the active language.
COUNTRY_CODES = sorted(code for code, _name in countries)
MAX_TEXT = 20_000


def country_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=COUNTRY_CODES, **kwargs)


class AmountField(serializers.DecimalField):
    """A non-negative decimal sent as a string (``"250000.00"``): never a binary float.

    The schema's pattern is the one this field checks, so the contract and the validation agree.
    """

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs):
        whole = max_digits - decimal_places
        self.pattern = rf"^[0-9]{{1,{whole}}}(\.[0-9]{{1,{decimal_places}}})?$"
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(self.pattern, data):
            raise serializers.ValidationError(
                _('Send a non-negative amount as a string, for example "250000.00".')
            )
        return super().to_internal_value(data)


class AmountFieldExtension(OpenApiSerializerFieldExtension):
    target_class = AmountField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction == "request":
            return {"type": "string", "format": "decimal", "pattern": field.pattern}
        return {"type": "string", "format": "decimal"}


# --- Input ------------------------------------------------------------------------------------


class DraftInputSerializer(serializers.Serializer):
    """The fields of a draft that its applicant edits (``permits.actions.drafts.DRAFT_FIELDS``)."""

    kind = serializers.ChoiceField(choices=Kind.choices)
    regime = serializers.ChoiceField(choices=Regime.choices)
    licence_type = serializers.ChoiceField(choices=LicenceType.choices, required=False)
    country_of_origin = country_field(required=False, allow_blank=True)
    country_of_destination = country_field(required=False, allow_blank=True)
    transit_countries = serializers.ListField(child=country_field(), required=False, max_length=50)
    end_use_statement = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_TEXT, trim_whitespace=False
    )
    requested_validity_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=32767
    )
    total_value = AmountField(max_digits=14, decimal_places=2, required=False, allow_null=True)


class DraftCreateSerializer(DraftInputSerializer):
    organisation = serializers.CharField(
        required=False,
        max_length=20,
        help_text="Enterprise number of one of your organisations; "
        "needed only if you belong to several.",
    )


class DraftUpdateSerializer(DraftInputSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    regime = serializers.ChoiceField(choices=Regime.choices, required=False)


class GoodsItemSerializer(serializers.ModelSerializer):
    quantity = AmountField(max_digits=14, decimal_places=3)
    unit_value = AmountField(max_digits=14, decimal_places=2)
    line_value = serializers.DecimalField(max_digits=28, decimal_places=5, read_only=True)

    class Meta:
        model = GoodsItem
        fields = [
            "id",
            "description",
            "control_entry",
            "catch_all_ground",
            "quantity",
            "unit",
            "unit_value",
            "currency",
            "line_value",
        ]
        read_only_fields = ["id"]


class PartySerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Party.Role.choices)
    country = country_field()
    address = serializers.CharField(max_length=MAX_TEXT)

    class Meta:
        model = Party
        fields = ["id", "role", "name", "party_type", "address", "country"]
        read_only_fields = ["id"]


# --- Output -----------------------------------------------------------------------------------


class ApplicantOrganisationSerializer(serializers.Serializer):
    enterprise_number = serializers.CharField(read_only=True)
    legal_name = serializers.CharField(read_only=True)


class LicenceSerializer(serializers.Serializer):
    number = serializers.CharField(read_only=True)
    licence_type = serializers.ChoiceField(choices=LicenceType.choices, read_only=True)
    valid_from = serializers.DateField(read_only=True)
    valid_until = serializers.DateField(read_only=True)
    status = serializers.CharField(read_only=True)
    issued_at = serializers.DateTimeField(read_only=True)


class ApplicantApplicationSerializer(serializers.Serializer):
    """An application as its applicant sees it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    reference = serializers.CharField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    organisation = ApplicantOrganisationSerializer(read_only=True)
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    regime = serializers.ChoiceField(choices=Regime.choices, read_only=True)
    licence_type = serializers.ChoiceField(choices=LicenceType.choices, read_only=True)
    country_of_origin = serializers.CharField(read_only=True)
    country_of_destination = serializers.CharField(read_only=True)
    transit_countries = serializers.ListField(child=serializers.CharField(), read_only=True)
    end_use_statement = serializers.CharField(read_only=True)
    requested_validity_months = serializers.IntegerField(read_only=True, allow_null=True)
    total_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    goods = GoodsItemSerializer(many=True, read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    licence = serializers.SerializerMethodField()

    @extend_schema_field(LicenceSerializer(allow_null=True))
    def get_licence(self, application: PermitApplication):
        licence = getattr(application, "licence", None)
        return LicenceSerializer(licence).data if licence is not None else None


class ReviewSerializer(serializers.Serializer):
    """Staff only: the file's internal review."""

    assigned_case_manager = serializers.CharField(
        source="assigned_case_manager.username", read_only=True, allow_null=True
    )
    recommendation = serializers.ChoiceField(
        choices=[*Recommendation.choices, ("", "")], read_only=True
    )
    recommendation_reasons = serializers.CharField(read_only=True)
    refusal_grounds = serializers.CharField(read_only=True)


class StaffApplicationSerializer(ApplicantApplicationSerializer):
    """An application as Brussels International staff see it: with its review block."""

    # Not read-only, so that the schema lists it as optional: applicants never receive it.
    review = ReviewSerializer(source="*", required=False)


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices, read_only=True)
    decided_at = serializers.DateTimeField(read_only=True)
    grounds = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    document_ready = serializers.SerializerMethodField()
    document_sha256 = serializers.SerializerMethodField()
    signed = serializers.SerializerMethodField()

    def _document(self, decision: Decision):
        return getattr(decision, "document", None)

    def get_document_ready(self, decision: Decision) -> bool:
        return self._document(decision) is not None

    def get_document_sha256(self, decision: Decision) -> str | None:
        document = self._document(decision)
        return document.sha256 if document is not None else None

    def get_signed(self, decision: Decision) -> bool:
        document = self._document(decision)
        return bool(document is not None and document.signed)


class ApplicantHistorySerializer(serializers.Serializer):
    """A history record as applicants see it, as on their page: internal steps carry no comment,
    and no record carries its payload (screening results, assignments: staff matters)."""

    id = serializers.IntegerField(read_only=True)
    application = serializers.CharField(source="application.url_key", read_only=True)
    transition = serializers.CharField(read_only=True)
    source_state = serializers.CharField(read_only=True)
    target_state = serializers.CharField(read_only=True)
    actor_role = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    comment = serializers.SerializerMethodField()

    def get_comment(self, record: TransitionRecord) -> str:
        if record.transition in COMMENTS_HIDDEN_FROM_APPLICANT and not self.context.get("staff"):
            return ""
        return record.comment


class StaffHistorySerializer(ApplicantHistorySerializer):
    # Not read-only, so that the schema lists them as optional: applicants never receive them.
    actor = serializers.CharField(
        source="actor.username",
        required=False,
        allow_null=True,
        default=None,
        help_text="Staff only: the acting user's username; null when the system acted.",
    )
    payload = serializers.JSONField(required=False, help_text="Staff only: the step's data.")

    def get_comment(self, record: TransitionRecord) -> str:
        return record.comment


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    target = serializers.CharField(help_text="The state the application moves to.")
    href = serializers.CharField(help_text="Where to POST it.")


# --- Transition payloads ----------------------------------------------------------------------


class EmptyPayload(serializers.Serializer):
    pass


class StartReviewPayload(serializers.Serializer):
    case_manager = serializers.CharField(
        required=False,
        max_length=150,
        help_text="Head of unit only: username of the case manager to assign; "
        "omit to take the file yourself.",
    )

    def validate_case_manager(self, value: str):
        user = get_user_model().objects.filter(username=value, is_active=True).first()
        if user is None:
            raise serializers.ValidationError("No such user.")
        return user


def _text(**kwargs) -> serializers.CharField:
    return serializers.CharField(allow_blank=True, max_length=MAX_TEXT, **kwargs)


class RequestInformationPayload(serializers.Serializer):
    message = _text(help_text="What the applicant must provide.")


class ProvideInformationPayload(serializers.Serializer):
    reply = _text()


class ProposeDecisionPayload(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    reasons = _text()
    grounds = _text(required=False, default="", help_text="Required for a refusal.")


class CommentPayload(serializers.Serializer):
    comment = _text()


class OptionalCommentPayload(serializers.Serializer):
    comment = _text(required=False, default="")


class GroundsPayload(serializers.Serializer):
    grounds = _text()


class OptionalReasonPayload(serializers.Serializer):
    reason = _text(required=False, default="")


class ReasonPayload(serializers.Serializer):
    reason = _text()


TRANSITION_PAYLOADS: dict[str, type[serializers.Serializer]] = {
    "submit": EmptyPayload,
    "start_review": StartReviewPayload,
    "request_information": RequestInformationPayload,
    "provide_information": ProvideInformationPayload,
    "propose_decision": ProposeDecisionPayload,
    "return_to_review": CommentPayload,
    "approve": OptionalCommentPayload,
    "refuse": GroundsPayload,
    "withdraw": OptionalReasonPayload,
    "revoke": ReasonPayload,
}
