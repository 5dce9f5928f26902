from __future__ import annotations

import pytest

from permits import actions
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def in_review(organisation, people, **kwargs):
    return advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"], **kwargs),
        "under_review",
        **people,
    )


def test_the_case_manager_fills_the_worksheet_and_it_is_recorded(organisation, people):
    application = in_review(organisation, people)

    line = actions.criterion_assess(
        application=application,
        actor=people["case_manager"],
        code="2",
        assessment="weighed",
        note="Reports reviewed.",
    )
    again = actions.criterion_assess(
        application=application, actor=people["case_manager"], code="2", assessment="not_engaged"
    )

    assert line.pk == again.pk and again.assessment == "not_engaged"
    assert application.history.filter(transition="criterion_assessed").count() == 2


def test_a_military_file_uses_the_eight_criteria(organisation, people):
    application = in_review(organisation, people)

    with pytest.raises(TransitionGuardFailed) as error:
        actions.criterion_assess(
            application=application, actor=people["case_manager"], code="DU3", assessment="weighed"
        )

    assert "1, 2, 3, 4, 5, 6, 7, 8" in error.value.errors["code"][0]


def test_a_dual_use_file_uses_the_regulations_considerations(organisation, people):
    from tests.factories import GoodsItemFactory

    application = ApplicationFactory(
        organisation=organisation, created_by=people["applicant"], regime="dual_use", complete=False
    )
    GoodsItemFactory(application=application, control_entry="5A002.a")
    from tests.factories import PartyFactory

    PartyFactory(application=application, role="consignee")
    PartyFactory(application=application, role="end_user")
    application = advance(application, "under_review", **people)

    line = actions.criterion_assess(
        application=application,
        actor=people["case_manager"],
        code="DU3",
        assessment="refusal_ground",
        note="Diversion.",
    )

    assert line.framework == "du2021"


def test_a_ground_for_refusal_needs_a_note(organisation, people):
    application = in_review(organisation, people)

    with pytest.raises(TransitionGuardFailed) as error:
        actions.criterion_assess(
            application=application,
            actor=people["case_manager"],
            code="7",
            assessment="refusal_ground",
        )

    assert list(error.value.errors) == ["note"]


def test_others_cannot_fill_the_worksheet(organisation, people, second_case_manager, auditor):
    application = in_review(organisation, people)

    for outsider in (second_case_manager, auditor, people["applicant"], people["head"]):
        with pytest.raises(TransitionForbidden):
            actions.criterion_assess(
                application=application, actor=outsider, code="1", assessment="weighed"
            )


def test_the_worksheet_is_closed_once_decided(organisation, people):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "issued",
        **people,
    )

    with pytest.raises((TransitionConflict, TransitionForbidden)):
        actions.criterion_assess(
            application=application, actor=people["case_manager"], code="1", assessment="weighed"
        )
