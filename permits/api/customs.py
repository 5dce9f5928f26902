"""The customs interface: a customs system looks a licence up by its number and decrements a
line for each declaration it clears. Customs accounts reach these views and nothing else
(``config.api.permissions.CustomsScope``); nobody else reaches them."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import What as ReadWhat
from audit.services import staff_read_log
from config.api.errors import PROBLEM_CONTENT_TYPE, problem
from config.api.permissions import CustomsOnly
from config.api.schema import ProblemSerializer

from ..actions.customs import BalanceExceeded, Decrement, LicenceNotUsable, licence_line_decrement
from ..models import Decision, Licence
from ..selectors import licence_balances, licence_conditions
from ..usage_selectors import licence_by_number, licence_line_at
from .examples import EXAMPLE_REFERENCE
from .serializers import AmountField

LICENCE_NUMBER = OpenApiParameter(
    "number",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The licence number, as printed on the licence.",
    examples=[OpenApiExample("Licence number", value=EXAMPLE_REFERENCE)],
)
LINE_POSITION = OpenApiParameter(
    "position",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The line's position on the licence: 1 for its first goods line, as printed "
    "and as `position` in the lookup.",
    examples=[OpenApiExample("First line", value=1)],
)
ACCEPT_LANGUAGE = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="fr, nl or en: the language of the conditions and of the status label.",
    examples=[OpenApiExample("Dutch", value="nl")],
)
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description="`true`: this declaration had already decremented the line; nothing changed.",
)


# --- Serializers ----------------------------------------------------------------------------------


class CustomsHolderSerializer(serializers.Serializer):
    name = serializers.CharField(source="legal_name", read_only=True)
    enterprise_number = serializers.CharField(read_only=True)
    eori_number = serializers.CharField(read_only=True)


class CustomsLineSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True, help_text="1 for the first line.")
    description = serializers.CharField(read_only=True)
    control_entry = serializers.CharField(read_only=True)
    commodity_code = serializers.CharField(read_only=True, help_text="CN code, when declared.")
    unit = serializers.CharField(read_only=True)
    currency = serializers.CharField(read_only=True, help_text="ISO 4217; values are in it.")
    authorised_quantity = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    authorised_value = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    used_quantity = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    used_value = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    remaining_quantity = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    remaining_value = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class CustomsLicenceSerializer(serializers.Serializer):
    number = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(
        choices=Licence.Status.choices,
        read_only=True,
        help_text="Only a valid licence can be decremented.",
    )
    status_label = serializers.CharField(read_only=True, help_text="In the request's language.")
    replaced_by = serializers.CharField(
        read_only=True, allow_null=True, help_text="The licence issued in place of this one."
    )
    holder = CustomsHolderSerializer(read_only=True)
    licence_type = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    country_of_destination = serializers.CharField(read_only=True)
    valid_from = serializers.DateField(read_only=True)
    valid_until = serializers.DateField(read_only=True)
    issued_at = serializers.DateTimeField(read_only=True)
    lines = CustomsLineSerializer(many=True, read_only=True)
    conditions = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="In the request's language."
    )
    language = serializers.CharField(read_only=True)
    document_sha256 = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="SHA-256 of the licence document (PDF) as issued; null while it is prepared.",
    )


class DecrementRequestSerializer(serializers.Serializer):
    declaration_reference = serializers.CharField(
        max_length=60,
        help_text="The customs declaration (MRN). The idempotency key: a declaration "
        "decrements a licence line once. Compared in capitals, spaces around it ignored.",
    )
    declared_on = serializers.DateField(help_text="The date of the declaration.")
    customs_office = serializers.CharField(
        max_length=40, help_text="The customs office's reference number, e.g. BE212000."
    )
    quantity = AmountField(
        max_digits=14,
        decimal_places=3,
        required=False,
        help_text="In the line's unit. Without it, only the value is drawn.",
    )
    value = AmountField(
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text="In the line's currency. Without it, the line's unit value times the quantity.",
    )


class DecrementSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="The decrement's identifier.")
    licence = serializers.CharField(read_only=True)
    line = serializers.IntegerField(read_only=True, help_text="The line's position.")
    declaration_reference = serializers.CharField(read_only=True)
    declared_on = serializers.DateField(read_only=True)
    customs_office = serializers.CharField(read_only=True)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    unit = serializers.CharField(read_only=True)
    currency = serializers.CharField(read_only=True)
    remaining_quantity = serializers.DecimalField(
        max_digits=14, decimal_places=3, read_only=True, help_text="Left after this decrement."
    )
    remaining_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text="Left after this decrement."
    )
    recorded_at = serializers.DateTimeField(read_only=True)


class LicenceRefusalSerializer(ProblemSerializer):
    reason = serializers.ChoiceField(
        choices=["suspended", "revoked", "expired", "replaced", "exhausted"],
        required=False,
        help_text="Why the licence cannot be decremented (a status, or expired by date).",
    )
    replaced_by = serializers.CharField(required=False, allow_null=True)

    class Meta:
        ref_name = "CustomsRefusal"


class BalanceProblemSerializer(ProblemSerializer):
    remaining_quantity = serializers.DecimalField(max_digits=14, decimal_places=3, required=False)
    remaining_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    unit = serializers.CharField(required=False)
    currency = serializers.CharField(required=False)

    class Meta:
        ref_name = "CustomsBalanceProblem"


# --- Examples ----------------------------------------------------------------------------------

LOOKUP_EXAMPLE = {
    "number": EXAMPLE_REFERENCE,
    "status": "valid",
    "status_label": "Valid",
    "replaced_by": None,
    "holder": {
        "name": "Optronique Bruxelloise SA",
        "enterprise_number": "0403019261",
        "eori_number": "BE0403019261",
    },
    "licence_type": "individual",
    "kind": "export",
    "country_of_destination": "NO",
    "valid_from": "2026-04-14",
    "valid_until": "2027-04-13",
    "issued_at": "2026-04-14T11:02:33.000000+02:00",
    "lines": [
        {
            "position": 1,
            "description": "Thermal imaging weapon sights",
            "control_entry": "ML15.a",
            "commodity_code": "90138000",
            "unit": "pieces",
            "currency": "EUR",
            "authorised_quantity": "10.000",
            "authorised_value": "250000.00",
            "used_quantity": "4.000",
            "used_value": "100000.00",
            "remaining_quantity": "6.000",
            "remaining_value": "150000.00",
        }
    ],
    "conditions": ["The goods shall not be re-exported without the prior consent of the Region."],
    "language": "en",
    "document_sha256": "1b7e3c9d2a4f6e8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f2a4b6c8d0e1f3a5b",
}
DECREMENT_REQUEST = {
    "declaration_reference": "26BE212000EX0004711",
    "declared_on": "2026-05-04",
    "customs_office": "BE212000",
    "quantity": "2",
}
DECREMENT_RESPONSE = {
    "id": 812,
    "licence": EXAMPLE_REFERENCE,
    "line": 1,
    "declaration_reference": "26BE212000EX0004711",
    "declared_on": "2026-05-04",
    "customs_office": "BE212000",
    "quantity": "2.000",
    "value": "50000.00",
    "unit": "pieces",
    "currency": "EUR",
    "remaining_quantity": "4.000",
    "remaining_value": "100000.00",
    "recorded_at": "2026-05-04T10:41:07.000000+02:00",
}
REFUSED_EXAMPLE = {
    "type": "https://permits.international.brussels/problems/licence-not-usable",
    "title": "Conflict",
    "status": 409,
    "detail": "Licence BXL-ML-EXP-2026-000042 was replaced by licence BXL-ML-EXP-2026-000057: "
    "decrement BXL-ML-EXP-2026-000057.",
    "reason": "replaced",
    "replaced_by": "BXL-ML-EXP-2026-000057",
}
BALANCE_EXAMPLE = {
    "type": "https://permits.international.brussels/problems/balance-exceeded",
    "title": "Unprocessable content",
    "status": 422,
    "detail": "The decrement exceeds what the licence line has left.",
    "errors": {"quantity": ["7 exceeds the remaining balance of 6 pieces."]},
    "remaining_quantity": "6.000",
    "remaining_value": "150000.00",
    "unit": "pieces",
    "currency": "EUR",
}


# --- Views ----------------------------------------------------------------------------------


class CustomsView(APIView):
    customs_interface = True
    permission_classes = [IsAuthenticated, CustomsOnly]

    def get_licence(self) -> Licence:
        number = str(self.kwargs["number"])
        licence = licence_by_number(number=number) if "\x00" not in number else None
        if licence is None:
            raise NotFound(_("No licence has this number."))
        return licence


def _document_sha256(licence: Licence) -> str | None:
    decision = Decision.objects.filter(application_id=licence.application_id).first()
    document = getattr(decision, "document", None) if decision else None
    return document.sha256 if document is not None else None


def _lookup(licence: Licence) -> dict:
    language = (translation.get_language() or "en")[:2]
    lines = [
        {
            "position": position,
            "description": b["line"].description,
            "control_entry": b["line"].control_entry,
            "commodity_code": b["line"].goods_item.commodity_code,
            "unit": b["line"].unit,
            "currency": b["currency"],
            "authorised_quantity": b["line"].authorised_quantity,
            "authorised_value": b["line"].authorised_value,
            "used_quantity": b["shipped_quantity"],
            "used_value": b["shipped_value"],
            "remaining_quantity": b["remaining_quantity"],
            "remaining_value": b["remaining_value"],
        }
        for position, b in enumerate(licence_balances(licence=licence), start=1)
    ]
    application = licence.application
    return {
        "number": licence.number,
        "status": licence.status,
        "status_label": licence.get_status_display(),
        "replaced_by": licence.replaced_by.number if licence.replaced_by else None,
        "holder": licence.holder,
        "licence_type": licence.licence_type,
        "kind": application.kind,
        "country_of_destination": str(application.country_of_destination or ""),
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "issued_at": licence.issued_at,
        "lines": lines,
        "conditions": licence_conditions(licence=licence, language=language),
        "language": language,
        "document_sha256": _document_sha256(licence),
    }


def _decrement_data(decrement: Decrement) -> dict:
    line = decrement.shipment_line
    shipment = line.shipment
    return {
        "id": line.pk,
        "licence": shipment.licence.number,
        "line": decrement.position,
        "declaration_reference": shipment.customs_reference,
        "declared_on": shipment.shipped_on,
        "customs_office": shipment.customs_office,
        "quantity": line.quantity,
        "value": line.value,
        "unit": line.licence_line.unit,
        "currency": line.licence_line.goods_item.currency,
        "remaining_quantity": decrement.remaining_quantity,
        "remaining_value": decrement.remaining_value,
        "recorded_at": shipment.recorded_at,
    }


@extend_schema(tags=["customs"], parameters=[LICENCE_NUMBER])
class CustomsLicenceView(CustomsView):
    @extend_schema(
        summary="Look a licence up (customs)",
        description="For customs systems: the licence's status, holder, validity, lines with "
        "what remains of each, conditions and the SHA-256 of its document. Any licence of the "
        "Region, whatever its status; customs accounts only.",
        parameters=[ACCEPT_LANGUAGE],
        responses={200: CustomsLicenceSerializer},
        examples=[OpenApiExample("A valid licence", value=LOOKUP_EXAMPLE, response_only=True)],
    )
    def get(self, request, number):
        licence = self.get_licence()
        # Auditors see which customs account read which licence when (the path names it).
        staff_read_log(request, licence.application, ReadWhat.CUSTOMS_LOOKUP)
        return Response(CustomsLicenceSerializer(_lookup(licence)).data)


@extend_schema(tags=["customs"], parameters=[LICENCE_NUMBER, LINE_POSITION])
class CustomsDecrementView(CustomsView):
    @extend_schema(
        summary="Decrement a licence line for a declaration (customs)",
        description="Draws the declared quantity and/or value from the line. The declaration "
        "reference is the idempotency key: sent again with the same content, the first "
        "decrement is returned (200, `Idempotent-Replayed: true`) and nothing is drawn again; "
        "with other figures, 409. Beyond the line's balance: 422 with what remains. On a "
        "suspended, revoked, expired, used-up or replaced licence: 409 naming the reason. "
        "Every decrement is an event in the licence's history, read by the holder and the "
        "auditors.",
        parameters=[REPLAYED],
        request=DecrementRequestSerializer,
        responses={
            201: DecrementSerializer,
            200: OpenApiResponse(
                DecrementSerializer, description="Already decremented by this declaration."
            ),
            (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                LicenceRefusalSerializer,
                description="The licence cannot be decremented (reason), or the declaration "
                "already decremented this line with other figures.",
            ),
            (422, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                BalanceProblemSerializer,
                description="Invalid figures or dates, or beyond the line's balance (with "
                "what remains).",
            ),
        },
        examples=[
            OpenApiExample("A declaration", value=DECREMENT_REQUEST, request_only=True),
            OpenApiExample(
                "Decremented", value=DECREMENT_RESPONSE, response_only=True, status_codes=["201"]
            ),
            OpenApiExample(
                "Already decremented by this declaration",
                value=DECREMENT_RESPONSE,
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "Replaced licence",
                value=REFUSED_EXAMPLE,
                response_only=True,
                status_codes=["409"],
            ),
            OpenApiExample(
                "Beyond the balance",
                value=BALANCE_EXAMPLE,
                response_only=True,
                status_codes=["422"],
            ),
        ],
    )
    def post(self, request, number, position):
        licence = self.get_licence()
        # Matched as text, so that a position that is no number is this API's 404 too.
        number_of_line = int(position) if position.isascii() and position.isdigit() else 0
        line = licence_line_at(licence=licence, position=number_of_line)
        if line is None:
            raise NotFound(_("The licence has no line at this position."))
        serializer = DecrementRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            decrement = licence_line_decrement(
                licence_line=line, actor=request.user, **serializer.validated_data
            )
        except LicenceNotUsable as exc:
            response = problem(409, exc.message, code="licence_not_usable")
            response.data.update(reason=exc.reason, replaced_by=exc.successor)
            return response
        except BalanceExceeded as exc:
            response = problem(
                422,
                _("The decrement exceeds what the licence line has left."),
                code="balance_exceeded",
                errors={k: [str(m) for m in v] for k, v in exc.errors.items()},
            )
            response.data.update(
                remaining_quantity=f"{exc.remaining_quantity:.3f}",
                remaining_value=f"{exc.remaining_value:.2f}",
                unit=exc.line.unit,
                currency=exc.line.goods_item.currency,
            )
            return response
        data = DecrementSerializer(_decrement_data(decrement)).data
        if decrement.created:
            return Response(data, status=status.HTTP_201_CREATED)
        return Response(data, status=status.HTTP_200_OK, headers={"Idempotent-Replayed": "true"})
