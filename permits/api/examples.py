"""OpenAPI examples of the permits API. Request examples are also run by the schema fuzz test,
so they must be valid requests."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

EXAMPLE_ID = "3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e8c1a40"
EXAMPLE_REFERENCE = "BXL-ML-EXP-2026-000042"

ID_EXAMPLE = OpenApiExample("Public identifier", value=EXAMPLE_ID)
REFERENCE_EXAMPLE = OpenApiExample("Reference number", value=EXAMPLE_REFERENCE)

ORGANISATION = {"enterprise_number": "0403019261", "legal_name": "Optronique Bruxelloise SA"}
GOODS = {
    "description": "Thermal imaging weapon sights",
    "control_entry": "ML15.a",
    "quantity": "10.000",
    "unit": "pieces",
    "unit_value": "25000.00",
    "currency": "EUR",
}
CONSIGNEE = {
    "role": "consignee",
    "name": "Forsvarsmateriell",
    "address": "Postboks 800, 0106 Oslo",
    "country": "NO",
}
DRAFT_FIELDS = {
    "kind": "export",
    "regime": "military",
    "licence_type": "individual",
    "country_of_origin": "BE",
    "country_of_destination": "NO",
    "transit_countries": ["DE", "DK"],
    "end_use_statement": "Armed forces of the Kingdom of Norway, for training use only.",
    "requested_validity_months": 12,
    "total_value": "250000.00",
}
APPLICATION = {
    "id": EXAMPLE_ID,
    "reference": None,
    "status": "draft",
    "organisation": ORGANISATION,
    **DRAFT_FIELDS,
    "submitted_at": None,
    "decided_at": None,
    "created_at": "2026-03-02T09:14:07.512000+01:00",
    "updated_at": "2026-03-02T09:20:44.101000+01:00",
    "goods": [{"id": 17, **GOODS, "line_value": "250000.00000"}],
    "parties": [{"id": 31, **CONSIGNEE}],
    "licence": None,
}

APPLICATION_LIST = OpenApiExample("An application", value=APPLICATION, response_only=True)
DRAFT_CREATE = OpenApiExample(
    "A military export",
    value={k: v for k, v in DRAFT_FIELDS.items()},
    request_only=True,
)
DRAFT_RESPONSE = OpenApiExample("A draft", value=APPLICATION, response_only=True)
DRAFT_UPDATE = OpenApiExample(
    "Change the value and the validity",
    value={"total_value": "275000.00", "requested_validity_months": 18},
    request_only=True,
)
GOODS_ITEM = OpenApiExample("Thermal sights", value=GOODS, request_only=True)
GOODS_LIST = OpenApiExample(
    "Goods", value=[{"id": 17, **GOODS, "line_value": "250000.00000"}], response_only=True
)
GOODS_ITEM_CREATED = OpenApiExample(
    "Added", value={"id": 17, **GOODS, "line_value": "250000.00000"}, response_only=True
)
PARTY = OpenApiExample("Consignee", value=CONSIGNEE, request_only=True)
PARTY_CREATED = OpenApiExample("Added", value={"id": 31, **CONSIGNEE}, response_only=True)
PARTY_LIST = OpenApiExample("Parties", value=[{"id": 31, **CONSIGNEE}], response_only=True)
TRANSITION_LIST = OpenApiExample(
    "A draft's transitions, for its applicant",
    value=[
        {
            "name": "submit",
            "label": "Submit",
            "target": "submitted",
            "href": f"/api/v1/applications/{EXAMPLE_ID}/transitions/submit/",
        },
        {
            "name": "withdraw",
            "label": "Withdraw",
            "target": "withdrawn",
            "href": f"/api/v1/applications/{EXAMPLE_ID}/transitions/withdraw/",
        },
    ],
    response_only=True,
)
HISTORY_PAGE = OpenApiExample(
    "A history record",
    value={
        "id": 118,
        "application": EXAMPLE_REFERENCE,
        "transition": "submit",
        "source_state": "draft",
        "target_state": "submitted",
        "actor_role": "applicant",
        "created_at": "2026-03-02T09:31:12.004000+01:00",
        "comment": "",
        "payload": {"reference": EXAMPLE_REFERENCE},
        "actor": "applicant",
    },
    response_only=True,
)

TRANSITION_PAYLOAD_EXAMPLES = {
    "submit": {},
    "start_review": {},
    "request_information": {"message": "Send the signed end-user certificate."},
    "provide_information": {"reply": "The certificate is attached."},
    "propose_decision": {"recommendation": "grant", "reasons": "Criteria 1 to 8 are met."},
    "return_to_review": {"comment": "Check criterion 7 again."},
    "approve": {"comment": ""},
    "refuse": {"grounds": "Criterion 7: risk of diversion."},
    "withdraw": {"reason": "The contract was cancelled."},
    "revoke": {"reason": "Breach of the end-use condition."},
}


def transition_examples(name: str) -> list[OpenApiExample]:
    return [
        OpenApiExample(
            f"{name} payload", value=TRANSITION_PAYLOAD_EXAMPLES[name], request_only=True
        ),
        OpenApiExample(
            "The application afterwards",
            value={**APPLICATION, "status": "submitted", "reference": EXAMPLE_REFERENCE},
            response_only=True,
        ),
    ]
