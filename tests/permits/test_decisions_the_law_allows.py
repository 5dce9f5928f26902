"""Decisions the law allows (issue 11): criteria that bind a grant, decisions per goods line,
conditions and the validity granted — through the actions, the web pages and the API."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from permits import actions, selectors
from permits.decisions.rendering import render_decision
from permits.models import Decision, Licence, PermitApplication, StandardCondition
from tests.api.conftest import client_for as api_client
from tests.factories import ApplicationFactory, GoodsItemFactory, PartyFactory
from tests.workflow_helpers import advance, assess_all_criteria, mark_refusal_ground
from workflow.exceptions import TransitionGuardFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def military_import(organisation, applicant, **kwargs):
    """A military import: the head of unit decides it (no Government decision to record)."""
    return ApplicationFactory(
        organisation=organisation, created_by=applicant, kind="import", **kwargs
    )


def under_review(organisation, people, **kwargs):
    return advance(
        military_import(organisation, people["applicant"], **kwargs), "under_review", **people
    )


def assess(application, actor, code, assessment, note=""):
    actions.criterion_assess(
        application=application, actor=actor, code=code, assessment=assessment, note=note
    )


def pdf_text(decision: Decision) -> str:
    data = render_decision(decision, signed=False)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def transition_url(application, name) -> str:
    return reverse("permits:application_transition", args=[application.url_key, name])


def api_url(application, name) -> str:
    return f"/api/v1/applications/{application.url_key}/transitions/{name}/"


# --- Criteria that bind -----------------------------------------------------------------------


def test_a_grant_with_criterion_2_as_a_ground_for_refusal_is_refused_naming_it(
    organisation, people
):
    application = advance(
        military_import(organisation, people["applicant"]), "pending_approval", **people
    )
    assess(application, people["head"], "2", "refusal_ground", "Serious violations reported.")

    with pytest.raises(TransitionGuardFailed) as refused:
        actions.application_approve(application=application, actor=people["head"])

    assert "Criterion 2" in " ".join(refused.value.errors["criteria"])
    application.refresh_from_db()
    assert application.status == "pending_approval"
    assert not Licence.objects.filter(application=application).exists()
    assert not Decision.objects.filter(application=application).exists()
    assert not application.history.filter(transition="approve").exists()


def test_a_grant_the_criteria_refuse_leaves_no_screening_behind(organisation, people):
    application = advance(
        military_import(organisation, people["applicant"]), "pending_approval", **people
    )
    assess(application, people["head"], "2", "refusal_ground", "Serious violations reported.")
    screenings = application.history.filter(transition="screening").count()

    with pytest.raises(TransitionGuardFailed):
        actions.application_approve(application=application, actor=people["head"])

    assert application.history.filter(transition="screening").count() == screenings
    assert not application.screenings.filter(occasion="pre_decision").exists()


def test_a_military_grant_with_an_unassessed_criterion_is_refused_naming_it(organisation, people):
    application = under_review(organisation, people)
    for code in ("1", "2", "3", "4", "5", "6", "7"):
        assess(application, people["case_manager"], code, "not_engaged")
    actions.application_propose_decision(
        application=application, actor=people["case_manager"], recommendation="grant", reasons="Ok"
    )

    with pytest.raises(TransitionGuardFailed) as refused:
        actions.application_approve(application=application, actor=people["head"])

    assert refused.value.errors["criteria"] == [
        "Criterion 8 (Compatibility with the technical and economic capacity of the recipient "
        "country) has not been assessed."
    ]


def test_a_weighed_criterion_marked_as_a_ground_for_refusal_does_not_bind(organisation, people):
    application = advance(
        military_import(organisation, people["applicant"]), "pending_approval", **people
    )
    mark_refusal_ground(application, people["head"])  # criterion 7: weighed, not binding

    assert actions.application_approve(application=application, actor=people["head"]).status == (
        "issued"
    )


def test_the_regimes_that_need_every_criterion_are_a_setting(organisation, people, settings):
    settings.DECISION_CRITERIA_REQUIRED = {"military": False}
    application = under_review(organisation, people)
    actions.application_propose_decision(
        application=application, actor=people["case_manager"], recommendation="grant", reasons="Ok"
    )

    assert actions.application_approve(application=application, actor=people["head"]).status == (
        "issued"
    )


def test_the_web_approval_refuses_a_binding_criterion_and_names_it(organisation, people):
    application = advance(
        military_import(organisation, people["applicant"]), "pending_approval", **people
    )
    assess(application, people["head"], "2", "refusal_ground", "Serious violations reported.")

    response = web(people["head"]).post(transition_url(application, "approve"), {"comment": ""})

    assert response.status_code == 400
    assert "Criterion 2" in response.content.decode()
    assert PermitApplication.objects.get(pk=application.pk).status == "pending_approval"


def test_the_api_approval_refuses_a_binding_criterion_and_names_it(organisation, people):
    application = advance(
        military_import(organisation, people["applicant"]), "pending_approval", **people
    )
    assess(application, people["head"], "2", "refusal_ground", "Serious violations reported.")

    response = api_client(people["head"]).post(api_url(application, "approve"), {}, format="json")

    assert response.status_code == 422
    assert "Criterion 2" in " ".join(response.json()["errors"]["criteria"])


def test_the_head_reads_the_worksheet_beside_the_approve_button(organisation, people):
    application = advance(
        military_import(organisation, people["applicant"]), "pending_approval", **people
    )
    assess(application, people["head"], "2", "refusal_ground", "Serious violations reported.")

    page = web(people["head"]).get(
        reverse("permits:application_detail", args=[application.url_key])
    )
    approvals = web(people["head"]).get(reverse("permits:approvals"))

    html = page.content.decode()
    assert html.index('class="proposal"') < html.index("action-approve")
    assert "Criterion 2 (" in html
    assert "8 of 8 assessed" in approvals.content.decode()
    assert "Cannot be granted as it stands" in approvals.content.decode()


# --- Decisions per goods line -----------------------------------------------------------------


def two_lines(organisation, people):
    application = military_import(organisation, people["applicant"], complete=False)
    sights = GoodsItemFactory(application=application, quantity=Decimal("80"))
    cameras = GoodsItemFactory(
        application=application, description="Night-vision cameras", control_entry="ML15.b"
    )
    PartyFactory(application=application, role="consignee")
    PartyFactory(application=application, role="end_user")
    application = advance(application, "under_review", **people)
    return assess_all_criteria(application, people["case_manager"]), sights, cameras


def test_a_partial_decision_issues_exactly_the_granted_lines_and_a_letter_of_the_refused(
    organisation, people
):
    application, sights, cameras = two_lines(organisation, people)
    actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="grant",
        reasons="The cameras' end user is not verified.",
        grounds="The end user of the cameras could not be verified.",
        lines=[
            {"goods_item": sights.pk, "outcome": "reduce", "granted_quantity": Decimal("40")},
            {"goods_item": cameras.pk, "outcome": "refuse", "criteria": ["7"]},
        ],
    )

    application = actions.application_approve(application=application, actor=people["head"])

    assert application.status == "issued"
    decision = application.decision
    assert (decision.outcome, decision.partial) == ("granted", True)
    lines = list(application.licence.lines.values_list("goods_item", "authorised_quantity"))
    assert lines == [(sights.pk, Decimal("40"))]
    assert application.licence.lines.get().authorised_value == Decimal("1000000.00")
    text = pdf_text(decision)
    assert "Night-vision cameras" in text
    # In the holder's language (the factory's organisations speak French).
    assert "7 — Risque de détournement" in " ".join(text.split())
    assert "40 pièces" in text and "80 pièces" not in text.split("Biens refusés")[0]


def test_a_duplicated_line_can_be_struck_so_the_quantity_is_not_doubled(organisation, people):
    application = military_import(organisation, people["applicant"], complete=False)
    first = GoodsItemFactory(application=application, quantity=Decimal("40"))
    duplicate = GoodsItemFactory(application=application, quantity=Decimal("40"))
    PartyFactory(application=application, role="consignee")
    PartyFactory(application=application, role="end_user")
    application = assess_all_criteria(
        advance(application, "under_review", **people), people["case_manager"]
    )
    actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="grant",
        reasons="The second line repeats the first: 40 sights are needed, not 80.",
        grounds="The second line duplicates the first; the excess risks diversion.",
        lines=[{"goods_item": duplicate.pk, "outcome": "refuse", "criteria": ["7"]}],
    )

    licence = actions.application_approve(application=application, actor=people["head"]).licence

    assert [(line.goods_item_id, line.authorised_quantity) for line in licence.lines.all()] == [
        (first.pk, Decimal("40"))
    ]


def test_a_line_is_never_granted_more_than_requested(organisation, people):
    application, sights, _cameras = two_lines(organisation, people)

    with pytest.raises(TransitionGuardFailed) as refused:
        actions.application_propose_decision(
            application=application,
            actor=people["case_manager"],
            recommendation="grant",
            reasons="More.",
            lines=[{"goods_item": sights.pk, "outcome": "reduce", "granted_quantity": 81}],
        )

    assert "Thermal imaging sights" in refused.value.errors["lines[1].granted_quantity"][0]
    assert PermitApplication.objects.get(pk=application.pk).status == "under_review"


def test_a_refused_line_cites_its_criteria(organisation, people):
    application, _sights, cameras = two_lines(organisation, people)

    with pytest.raises(TransitionGuardFailed) as refused:
        actions.application_propose_decision(
            application=application,
            actor=people["case_manager"],
            recommendation="grant",
            reasons="No cameras.",
            grounds="Unverified end user.",
            lines=[{"goods_item": cameras.pk, "outcome": "refuse"}],
        )

    assert list(refused.value.errors) == ["lines[1].criteria"]


def test_a_grant_that_refuses_every_line_is_a_refusal(organisation, people):
    application, sights, cameras = two_lines(organisation, people)

    with pytest.raises(TransitionGuardFailed) as refused:
        actions.application_propose_decision(
            application=application,
            actor=people["case_manager"],
            recommendation="grant",
            reasons="Nothing.",
            grounds="Unverified end user.",
            lines=[
                {"goods_item": sights.pk, "outcome": "refuse", "criteria": ["7"]},
                {"goods_item": cameras.pk, "outcome": "refuse", "criteria": ["7"]},
            ],
        )

    assert "recommend a refusal" in refused.value.errors["lines"][0]


def test_a_refusal_letter_lists_every_refused_line_with_its_criteria(organisation, people):
    application, _sights, _cameras = two_lines(organisation, people)
    mark_refusal_ground(application, people["case_manager"])
    actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="refuse",
        reasons="Diversion risk.",
        grounds="The end user could not be verified.",
    )

    application = actions.application_refuse(
        application=application, actor=people["head"], grounds="Risk of diversion."
    )

    decision = application.decision
    assert [(line["outcome"], line["criteria"]) for line in decision.lines] == [
        ("refuse", ["7"]),
        ("refuse", ["7"]),
    ]
    text = pdf_text(decision)
    assert "Thermal imaging sights" in text and "Night-vision cameras" in text


def test_a_proposal_without_lines_grants_every_line_as_requested(organisation, people):
    application, sights, cameras = two_lines(organisation, people)
    actions.application_propose_decision(
        application=application, actor=people["case_manager"], recommendation="grant", reasons="Ok"
    )

    application = actions.application_approve(application=application, actor=people["head"])

    assert application.decision.partial is False
    assert sorted(application.licence.lines.values_list("goods_item", "authorised_quantity")) == [
        (sights.pk, Decimal("80")),
        (cameras.pk, Decimal("10")),
    ]


def test_returning_the_proposal_discards_its_lines(organisation, people):
    application, _sights, cameras = two_lines(organisation, people)
    actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="grant",
        reasons="No cameras.",
        grounds="Unverified end user.",
        lines=[{"goods_item": cameras.pk, "outcome": "refuse", "criteria": ["7"]}],
    )

    actions.application_return_to_review(
        application=application, actor=people["head"], comment="Grant the cameras."
    )

    assert not application.proposed_lines.exists()


def test_the_case_manager_proposes_per_line_on_the_web_page(organisation, people):
    application, sights, cameras = two_lines(organisation, people)

    response = web(people["case_manager"]).post(
        transition_url(application, "propose_decision"),
        {
            "recommendation": "grant",
            "reasons": "Fewer sights.",
            "grounds": "Unverified end user of the cameras.",
            f"line_{sights.pk}_outcome": "reduce",
            f"line_{sights.pk}_quantity": "40",
            f"line_{cameras.pk}_outcome": "refuse",
            f"line_{cameras.pk}_criteria": ["7", "8"],
            "conditions": ["no-reexport"],
            "conditions_text": "Deliver to the Oslo depot only.",
        },
    )

    assert response.status_code == 302
    proposed = {line.goods_item_id: line for line in application.proposed_lines.all()}
    assert proposed[sights.pk].granted_quantity == Decimal("40")
    assert proposed[cameras.pk].criteria == ["7", "8"]
    assert [c.code for c in application.proposed_conditions.all()] == ["no-reexport"]


def test_the_api_proposal_carries_lines(organisation, people):
    application, sights, cameras = two_lines(organisation, people)

    response = api_client(people["case_manager"]).post(
        api_url(application, "propose_decision"),
        {
            "recommendation": "grant",
            "reasons": "Fewer sights.",
            "grounds": "Unverified end user of the cameras.",
            "lines": [
                {"goods_item": sights.pk, "outcome": "reduce", "granted_value": "500000.00"},
                {"goods_item": cameras.pk, "outcome": "refuse", "criteria": ["7"]},
            ],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    decision = actions.application_approve(application=application, actor=people["head"]).decision
    body = api_client(people["applicant"]).get(
        f"/api/v1/applications/{application.url_key}/decision/"
    )
    assert body.json()["partial"] is True
    assert [line["outcome"] for line in body.json()["lines"]] == ["reduce", "refuse"]
    assert decision.lines[0]["granted_value"] == "500000.00"


# --- Conditions -------------------------------------------------------------------------------


def test_conditions_chosen_are_printed_in_the_holders_language(organisation, people):
    organisation.language = "nl"
    organisation.save()
    application, _sights, _cameras = two_lines(organisation, people)
    actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="grant",
        reasons="Ok",
        conditions=["delivery-verification"],
        conditions_text="Levering enkel aan het depot in Oslo.",
    )

    licence = actions.application_approve(application=application, actor=people["head"]).licence

    texts = selectors.licence_conditions(licence=licence, language="nl")
    assert texts == [
        StandardCondition.objects.get(code="delivery-verification").text_nl,
        "Levering enkel aan het depot in Oslo.",
    ]
    assert "leveringsverificatiecertificaat" in pdf_text(licence.application.decision)


def test_a_proposal_that_names_no_condition_carries_the_default_ones(organisation, people):
    application = advance(
        military_import(organisation, people["applicant"]), "pending_approval", **people
    )

    licence = actions.application_approve(application=application, actor=people["head"]).licence

    assert [c["code"] for c in licence.application.decision.conditions] == [
        "no-reexport",
        "report-use",
    ]


def test_an_inactive_condition_cannot_be_proposed(organisation, people):
    StandardCondition.objects.filter(code="report-use").update(active=False)
    application = assess_all_criteria(under_review(organisation, people), people["case_manager"])

    with pytest.raises(TransitionGuardFailed) as refused:
        actions.application_propose_decision(
            application=application,
            actor=people["case_manager"],
            recommendation="grant",
            reasons="Ok",
            conditions=["report-use"],
        )

    assert "report-use" in refused.value.errors["conditions"][0]


def test_the_head_of_unit_edits_standard_conditions_in_the_admin(head):
    head.is_staff = True
    head.save()
    permissions = set(
        Group.objects.get(name="head_of_unit").permissions.values_list("codename", flat=True)
    )

    response = web(head).get(reverse("admin:permits_standardcondition_changelist"))

    assert {"add_standardcondition", "change_standardcondition"} <= permissions
    assert response.status_code == 200


# --- Validity ---------------------------------------------------------------------------------


def test_48_months_requested_are_refused_at_the_draft_with_the_maximum_named(
    organisation, applicant
):
    with pytest.raises(TransitionGuardFailed) as refused:
        actions.application_create_draft(
            organisation=organisation,
            actor=applicant,
            kind="export",
            regime="military",
            requested_validity_months=48,
        )

    assert "at most 36 months" in refused.value.errors["requested_validity_months"][0]
    assert not PermitApplication.objects.exists()


def test_48_months_are_refused_on_the_web_draft_form(organisation, applicant):
    draft = military_import(organisation, applicant)

    response = web(applicant).post(
        reverse("permits:draft_step", args=[draft.url_key, "request"]),
        {
            "kind": "import",
            "regime": "military",
            "licence_type": "individual",
            "country_of_origin": "BE",
            "end_use_statement": "Training.",
            "requested_validity_months": "48",
            "total_value": "1000",
        },
    )

    assert response.status_code == 400
    assert "at most 36 months" in response.content.decode()
    assert PermitApplication.objects.get(pk=draft.pk).requested_validity_months == 12


def test_48_months_are_refused_by_the_api(organisation, applicant):
    draft = military_import(organisation, applicant)
    client = api_client(applicant)
    etag = client.get(f"/api/v1/applications/{draft.url_key}/")["ETag"]

    response = client.patch(
        f"/api/v1/applications/{draft.url_key}/",
        {"requested_validity_months": 48},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 422
    assert "at most 36 months" in response.json()["errors"]["requested_validity_months"][0]


def test_the_head_shortens_the_validity_with_a_reason(organisation, people):
    application = advance(
        military_import(organisation, people["applicant"], requested_validity_months=24),
        "pending_approval",
        **people,
    )

    application = actions.application_approve(
        application=application,
        actor=people["head"],
        validity_months=6,
        validity_reason="The end-user certificate expires in six months.",
    )

    licence = application.licence
    assert licence.valid_until == licence.valid_from + relativedelta(months=6, days=-1)
    decision = application.decision
    assert (decision.validity_months, decision.validity_reason) == (
        6,
        "The end-user certificate expires in six months.",
    )
    payload = application.history.get(transition="approve").payload
    assert (payload["validity_months"], payload["validity_reason"]) == (
        6,
        "The end-user certificate expires in six months.",
    )


@pytest.mark.parametrize(
    ("months", "reason", "field"),
    [(6, "", "validity_reason"), (30, "Longer.", "validity_months")],
)
def test_the_validity_is_shortened_only_with_a_reason_and_never_lengthened(
    organisation, people, months, reason, field
):
    application = advance(
        military_import(organisation, people["applicant"], requested_validity_months=24),
        "pending_approval",
        **people,
    )

    with pytest.raises(TransitionGuardFailed) as refused:
        actions.application_approve(
            application=application,
            actor=people["head"],
            validity_months=months,
            validity_reason=reason,
        )

    assert list(refused.value.errors) == [field]
    assert not Licence.objects.filter(application=application).exists()


def test_the_head_reads_the_proposal_in_the_api_and_the_applicant_does_not(organisation, people):
    application, _sights, cameras = two_lines(organisation, people)
    actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="grant",
        reasons="No cameras.",
        grounds="Unverified end user.",
        lines=[{"goods_item": cameras.pk, "outcome": "refuse", "criteria": ["7"]}],
    )
    url = f"/api/v1/applications/{application.url_key}/"

    staff = api_client(people["head"]).get(url).json()
    applicant = api_client(people["applicant"]).get(url).json()

    assert [line["outcome"] for line in staff["review"]["proposed_lines"]] == ["grant", "refuse"]
    assert staff["review"]["proposed_conditions"] == ["no-reexport", "report-use"]
    assert "review" not in applicant
    assert "proposed_lines" not in str(applicant)
