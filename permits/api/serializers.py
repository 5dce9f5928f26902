"""Serializers of the permits API, one set per audience.

Applicants never receive staff-only data: the recommendation, its reasons, proposed refusal
grounds, the assignment, who acted on the file, or the comments and payloads of the internal
steps (``permits.views.STAFF_ONLY_TRANSITIONS``). Staff serializers add a ``review`` block and
the acting user; in the schema these staff-only parts are optional properties.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import F, IntegerField, Lookup, Value
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
    LineOutcome,
    Party,
    PermitApplication,
    Recommendation,
    Regime,
    Status,
    Unit,
)
from ..money import currency_codes, totals

CENT = Decimal("0.01")

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

    def validate_empty_values(self, data):
        # DRF reads "" as null on a nullable decimal; the contract says null is null and an
        # amount is digits, so "" is refused like any other malformed amount.
        if isinstance(data, str) and not data.strip():
            raise serializers.ValidationError(
                _('Send a non-negative amount as a string, for example "250000.00".')
            )
        return serializers.Field.validate_empty_values(self, data)

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
    total_value = AmountField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="The declared value of the whole file, in euro.",
    )
    customs_office_of_export = serializers.CharField(
        required=False, allow_blank=True, max_length=8, help_text="E.g. BE212000."
    )
    contract_reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contract_date = serializers.DateField(required=False, allow_null=True)


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
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    currency = serializers.ChoiceField(
        choices=currency_codes(), required=False, help_text="ISO 4217 code of the unit value."
    )
    commodity_code = serializers.RegexField(
        r"^[0-9]{8}$",
        required=False,
        allow_blank=True,
        help_text="Combined Nomenclature code, eight digits.",
    )

    class Meta:
        model = GoodsItem
        fields = [
            "id",
            "description",
            "control_entry",
            "commodity_code",
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


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=28, decimal_places=2, read_only=True)
    currency = serializers.CharField(read_only=True)


class ApplicantOrganisationSerializer(serializers.Serializer):
    enterprise_number = serializers.CharField(read_only=True)
    legal_name = serializers.CharField(read_only=True)


class LicenceSerializer(serializers.Serializer):
    number = serializers.CharField(read_only=True)
    verification_code = serializers.CharField(
        read_only=True,
        help_text="Printed on the licence: with the number, it shows the licence's holder and "
        "status on the public verification page.",
    )
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
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="The applicant's declared value of the whole file, in euro.",
    )
    customs_office_of_export = serializers.CharField(read_only=True)
    contract_reference = serializers.CharField(read_only=True)
    contract_date = serializers.DateField(read_only=True, allow_null=True)
    totals = serializers.SerializerMethodField(
        help_text="The goods' value, one total per currency: never summed across currencies."
    )
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    goods = GoodsItemSerializer(many=True, read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    licence = serializers.SerializerMethodField()

    @extend_schema_field(MoneySerializer(many=True))
    def get_totals(self, application: PermitApplication):
        money = totals((item.line_value, item.currency) for item in application.goods.all())
        return MoneySerializer(
            [{"amount": m.amount.quantize(CENT), "currency": m.currency.code} for m in money],
            many=True,
        ).data

    @extend_schema_field(LicenceSerializer(allow_null=True))
    def get_licence(self, application: PermitApplication):
        licence = getattr(application, "licence", None)
        return LicenceSerializer(licence).data if licence is not None else None


class ProposedLineSerializer(serializers.Serializer):
    """The case manager's proposal for one goods line (what the head approves as it stands)."""

    goods_item = serializers.IntegerField(source="goods_item_id", read_only=True)
    outcome = serializers.ChoiceField(choices=LineOutcome.choices, read_only=True)
    granted_quantity = serializers.DecimalField(
        max_digits=14, decimal_places=3, read_only=True, allow_null=True
    )
    granted_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )
    criteria = serializers.ListField(child=serializers.CharField(), read_only=True)


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
    proposed_lines = ProposedLineSerializer(many=True, read_only=True)
    proposed_conditions = serializers.SerializerMethodField()
    conditions_text = serializers.CharField(read_only=True)

    def get_proposed_conditions(self, application: PermitApplication) -> list[str]:
        """Codes of the standard conditions proposed."""
        return sorted(c.code for c in application.proposed_conditions.all())


