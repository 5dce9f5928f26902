from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from permits import actions
from permits.models import Licence, PermitApplication
from tests.factories import ApplicationFactory, GoodsItemFactory, UserFactory
from tests.workflow_helpers import (
    advance,
    assess_all_criteria,
    mark_refusal_ground,
    record_government_decision,
)
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed
from workflow.models import CaseTask, TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(organisation, applicant):
    return ApplicationFactory(organisation=organisation, created_by=applicant)


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def test_submit_assigns_a_reference_of_regime_kind_year_and_sequence(draft, applicant):
    submitted = actions.application_submit(application=draft, actor=applicant)

    year = timezone.localdate().year
    assert submitted.status == "submitted"
    assert submitted.reference == f"BXL-ML-EXP-{year}-000001"
    assert submitted.submitted_at is not None


def test_submit_refreshes_the_callers_instance(draft, applicant):
    actions.application_submit(application=draft, actor=applicant)

    assert draft.status == "submitted"


def test_dual_use_import_reference_uses_du_and_imp_codes(organisation, applicant):
    application = ApplicationFactory(
        organisation=organisation,
        created_by=applicant,
        regime="dual_use",
        kind="import",
        complete=False,
    )
    GoodsItemFactory(application=application, control_entry="5A002.a")
    from tests.factories import PartyFactory

    PartyFactory(application=application, role="consignee")
    PartyFactory(application=application, role="end_user")

    submitted = actions.application_submit(application=application, actor=applicant)

    assert submitted.reference.startswith("BXL-DU-IMP-")


def test_references_are_sequential_within_the_year(organisation, applicant):
    first, second = (
        ApplicationFactory(organisation=organisation, created_by=applicant) for _ in range(2)
    )
    a = actions.application_submit(application=first, actor=applicant)
    b = actions.application_submit(application=second, actor=applicant)

    assert int(a.reference[-6:]) + 1 == int(b.reference[-6:])


def test_submit_opens_an_unassigned_review_task_for_case_managers(draft, applicant):
    actions.application_submit(application=draft, actor=applicant)

    task = CaseTask.objects.open().get(application=draft)
    assert (task.kind, task.candidate_role, task.assignee) == ("review", "case_manager", None)
    assert task.due_at > timezone.now()


def test_submit_names_every_missing_field(organisation, applicant):
    empty = ApplicationFactory(
        organisation=organisation,
        created_by=applicant,
        complete=False,
        country_of_destination="",
        end_use_statement="",
        total_value=None,
    )

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_submit(application=empty, actor=applicant)

    assert set(error.value.errors) == {
        "country_of_destination",
        "end_use_statement",
        "total_value",
        "goods",
        "parties",
    }
    assert error.value.errors["parties"] == ["A consignee is required.", "An end-user is required."]
    empty.refresh_from_db()
    assert empty.status == "draft" and empty.reference is None


def test_submit_refuses_a_control_entry_of_another_regime(draft, applicant):
    GoodsItemFactory(application=draft, control_entry="5A002.a")

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_submit(application=draft, actor=applicant)

    assert "goods[2].control_entry" in error.value.errors
    assert "Military List" in error.value.errors["goods[2].control_entry"][0]


def test_goods_item_add_refuses_a_malformed_entry_naming_the_field(draft, applicant):
    with pytest.raises(TransitionGuardFailed) as error:
        actions.goods_item_add(
            application=draft,
            actor=applicant,
            description="Rifles",
            control_entry="ML99",
            quantity=1,
            unit_value=1,
        )

    assert list(error.value.errors) == ["control_entry"]


def test_goods_item_add_normalises_the_entry(draft, applicant):
    item = actions.goods_item_add(
        application=draft,
        actor=applicant,
        description="Rifles",
        control_entry=" ml1.A ",
        quantity=1,
        unit_value=1,
    )

    assert item.control_entry == "ML1.a"


def test_a_non_member_cannot_edit_a_draft(draft, other_applicant):
    with pytest.raises(TransitionForbidden):
        actions.application_update_draft(
            application=draft, actor=other_applicant, end_use_statement="Mine now"
        )


def test_a_submitted_application_cannot_be_edited(draft, applicant):
    actions.application_submit(application=draft, actor=applicant)

    with pytest.raises(TransitionConflict):
        actions.application_update_draft(
            application=draft, actor=applicant, end_use_statement="Changed"
        )


def test_create_draft_requires_membership(organisation, other_applicant):
    with pytest.raises(TransitionForbidden):
        actions.application_create_draft(
            organisation=organisation, actor=other_applicant, kind="export", regime="military"
        )


