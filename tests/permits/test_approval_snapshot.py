"""The approval's history record keeps the file as it stands after the approval. The approval
builds that snapshot from the rows it read under the file's lock and the rows it wrote (issue
14: it no longer reads the whole file again): it must be the very snapshot a fresh read of
the file gives, field for field, whatever the file holds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import yaml

from permits import actions
from permits.compliance.reference import reference_list_load
from permits.snapshots import application_snapshot
from tests.factories import ApplicationFactory, DocumentFactory, GoodsItemFactory, PartyFactory
from tests.workflow_helpers import advance, assess_all_criteria, record_government_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def embargoes(tmp_path):
    rows = [
        {
            "country": "RU",
            "scope": "full",
            "legal_act": "Decision 2014/512",
            "starts_on": date(2014, 7, 31),
        },
        {
            "country": "IQ",
            "scope": "non_state_actors",
            "legal_act": "CP 2003/495",
            "starts_on": date(2003, 7, 7),
        },
    ]
    path = tmp_path / "embargoes.yaml"
    data = {"version": "E-SNAP", "published_on": date(2026, 1, 1), "source": "test"}
    path.write_text(yaml.safe_dump({**data, "embargoes": rows}))
    return reference_list_load(kind="embargoes", path=path)[0]


def approved_as_read_afresh(application, head):
    """The approval's stored snapshot, and the file's snapshot read afresh right after it (the
    decision's document is produced after commit, which a test's transaction never reaches)."""
    application = actions.application_approve(
        application=record_government_decision(application, head, "granted"), actor=head
    )
    record = application.history.get(transition="approve")
    return record.snapshot, application_snapshot(application=application)


def test_a_file_with_a_cleared_flag_a_warning_and_a_superseded_document(
    embargoes, organisation, people
):
    application = ApplicationFactory(
        organisation=organisation, created_by=people["applicant"], country_of_destination="RU"
    )
    # An Iraqi state end-user: the non-state embargo on Iraq is a warning, not a block.
    PartyFactory(application=application, role="end_user", country="IQ", party_type="government")
    first = DocumentFactory(application=application, uploaded_by=people["applicant"])
    DocumentFactory(application=application, supersedes=first, uploaded_by=people["applicant"])
    application = advance(application, "under_review", **people)
    blocking = application.screening_flags.get(severity="blocking")
    actions.screening_flag_clear(
        flag=blocking, actor=people["case_manager"], justification="Exempted, art. 2(3)."
    )
    application = actions.application_propose_decision(
        application=assess_all_criteria(application, people["case_manager"]),
        actor=people["case_manager"],
        recommendation="grant",
        reasons="In order.",
    )

    stored, fresh = approved_as_read_afresh(application, people["head"])

    flags = stored["screening"]["flags"].values()
    assert {flag["severity"] for flag in flags} == {"blocking", "warning"}
    assert any(flag["cleared_at"] for flag in flags)
    assert any(document["supersedes"] for document in stored["documents"].values())
    assert stored == fresh


def test_a_partial_grant_with_conditions_and_odd_amounts(organisation, people):
    application = ApplicationFactory(
        organisation=organisation, created_by=people["applicant"], complete=False
    )
    sights = GoodsItemFactory(
        application=application, quantity=Decimal("7.5"), unit_value=Decimal("333.33")
    )
    cameras = GoodsItemFactory(application=application, description="Night-vision cameras")
    PartyFactory(application=application, role="consignee")
    PartyFactory(application=application, role="end_user")
    application = advance(application, "under_review", **people)
    assess_all_criteria(application, people["case_manager"])
    application = actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="grant",
        reasons="The cameras' end user is not verified.",
        grounds="The end user of the cameras could not be verified.",
        lines=[
            {"goods_item": sights.pk, "outcome": "reduce", "granted_quantity": Decimal("3.3")},
            {"goods_item": cameras.pk, "outcome": "refuse", "criteria": ["7"]},
        ],
        conditions=["delivery-verification"],
        conditions_text="Delivery to the depot only.",
    )

    stored, fresh = approved_as_read_afresh(application, people["head"])

    assert stored["decision"]["partial"] == "True"
    assert len(stored["licence"]["lines"]) == 1
    assert stored["proposed_conditions"]
    assert stored == fresh


def test_a_file_approved_without_any_reference_list(organisation, people):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "pending_approval",
        **people,
    )

    stored, fresh = approved_as_read_afresh(application, people["head"])

    assert stored["screening"]["run"]["occasion"] == "pre_decision"
    assert stored == fresh