class StaffApplicationSerializer(ApplicantApplicationSerializer):
    """An application as Brussels International staff see it: with its review block."""

    # Not read-only, so that the schema lists it as optional: applicants never receive it.
    review = ReviewSerializer(source="*", required=False)


class DecisionLineSerializer(serializers.Serializer):
    """What the decision says about one goods line."""

    goods_item = serializers.IntegerField(read_only=True)
    description = serializers.CharField(read_only=True)
    control_entry = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    requested_quantity = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    outcome = serializers.ChoiceField(choices=LineOutcome.choices, read_only=True)
    granted_quantity = serializers.DecimalField(
        max_digits=14, decimal_places=3, read_only=True, allow_null=True
    )
    granted_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )
    criteria = serializers.ListField(child=serializers.CharField(), read_only=True)


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Decision.Outcome.choices,
        read_only=True,
        help_text="granted (the licence is issued, possibly in part: see partial) or refused.",
    )
    partial = serializers.BooleanField(
        read_only=True,
        help_text="A grant that refuses or reduces at least one goods line (see lines).",
    )
    lines = DecisionLineSerializer(many=True, read_only=True)
    conditions = serializers.SerializerMethodField()
    validity_months = serializers.IntegerField(read_only=True, allow_null=True)
    validity_reason = serializers.CharField(
        read_only=True, help_text="Why the validity granted is shorter than requested."
    )
    decided_at = serializers.DateTimeField(read_only=True)
    grounds = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    document_ready = serializers.SerializerMethodField()
    document_status = serializers.SerializerMethodField(
        help_text="ready, being_prepared, or failed (staff are alerted and fix it)."
    )
    document_sha256 = serializers.SerializerMethodField()
    signed = serializers.SerializerMethodField()

    def _document(self, decision: Decision):
        return getattr(decision, "document", None)

    def get_conditions(self, decision: Decision) -> list[str]:
        """The licence's conditions in the decision's language."""
        return [
            c.get(decision.language) or c.get("en", "")
            for c in decision.conditions
            if c.get(decision.language) or c.get("en")
        ]

    def get_document_ready(self, decision: Decision) -> bool:
        return self._document(decision) is not None

    @extend_schema_field(serializers.ChoiceField(choices=["ready", "being_prepared", "failed"]))
    def get_document_status(self, decision: Decision) -> str:
        if self._document(decision) is not None:
            return "ready"
        return "failed" if decision.document_failed_at else "being_prepared"

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
    # The hash chain (README, "Auditors' evidence"): enough to check that an exported history
    # links up, record to record, and which release and lists each step was taken with.
    seq = serializers.IntegerField(
        required=False, help_text="Staff only: position in the file's hash chain, from 1."
    )
    prev_hash = serializers.CharField(
        required=False, help_text="Staff only: the previous record's hash (64 zeros for the first)."
    )
    record_hash = serializers.CharField(
        required=False, help_text="Staff only: HMAC-SHA-256 of this record's canonical content."
    )
    snapshot_hash = serializers.CharField(
        required=False,
        help_text="Staff only: SHA-256 of the file's snapshot after this step (transitions).",
    )
    versions = serializers.JSONField(
        required=False,
        help_text="Staff only: the code release and reference-list versions in force.",
    )

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


class ProvideInformationUploadPayload(ProvideInformationPayload):
    """The reply sent as multipart/form-data, with the documents the request asked for: the
    reply and its files are one action, all stored or nothing (as on the web page)."""

    documents = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        help_text="PDF, PNG or JPEG; repeat the field for several files. One refused file "
        "refuses the whole reply (422 naming it): no document, no reply, no history.",
    )


class ProposedLinePayload(serializers.Serializer):
    goods_item = serializers.IntegerField(help_text="The goods item's id.")
    outcome = serializers.ChoiceField(choices=LineOutcome.choices)
    granted_quantity = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        required=False,
        min_value=Decimal("0"),
        help_text="For reduce: at most the quantity requested.",
    )
    granted_value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        min_value=Decimal("0"),
        help_text="For reduce: at most the value requested.",
    )
    criteria = serializers.ListField(
        child=serializers.CharField(max_length=5),
        required=False,
        default=list,
        max_length=12,
        help_text='For refuse: the criteria the refusal of this line rests on, e.g. ["7"].',
    )


