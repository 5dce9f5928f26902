"""The whole role × transition matrix: each transition is allowed for exactly its roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from permits import actions, selectors
from permits.models import PermitApplication
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance, mark_refusal_ground, record_government_decision
from workflow.exceptions import TransitionForbidden

pytestmark = pytest.mark.django_db

ACTORS = [
    "applicant",
    "other_applicant",
    "case_manager",
    "second_case_manager",
    "head",
    "auditor",
    "system",
]

# transition: (state it starts from, actors allowed, payload)
MATRIX = {
    "submit": ("draft", {"applicant"}, {}),
    "start_review": ("submitted", {"case_manager", "second_case_manager", "head"}, {}),
    "request_information": ("under_review", {"case_manager"}, {"message": "EUC please."}),
    "provide_information": ("information_requested", {"applicant"}, {"reply": "Attached."}),
    "propose_decision": (
        "under_review",
        {"case_manager"},
        {"recommendation": "grant", "reasons": "All in order."},
    ),
    "return_to_review": ("pending_approval", {"head"}, {"comment": "Check the end user."}),
    "approve": ("pending_approval", {"head"}, {}),
    "refuse": ("pending_approval", {"head"}, {"grounds": "Criterion 1."}),
    "withdraw": ("submitted", {"applicant"}, {}),
    "revoke": ("issued", {"head"}, {"reason": "End-use breach."}),
    "expire": ("issued", {"system"}, {}),
    "lapse": ("information_requested", {"system"}, {}),
}


def test_the_matrix_covers_every_transition_of_the_state_machine():
    declared = {
        t.name
        for t in PermitApplication._meta.get_field("status").get_all_transitions(PermitApplication)
    }
    assert declared == set(MATRIX) == set(actions.TRANSITION_ACTIONS)


@pytest.fixture
def cast(applicant, other_applicant, case_manager, second_case_manager, head, auditor):
    return {
        "applicant": applicant,
        "other_applicant": other_applicant,
        "case_manager": case_manager,
        "second_case_manager": second_case_manager,
        "head": head,
        "auditor": auditor,
        "system": None,
    }


def _prepare(transition, cast, organisation):
    state, allowed, payload = MATRIX[transition]
    application = ApplicationFactory(organisation=organisation, created_by=cast["applicant"])
    application = advance(
        application,
        state,
        applicant=cast["applicant"],
        case_manager=cast["case_manager"],
        head=cast["head"],
    )
    payload = dict(payload)
    if transition == "refuse":
        mark_refusal_ground(application, cast["case_manager"])
        record_government_decision(application, cast["head"], "refused")
    if transition == "approve":
        record_government_decision(application, cast["head"], "granted")
    if transition == "expire":
        payload["today"] = application.licence.valid_until + timedelta(days=1)
    if transition == "lapse":
        payload["today"] = timezone.localdate() + timedelta(days=61)
    return application, allowed, payload


def _call(transition, application, actor_name, cast, payload):
    actor = cast[actor_name]
    kwargs = dict(payload)
    if transition == "start_review" and actor_name == "head":
        kwargs["case_manager"] = cast["case_manager"]
    return actions.TRANSITION_ACTIONS[transition](application=application, actor=actor, **kwargs)


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("transition", list(MATRIX))
def test_transition_is_allowed_exactly_for_its_roles(transition, actor_name, cast, organisation):
    application, allowed, payload = _prepare(transition, cast, organisation)
    state_before = application.status
    history_before = application.history.state_changes().count()

    if actor_name in allowed:
        result = _call(transition, application, actor_name, cast, payload)
        assert result.status != state_before
        assert application.history.state_changes().count() == history_before + 1
    else:
        with pytest.raises(TransitionForbidden):
            _call(transition, application, actor_name, cast, payload)
        application.refresh_from_db()
        assert application.status == state_before
        assert application.history.state_changes().count() == history_before


@pytest.mark.parametrize("actor_name", ACTORS)
def test_available_transitions_match_the_matrix(actor_name, cast, organisation):
    """What a user is offered (buttons, the API's list) agrees with what the services allow."""
    for transition, (state, allowed, _payload) in MATRIX.items():
        if transition in ("expire", "lapse"):
            continue
        application, _, _ = _prepare(transition, cast, organisation)
        offered = {
            t.name for t in application.get_available_user_status_transitions(cast[actor_name])
        }
        assert (transition in offered) == (actor_name in allowed), (transition, state)


def test_applicants_see_only_their_organisations_applications(cast, organisation):
    own = ApplicationFactory(organisation=organisation, created_by=cast["applicant"])
    other_org = cast["other_applicant"].applicant_organisations.get()
    theirs = ApplicationFactory(organisation=other_org, created_by=cast["other_applicant"])

    assert list(selectors.applications_visible_to(cast["applicant"])) == [own]
    assert list(selectors.applications_visible_to(cast["other_applicant"])) == [theirs]


def test_staff_see_submitted_files_but_not_drafts(cast, organisation):
    draft = ApplicationFactory(organisation=organisation, created_by=cast["applicant"])
    submitted = advance(
        ApplicationFactory(organisation=organisation, created_by=cast["applicant"]),
        "submitted",
        applicant=cast["applicant"],
        case_manager=None,
        head=None,
    )

    for role in ("case_manager", "head", "auditor"):
        visible = set(selectors.applications_visible_to(cast[role]))
        assert submitted in visible and draft not in visible


def test_a_user_without_a_role_sees_nothing(organisation, cast):
    from tests.factories import UserFactory

    ApplicationFactory(organisation=organisation, created_by=cast["applicant"])
    nobody = UserFactory(username="nobody")

    assert not selectors.applications_visible_to(nobody).exists()


def test_an_inactive_member_loses_access(organisation, cast):
    ApplicationFactory(organisation=organisation, created_by=cast["applicant"])
    cast["applicant"].is_active = False
    cast["applicant"].save()

    assert not selectors.applications_visible_to(cast["applicant"]).exists()


def test_applicants_never_see_the_internal_assessment_in_the_history(cast, organisation):
    from permits import selectors

    application = advance(
        ApplicationFactory(organisation=organisation, created_by=cast["applicant"]),
        "under_review",
        applicant=cast["applicant"],
        case_manager=cast["case_manager"],
        head=cast["head"],
    )
    actions.criterion_assess(
        application=application,
        actor=cast["case_manager"],
        code="7",
        assessment="refusal_ground",
        note="Intelligence report on diversion.",
    )

    seen_by_applicant = {
        r.transition
        for r in selectors.application_history(application=application, user=cast["applicant"])
    }
    seen_by_auditor = {
        r.transition
        for r in selectors.application_history(application=application, user=cast["auditor"])
    }

    assert "criterion_assessed" not in seen_by_applicant
    assert "screening" not in seen_by_applicant
    assert {"criterion_assessed", "screening"} <= seen_by_auditor