def test_create_draft_validates_fields(organisation, applicant):
    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_create_draft(
            organisation=organisation, actor=applicant, kind="smuggle", regime="military"
        )

    assert "kind" in error.value.errors


def test_start_review_assigns_the_file_to_the_case_manager(draft, people):
    application = advance(draft, "under_review", **people)

    assert application.assigned_case_manager == people["case_manager"]
    task = CaseTask.objects.open().get(application=application)
    assert task.assignee == people["case_manager"] and task.claimed_at is not None


def test_head_assigns_a_named_case_manager(draft, people, head, second_case_manager):
    advance(draft, "submitted", **people)

    application = actions.application_start_review(
        application=draft, actor=head, case_manager=second_case_manager
    )

    assert application.assigned_case_manager == second_case_manager
    record = application.history.last()
    assert record.actor == head and record.payload["case_manager_id"] == second_case_manager.pk


def test_head_who_is_not_a_case_manager_must_name_one(draft, people, head):
    advance(draft, "submitted", **people)

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_start_review(application=draft, actor=head)

    assert "case_manager" in error.value.errors


def test_head_cannot_assign_someone_who_is_not_a_case_manager(draft, people, head, auditor):
    advance(draft, "submitted", **people)

    with pytest.raises(TransitionGuardFailed):
        actions.application_start_review(application=draft, actor=head, case_manager=auditor)


def test_case_manager_cannot_assign_a_colleague(draft, people, second_case_manager):
    advance(draft, "submitted", **people)

    with pytest.raises(TransitionForbidden):
        actions.application_start_review(
            application=draft, actor=people["case_manager"], case_manager=second_case_manager
        )


def test_request_information_requires_a_message(draft, people):
    application = advance(draft, "under_review", **people)

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_request_information(
            application=application, actor=people["case_manager"], message="   "
        )

    assert list(error.value.errors) == ["message"]


def test_information_request_hands_the_file_to_the_applicant(draft, people):
    application = advance(draft, "information_requested", **people)

    task = CaseTask.objects.open().get(application=application)
    assert (task.kind, task.candidate_role) == ("provide_information", "applicant")
    assert application.history.last().comment == "Send the end-user certificate."


def test_provide_information_returns_the_file_to_its_case_manager(draft, people):
    application = advance(draft, "information_requested", **people)

    application = actions.application_provide_information(
        application=application, actor=people["applicant"], reply="Attached, signed."
    )

    assert application.status == "under_review"
    task = CaseTask.objects.open().get(application=application)
    assert (task.kind, task.assignee) == ("review", people["case_manager"])


def test_provide_information_requires_a_reply(draft, people):
    application = advance(draft, "information_requested", **people)

    with pytest.raises(TransitionGuardFailed):
        actions.application_provide_information(
            application=application, actor=people["applicant"], reply=""
        )


def test_proposed_refusal_requires_grounds_and_a_criterion(draft, people):
    application = advance(draft, "under_review", **people)

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_propose_decision(
            application=application,
            actor=people["case_manager"],
            recommendation="refuse",
            reasons="Diversion risk.",
        )

    assert set(error.value.errors) == {"grounds", "criteria"}


def test_proposed_refusal_with_a_criterion_on_the_worksheet_goes_to_the_head(draft, people):
    application = mark_refusal_ground(
        advance(draft, "under_review", **people), people["case_manager"]
    )

    application = actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="refuse",
        reasons="Diversion risk.",
        grounds="Criterion 7.",
    )

    assert application.status == "pending_approval"


def test_a_refusal_records_the_criteria_it_rests_on(draft, people):
    application = advance(draft, "refused", **people)

    assert application.decision.criteria == ["7"]


def test_proposal_requires_a_known_recommendation_and_reasons(draft, people):
    application = advance(draft, "under_review", **people)

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_propose_decision(
            application=application,
            actor=people["case_manager"],
            recommendation="maybe",
            reasons="",
        )

    assert set(error.value.errors) == {"recommendation", "reasons"}


def test_proposal_opens_an_approval_task_for_the_head(draft, people):
    application = advance(draft, "pending_approval", **people)

    task = CaseTask.objects.open().get(application=application)
    assert (task.kind, task.candidate_role) == ("approve", "head_of_unit")
    assert application.recommendation == "grant"