class ProposeDecisionPayload(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    reasons = _text()
    grounds = _text(
        required=False, default="", help_text="Required for a refusal or a refused line."
    )
    lines = ProposedLinePayload(
        many=True,
        required=False,
        max_length=500,
        help_text="Optional: the decision per goods line. A line not named follows the "
        "recommendation as requested.",
    )
    conditions = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        max_length=50,
        help_text="Codes of standard conditions; omitted: the default conditions.",
    )
    conditions_text = _text(
        required=False, default="", help_text="Conditions for this file, one per line."
    )


class CommentPayload(serializers.Serializer):
    comment = _text()


class OptionalCommentPayload(serializers.Serializer):
    comment = _text(required=False, default="")


class ApprovePayload(OptionalCommentPayload):
    validity_months = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=120,
        help_text="Optional: a validity shorter than requested, in months.",
    )
    validity_reason = _text(
        required=False, default="", help_text="Required when the validity is shortened."
    )


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
    "approve": ApprovePayload,
    "refuse": GroundsPayload,
    "withdraw": OptionalReasonPayload,
    "revoke": ReasonPayload,
}

# Transitions that also take files, sent as multipart/form-data (their JSON payload above stays
# valid on its own).
TRANSITION_UPLOAD_PAYLOADS: dict[str, type[serializers.Serializer]] = {
    "provide_information": ProvideInformationUploadPayload,
}

# --- The history feed, from values ------------------------------------------------------------
#
# The feed pages through whole years of records: building a model instance per record (and
# one of its application, with every column) and walking DRF's generic field machinery cost
# about ten times what reading the row costs. The feed reads these values and writes what
# ApplicantHistorySerializer / StaffHistorySerializer write for the same record, field for
# field (tests/api/test_feeds.py checks it); the serializers stay the schema.

HISTORY_FEED_VALUES = (
    "id",
    "application__reference",
    "application__public_id",
    "transition",
    "source_state",
    "target_state",
    "actor_role",
    "created_at",
    "comment",
    "actor__username",
    "payload",
    "seq",
    "prev_hash",
    "record_hash",
    "snapshot_hash",
    "versions",
)


