"""Usage reports from the holders' own systems (ERP): shipments and returns against a licence,
in bulk, all or nothing, idempotent per the holder's own reference."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ..actions.usage import RETURN, SHIPMENT, usage_report_record
from ..models import Licence
from ..selectors import applications_visible_to
from .customs import LICENCE_NUMBER
from .examples import EXAMPLE_REFERENCE
from .serializers import AmountField

MAX_LINES = 500


class UsageQuantitySerializer(serializers.Serializer):
    line = serializers.IntegerField(
        min_value=1, max_value=10_000, help_text="The licence line's position (1 for the first)."
    )
    quantity = AmountField(max_digits=14, decimal_places=3, help_text="In the line's unit.")


class UsageLineSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[SHIPMENT, RETURN])
    reference = serializers.CharField(
        max_length=100,
        help_text="Your own reference for this line (your system's). Sent again with the "
        "same content, it is not stored twice; with other content, 409.",
    )
    customs_reference = serializers.CharField(
        max_length=60, help_text="The customs declaration (export, or re-import for a return)."
    )
    shipped_on = serializers.DateField(required=False, help_text="Shipments: the date.")
    quantities = UsageQuantitySerializer(
        many=True,
        required=False,
        max_length=200,
        help_text="Shipments: the quantity shipped per licence line.",
    )
    shipment = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2_147_483_647,
        help_text="Returns: the shipment the goods went out with (its id)…",
    )
    shipment_reference = serializers.CharField(
        required=False, max_length=100, help_text="…or your reference of that shipment."
    )
    line = serializers.IntegerField(
        required=False, min_value=1, max_value=10_000, help_text="Returns: the licence line."
    )
    quantity = AmountField(
        max_digits=14, decimal_places=3, required=False, help_text="Returns: the quantity."
    )
    returned_on = serializers.DateField(required=False, help_text="Returns: the date.")

    REQUIRED = {
        SHIPMENT: ("shipped_on", "quantities"),
        RETURN: ("line", "quantity", "returned_on"),
    }

    def validate(self, attrs):
        errors = {
            field: [_("This field is required for this type of line.")]
            for field in self.REQUIRED[attrs["type"]]
            if attrs.get(field) in (None, [])
        }
        if attrs["type"] == SHIPMENT:
            positions = [q["line"] for q in attrs.get("quantities") or []]
            if len(positions) != len(set(positions)):
                errors["quantities"] = [_("Give each licence line once.")]
        elif ("shipment" in attrs) == ("shipment_reference" in attrs):
            errors["shipment"] = [_("Give the shipment or your reference of it, not both.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class UsageReportSerializer(serializers.Serializer):
    lines = UsageLineSerializer(many=True, allow_empty=False, max_length=MAX_LINES)


class UsageOutcomeSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The line's place in the report, from 0.")
    type = serializers.ChoiceField(choices=[SHIPMENT, RETURN])
    reference = serializers.CharField()
    id = serializers.IntegerField(help_text="The shipment's or the return's identifier.")
    stored = serializers.BooleanField(
        help_text="false: an earlier report had stored this reference; nothing changed."
    )


class UsageReportResultSerializer(serializers.Serializer):
    licence = serializers.CharField()
    lines = UsageOutcomeSerializer(many=True)


REPORT_EXAMPLE = {
    "lines": [
        {
            "type": "shipment",
            "reference": "SO-2026-10442",
            "shipped_on": "2026-05-04",
            "customs_reference": "26BE212000EX0004711",
            "quantities": [{"line": 1, "quantity": "2"}],
        },
        {
            "type": "return",
            "reference": "RMA-2026-0077",
            "shipment_reference": "SO-2026-09870",
            "line": 1,
            "quantity": "1",
            "returned_on": "2026-05-06",
            "customs_reference": "26BE212000IM0001234",
        },
    ]
}
RESULT_EXAMPLE = {
    "licence": EXAMPLE_REFERENCE,
    "lines": [
        {"index": 0, "type": "shipment", "reference": "SO-2026-10442", "id": 318, "stored": True},
        {"index": 1, "type": "return", "reference": "RMA-2026-0077", "id": 41, "stored": True},
    ],
}


def _indexed(errors):
    """DRF keys the errors of a list's items by their index; the report names them as the
    rules do, ``lines[1].quantities[0].quantity``, so the errors become lists again."""
    if isinstance(errors, dict):
        if errors and all(isinstance(key, int) for key in errors):
            items = [{} for _ in range(max(errors) + 1)]
            for key, value in errors.items():
                items[key] = _indexed(value)
            return items
        return {key: _indexed(value) for key, value in errors.items()}
    return errors


@extend_schema(tags=["licences"], parameters=[LICENCE_NUMBER])
class UsageReportView(APIView):
    @extend_schema(
        summary="Report shipments and returns against your licence (bulk)",
        description="For the holder's own systems: a list of shipments and returns, recorded "
        "with the same rules as the web forms, all or nothing — one refused line and nothing "
        "is stored. A malformed line: 400 naming it (`lines[2].shipped_on`); a line the rules "
        "refuse (beyond a balance, outside the validity): 422, likewise; a licence that "
        "cannot be used (suspended, replaced…) or a reference already stored with other "
        "content: 409 naming the line. Each line's `reference` is yours: sent again with the "
        "same content it is not stored twice (`stored: false`). Another organisation's "
        "licence: 404.",
        request=UsageReportSerializer,
        responses={
            201: UsageReportResultSerializer,
            200: UsageReportResultSerializer,
        },
        examples=[
            OpenApiExample("A shipment and a return", value=REPORT_EXAMPLE, request_only=True),
            OpenApiExample(
                "Stored", value=RESULT_EXAMPLE, response_only=True, status_codes=["201"]
            ),
            OpenApiExample(
                "Sent again: nothing stored",
                value={
                    **RESULT_EXAMPLE,
                    "lines": [{**line, "stored": False} for line in RESULT_EXAMPLE["lines"]],
                },
                response_only=True,
                status_codes=["200"],
            ),
        ],
    )
    def post(self, request, number):
        licence = self._licence(str(number))
        serializer = UsageReportSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(_indexed(serializer.errors))
        outcomes = usage_report_record(
            licence=licence, actor=request.user, lines=serializer.validated_data["lines"]
        )
        data = UsageReportResultSerializer(
            {
                "licence": licence.number,
                "lines": [
                    {
                        "index": o.index,
                        "type": o.type,
                        "reference": o.reference,
                        "id": o.record.pk,
                        "stored": o.created,
                    }
                    for o in outcomes
                ],
            }
        ).data
        created = any(o.created for o in outcomes)
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _licence(self, number: str) -> Licence:
        licence = (
            Licence.objects.select_related("application__organisation")
            .filter(
                number=number,
                application__in=applications_visible_to(self.request.user),
            )
            .first()
            if "\x00" not in number
            else None
        )
        if licence is None:
            raise NotFound(_("No such licence."))
        return licence