def test_return_to_review_requires_a_comment_and_clears_the_proposal(draft, people):
    application = advance(draft, "pending_approval", **people)
    with pytest.raises(TransitionGuardFailed):
        actions.application_return_to_review(
            application=application, actor=people["head"], comment=""
        )

    application = actions.application_return_to_review(
        application=application, actor=people["head"], comment="Check the end user again."
    )

    assert application.status == "under_review"
    assert application.recommendation == ""
    assert CaseTask.objects.open().get(application=application).assignee == people["case_manager"]


def test_approval_issues_a_licence_with_its_validity(draft, people):
    application = advance(draft, "issued", **people)

    licence = Licence.objects.get(application=application)
    assert licence.number == application.reference
    assert licence.holder == application.organisation
    assert licence.valid_from == timezone.localdate()
    assert licence.valid_until == licence.valid_from.replace(
        year=licence.valid_from.year + 1
    ) - timedelta(days=1)
    assert not CaseTask.objects.open().filter(application=application).exists()


def test_licence_validity_is_capped_for_dual_use(draft, settings):
    draft.regime = "dual_use"
    draft.requested_validity_months = 60
    start = timezone.localdate().replace(month=1, day=1)

    _valid_from, valid_until = actions.licence_validity(draft, start)

    assert valid_until == start.replace(year=start.year + 2) - timedelta(days=1)


def test_refusal_requires_grounds(draft, people):
    application = advance(draft, "pending_approval", **people)

    with pytest.raises(TransitionGuardFailed):
        actions.application_refuse(application=application, actor=people["head"], grounds=" ")


def test_refusal_records_the_grounds_and_issues_no_licence(draft, people):
    application = advance(draft, "refused", **people)

    assert application.refusal_grounds == "Criterion 7: risk of diversion."
    assert not Licence.objects.filter(application=application).exists()


@pytest.mark.parametrize("decision", ["approve", "refuse"])
def test_four_eyes_a_head_who_reviewed_the_file_cannot_decide_it(draft, applicant, decision):
    head_and_case_manager = UserFactory(username="dual", roles=["head_of_unit", "case_manager"])
    people = {"applicant": applicant, "case_manager": head_and_case_manager, "head": None}
    application = advance(draft, "pending_approval", **people)

    with pytest.raises(TransitionForbidden, match="Four-eyes"):
        actions.TRANSITION_ACTIONS[decision](
            application=application,
            actor=head_and_case_manager,
            **({"grounds": "Criterion 2."} if decision == "refuse" else {}),
        )
    application.refresh_from_db()
    assert application.status == "pending_approval"


def test_four_eyes_covers_an_earlier_reviewer_of_the_case(draft, applicant, head):
    earlier = UserFactory(username="earlier", roles=["head_of_unit", "case_manager"])
    later = UserFactory(username="later", roles=["case_manager"])
    application = advance(
        draft, "information_requested", applicant=applicant, case_manager=earlier, head=head
    )
    application = actions.application_provide_information(
        application=application, actor=applicant, reply="Here."
    )
    application.assigned_case_manager = later  # reassigned by an operator
    PermitApplication.objects.filter(pk=application.pk).update(assigned_case_manager=later)
    actions.application_propose_decision(
        application=assess_all_criteria(application, later),
        actor=later,
        recommendation="grant",
        reasons="Fine.",
    )

    record_government_decision(application, head, "granted")
    with pytest.raises(TransitionForbidden, match="Four-eyes"):
        actions.application_approve(application=application, actor=earlier)
    assert actions.application_approve(application=application, actor=head).status == "issued"


@pytest.mark.parametrize("state", ["draft", "submitted", "under_review", "information_requested"])
def test_applicant_can_withdraw_until_a_decision_is_proposed(draft, people, state):
    application = advance(draft, state, **people)

    application = actions.application_withdraw(application=application, actor=people["applicant"])

    assert application.status == "withdrawn"
    assert not CaseTask.objects.open().filter(application=application).exists()


def test_withdrawal_is_refused_once_pending_approval(draft, people):
    application = advance(draft, "pending_approval", **people)

    with pytest.raises(TransitionConflict):
        actions.application_withdraw(application=application, actor=people["applicant"])


def test_revocation_requires_a_reason_and_revokes_the_licence(draft, people):
    application = advance(draft, "issued", **people)
    with pytest.raises(TransitionGuardFailed):
        actions.application_revoke(application=application, actor=people["head"], reason="")

    application = actions.application_revoke(
        application=application, actor=people["head"], reason="End-use breach."
    )

    assert application.status == "revoked"
    assert application.licence.status == "revoked"