def _datetime_writer():
    """DateTimeField().to_representation for aware datetimes in ISO 8601, without its per-call
    settings look-ups (the request's time zone is taken once); anything else goes to DRF."""
    from rest_framework.settings import api_settings

    field = serializers.DateTimeField()
    zone = field.default_timezone()
    slow = field.to_representation
    if zone is None or (api_settings.DATETIME_FORMAT or "").lower() != "iso-8601":
        return slow

    def write(value):
        if not value or value.tzinfo is None:
            return slow(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def _decimal_writer(*, max_digits: int, decimal_places: int):
    """DecimalField(...).to_representation; a value already at the field's scale (as a numeric
    column of that scale returns it) quantizes to itself, so it is written directly."""
    from rest_framework.settings import api_settings

    field = serializers.DecimalField(max_digits=max_digits, decimal_places=decimal_places)
    slow = field.to_representation
    if not api_settings.COERCE_DECIMAL_TO_STRING:
        return slow
    exponent = -decimal_places
    digits = max_digits

    def write(value):
        if isinstance(value, Decimal):
            _sign, figures, value_exponent = value.as_tuple()
            if value_exponent == exponent and len(figures) <= digits:
                return f"{value:f}"
        return slow(value)

    return write


def history_feed_items(rows, *, staff: bool) -> list[dict]:
    """The feed's items for ``rows`` (dicts of ``HISTORY_FEED_VALUES``), as the audience's
    serializer writes them."""
    time = _datetime_writer()  # the request's time zone, once
    items = []
    for row in rows:
        comment = row["comment"]
        if not staff and row["transition"] in COMMENTS_HIDDEN_FROM_APPLICANT:
            comment = ""
        item = {
            "id": row["id"],
            "application": row["application__reference"] or str(row["application__public_id"]),
            "transition": row["transition"],
            "source_state": row["source_state"],
            "target_state": row["target_state"],
            "actor_role": row["actor_role"],
            "created_at": time(row["created_at"]),
            "comment": comment,
        }
        if staff:
            item["actor"] = row["actor__username"]
            item["payload"] = row["payload"]
            item["seq"] = row["seq"]
            item["prev_hash"] = row["prev_hash"]
            item["record_hash"] = row["record_hash"]
            item["snapshot_hash"] = row["snapshot_hash"]
            item["versions"] = row["versions"]
        items.append(item)
    return items


# --- The applications feed, from values -------------------------------------------------------
#
# The same reasoning as the history feed's, for the list of applications: a page of model
# instances with five prefetches walked through DRF's nested serializers costs ≈ 0.9 ms of CPU
# per application, the rows themselves a few µs. The feed reads values, one query per table
# and page, and writes what ApplicantApplicationSerializer / StaffApplicationSerializer write
# for the same application, field for field, in the same order (tests/api/test_feeds.py checks
# it for staff and applicants); those serializers stay the schema and serve single files.
# Only the serialization is here: which applications, in what order and how they are paged
# stays the list view's queryset and pagination.

APPLICATION_FEED_VALUES = (
    "id",
    "public_id",
    "reference",
    "status",
    "organisation__enterprise_number",
    "organisation__legal_name",
    "kind",
    "regime",
    "licence_type",
    "country_of_origin",
    "country_of_destination",
    "transit_countries",
    "end_use_statement",
    "requested_validity_months",
    "total_value",
    "customs_office_of_export",
    "contract_reference",
    "contract_date",
    "submitted_at",
    "decided_at",
    "created_at",
    "updated_at",
)
# Read for staff only: an applicant's page never even selects them.
APPLICATION_FEED_STAFF_VALUES = (
    "assigned_case_manager__username",
    "recommendation",
    "recommendation_reasons",
    "refusal_grounds",
    "conditions_text",
)
_GOODS_VALUES = (
    "application_id",
    "id",
    "description",
    "control_entry",
    "commodity_code",
    "catch_all_ground",
    "quantity",
    "unit",
    "unit_value",
    "currency",
)
_PARTY_VALUES = ("application_id", "id", "role", "name", "party_type", "address", "country")
_LICENCE_VALUES = (
    "application_id",
    "number",
    "verification_code",
    "licence_type",
    "valid_from",
    "valid_until",
    "status",
    "issued_at",
)
_PROPOSED_LINE_VALUES = (
    "application_id",
    "goods_item_id",
    "outcome",
    "granted_quantity",
    "granted_value",
    "criteria",
)


class _AnyOf(Lookup):
    """``column = ANY(%s)`` with the ids as one array parameter: an ``IN`` of 200 placeholders
    is bound client-side by psycopg on every page (too long for its query cache)."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def _of_applications(queryset, column: str, ids: list[int]):
    if connections[queryset.db].vendor != "postgresql":
        return queryset.filter(**{f"{column}__in": ids})
    return queryset.filter(_AnyOf(F(column), Value(ids, output_field=ArrayField(IntegerField()))))


def application_feed_values(*, staff: bool) -> tuple[str, ...]:
    return APPLICATION_FEED_VALUES + (APPLICATION_FEED_STAFF_VALUES if staff else ())


def _countries(stored: str | list | None) -> list[str]:
    # CountryField(multiple=True) stores "BE,FR"; values() hands over the stored text.
    if not stored:
        return []
    if isinstance(stored, str):
        return stored.split(",")
    return [str(code) for code in stored]


def _by_application(rows) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return grouped


def application_feed_items(rows, *, staff: bool) -> list[dict]:
    """The feed's items for ``rows`` (dicts of ``application_feed_values(staff=...)``), as the
    audience's serializer writes them: a constant number of queries, whatever their number."""
    from ..models import Licence, ProposedLine

    rows = list(rows)
    ids = [row["id"] for row in rows]
    goods = _by_application(
        _of_applications(GoodsItem.objects, "application_id", ids)
        .order_by("id")
        .values_list(*_GOODS_VALUES)
    )
    parties = _by_application(
        _of_applications(Party.objects, "application_id", ids)
        .order_by("role", "id")
        .values_list(*_PARTY_VALUES)
    )
    licences = {
        row[0]: row
        for row in _of_applications(Licence.objects, "application_id", ids).values_list(
            *_LICENCE_VALUES
        )
    }
    if staff:
        lines = _by_application(
            _of_applications(ProposedLine.objects, "application_id", ids)
            .order_by("goods_item_id")
            .values_list(*_PROPOSED_LINE_VALUES)
        )
        conditions = _by_application(
            _of_applications(
                PermitApplication.proposed_conditions.through.objects,
                "permitapplication_id",
                ids,
            ).values_list("permitapplication_id", "standardcondition__code")
        )

    # The fields' own to_representation where the format is theirs (time zone, decimals).
    time = _datetime_writer()
    money = _decimal_writer(max_digits=28, decimal_places=2)
    declared = _decimal_writer(max_digits=14, decimal_places=2)
    quantity = _decimal_writer(max_digits=14, decimal_places=3)
    line = _decimal_writer(max_digits=28, decimal_places=5)
    no_goods: list = []

    def day(value):
        return value.isoformat() if value else None

    def when(value):
        return None if value is None else time(value)

    items = []
    for row in rows:
        pk = row["id"]
        own_goods = goods.get(pk, no_goods)
        value = row["total_value"]
        licence = licences.get(pk)
        item = {
            "id": str(row["public_id"]),
            "reference": row["reference"],
            "status": row["status"],
            "organisation": {
                "enterprise_number": row["organisation__enterprise_number"],
                "legal_name": row["organisation__legal_name"],
            },
            "kind": row["kind"],
            "regime": row["regime"],
            "licence_type": row["licence_type"],
            "country_of_origin": str(row["country_of_origin"]),
            "country_of_destination": str(row["country_of_destination"]),
            "transit_countries": _countries(row["transit_countries"]),
            "end_use_statement": row["end_use_statement"],
            "requested_validity_months": row["requested_validity_months"],
            "total_value": None if value is None else declared(value),
            "customs_office_of_export": row["customs_office_of_export"],
            "contract_reference": row["contract_reference"],
            "contract_date": day(row["contract_date"]),
            "totals": [
                {"amount": money(m.amount.quantize(CENT)), "currency": m.currency.code}
                for m in totals((g[6] * g[8], g[9]) for g in own_goods)
            ],
            "submitted_at": when(row["submitted_at"]),
            "decided_at": when(row["decided_at"]),
            "created_at": time(row["created_at"]),
            "updated_at": time(row["updated_at"]),
            "goods": [
                {
                    "id": g[1],
                    "description": g[2],
                    "control_entry": g[3],
                    "commodity_code": g[4],
                    "catch_all_ground": g[5],
                    "quantity": quantity(g[6]),
                    "unit": g[7],
                    "unit_value": declared(g[8]),
                    "currency": g[9],
                    "line_value": line(g[6] * g[8]),
                }
                for g in own_goods
            ],
            "parties": [
                {
                    "id": p[1],
                    "role": p[2],
                    "name": p[3],
                    "party_type": p[4],
                    "address": p[5],
                    "country": str(p[6]),
                }
                for p in parties.get(pk, no_goods)
            ],
            "licence": None
            if licence is None
            else {
                "number": licence[1],
                "verification_code": licence[2],
                "licence_type": licence[3],
                "valid_from": day(licence[4]),
                "valid_until": day(licence[5]),
                "status": licence[6],
                "issued_at": time(licence[7]),
            },
        }
        if staff:
            item["review"] = {
                "assigned_case_manager": row["assigned_case_manager__username"],
                "recommendation": row["recommendation"],
                "recommendation_reasons": row["recommendation_reasons"],
                "refusal_grounds": row["refusal_grounds"],
                "proposed_lines": [
                    {
                        "goods_item": p[1],
                        "outcome": p[2],
                        "granted_quantity": None if p[3] is None else quantity(p[3]),
                        "granted_value": None if p[4] is None else declared(p[4]),
                        "criteria": [str(c) for c in p[5]],
                    }
                    for p in lines.get(pk, no_goods)
                ],
                "proposed_conditions": sorted(c[1] for c in conditions.get(pk, no_goods)),
                "conditions_text": row["conditions_text"],
            }
        items.append(item)
    return items