def test_expiry_is_refused_while_the_licence_is_valid(draft, people):
    application = advance(draft, "issued", **people)

    with pytest.raises(TransitionGuardFailed):
        actions.application_expire(application=application, today=application.licence.valid_until)


def test_expiry_after_the_validity_expires_the_licence(draft, people):
    application = advance(draft, "expired", **people)

    assert application.status == "expired"
    assert application.licence.status == "expired"
    record = application.history.last()
    assert (record.actor, record.actor_role) == (None, "system")


def test_every_transition_appends_one_record_with_actor_and_role(draft, people):
    application = advance(draft, "issued", **people)

    rows = list(
        application.history.state_changes().values_list(
            "transition", "source_state", "target_state", "actor_role"
        )
    )
    assert rows == [
        ("submit", "draft", "submitted", "applicant"),
        ("start_review", "submitted", "under_review", "case_manager"),
        ("propose_decision", "under_review", "pending_approval", "case_manager"),
        ("approve", "pending_approval", "issued", "head_of_unit"),
    ]


def test_a_transition_that_fails_midway_leaves_no_trace(draft, people):
    """The licence number is taken: the approval fails after the state change and rolls back."""
    application = record_government_decision(
        advance(draft, "pending_approval", **people), people["head"], "granted"
    )
    other = advance(
        ApplicationFactory(organisation=application.organisation, created_by=people["applicant"]),
        "issued",
        **people,
    )
    Licence.objects.filter(pk=other.licence.pk).update(number=application.reference)
    records_before = TransitionRecord.objects.state_changes().count()

    with pytest.raises(IntegrityError):
        actions.application_approve(application=application, actor=people["head"])

    application.refresh_from_db()
    assert application.status == "pending_approval"
    assert application.decided_at is None
    assert TransitionRecord.objects.state_changes().count() == records_before
    assert CaseTask.objects.open().get(application=application).kind == "approve"


def test_a_failed_submission_does_not_consume_a_reference_number(organisation, applicant):
    year = timezone.localdate().year
    # A number already taken outside the counter (say, imported from the old spreadsheets)
    # makes the submission fail after the number was drawn.
    legacy = ApplicationFactory(organisation=organisation, created_by=applicant)
    PermitApplication.objects.filter(pk=legacy.pk).update(reference=f"BXL-ML-EXP-{year}-000001")
    blocked = ApplicationFactory(organisation=organisation, created_by=applicant)
    with pytest.raises(IntegrityError):
        actions.application_submit(application=blocked, actor=applicant)
    PermitApplication.objects.filter(pk=legacy.pk).update(reference="LEGACY-1")

    submitted = actions.application_submit(application=blocked, actor=applicant)

    assert submitted.reference == f"BXL-ML-EXP-{year}-000001"
    assert TransitionRecord.objects.filter(application=blocked).state_changes().count() == 1


def test_submit_requires_the_end_user_certificate_of_a_military_export(organisation, applicant):
    application = ApplicationFactory(
        organisation=organisation, created_by=applicant, documents=False
    )

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_submit(application=application, actor=applicant)

    assert error.value.errors == {"documents": ["Upload the end-user certificate."]}


def test_a_military_import_needs_no_end_user_certificate(organisation, applicant):
    application = ApplicationFactory(
        organisation=organisation,
        created_by=applicant,
        kind="import",
        country_of_origin="US",
        documents=False,
    )

    assert actions.application_submit(application=application, actor=applicant).reference


def test_an_arms_export_needs_a_valid_federal_prior_authorisation(applicant):
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(
        members=[applicant],
        federal_authorisation_valid_until=timezone.localdate() - timedelta(days=1),
    )
    application = ApplicationFactory(organisation=organisation, created_by=applicant)

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_submit(application=application, actor=applicant)

    assert list(error.value.errors) == ["organisation"]
    assert "expired" in error.value.errors["organisation"][0]


def test_an_arms_import_needs_no_federal_prior_authorisation(applicant):
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(
        members=[applicant],
        federal_authorisation_reference="",
        federal_authorisation_valid_until=None,
    )
    application = ApplicationFactory(
        organisation=organisation, created_by=applicant, kind="import", country_of_origin="US"
    )

    assert actions.application_submit(application=application, actor=applicant).reference


def test_the_system_cannot_assign_a_file_and_is_refused_cleanly(
    organisation, applicant, case_manager
):
    """Found by the workflow model: no actor and a named case manager was an AttributeError."""
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    actions.application_submit(application=application, actor=applicant)

    with pytest.raises(TransitionForbidden):
        actions.application_start_review(
            application=application, actor=None, case_manager=case_manager
        )
