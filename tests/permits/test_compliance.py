"""Screening, flags and consultations, with dated reference data written by each test."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from permits import actions
from permits.compliance.models import Consultation, ReferenceList, ScreeningFlag
from permits.compliance.names import normalise_name
from permits.compliance.reference import ReferenceDataError, reference_list_load
from permits.control_lists import control_entry_error
from tests.factories import ApplicationFactory, OrganisationFactory, PartyFactory
from tests.workflow_helpers import advance, record_government_decision
from workflow.exceptions import TransitionForbidden, TransitionGuardFailed

pytestmark = pytest.mark.django_db

SCREENED_ON = date(2026, 3, 2)


def write_list(tmp_path: Path, kind: str, version: str, rows: list[dict], **extra) -> Path:
    key = {"embargoes": "embargoes", "denials": "denials", "control_list": "entries"}[kind]
    data = {"version": version, "published_on": date(2026, 1, 1), "source": "test", key: rows}
    data.update(extra)
    path = tmp_path / f"{kind}-{version}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


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
            "country": "VE",
            "scope": "full",
            "legal_act": "Decision 2017/2074",
            "starts_on": date(2017, 11, 13),
            "ends_on": date(2026, 1, 10),
        },
        {
            "country": "BY",
            "scope": "full",
            "legal_act": "Decision 2012/642",
            "starts_on": date(2011, 6, 20),
        },
    ]
    return reference_list_load(
        kind="embargoes", path=write_list(tmp_path, "embargoes", "E1", rows)
    )[0]


@pytest.fixture
def denials(tmp_path):
    rows = [
        {
            "number": "FR-2025-001",
            "notifying_state": "FR",
            "notified_on": date(2025, 3, 12),
            "destination": "AE",
            "consignee_name": "Société Générale d'Armement S.A.",
            "end_user_name": "Gulf Tactical Logistics LLC",
            "control_entries": ["ML1.a"],
            "criteria": ["7"],
            "status": "in_force",
        },
        {
            "number": "NL-2022-014",
            "notifying_state": "NL",
            "notified_on": date(2022, 6, 1),
            "destination": "AE",
            "consignee_name": "Desert Optics Trading",
            "control_entries": ["ML15.d"],
            "criteria": ["4"],
            "status": "in_force",
        },
    ]
    return reference_list_load(kind="denials", path=write_list(tmp_path, "denials", "D1", rows))[0]


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def screen(application, day=SCREENED_ON):
    return actions.application_screen(application=application, occasion="manual", today=day)


def draft_to(organisation, applicant, destination="NO", regime="military", **kwargs):
    return ApplicationFactory(
        organisation=organisation,
        created_by=applicant,
        country_of_destination=destination,
        regime=regime,
        **kwargs,
    )


def test_names_compare_without_accents_case_punctuation_order_or_legal_form():
    assert normalise_name("Société Générale d'Armement S.A.") == normalise_name(
        "SOCIETE GENERALE D ARMEMENT"
    )
    assert normalise_name("Armement Générale Société GmbH") == normalise_name(
        "societe generale armement"
    )


def test_a_destination_under_embargo_on_the_screening_date_is_a_blocking_flag(
    embargoes, organisation, applicant
):
    application = draft_to(organisation, applicant, destination="RU")

    run = screen(application)

    flag = run.flags.get()
    assert (flag.kind, flag.severity) == ("embargo", "blocking")
    assert "Russia" in flag.explanation


def test_an_embargo_that_ended_before_the_screening_date_is_not_flagged(
    embargoes, organisation, applicant
):
    application = draft_to(organisation, applicant, destination="VE")

    assert not screen(application, day=date(2026, 1, 11)).flags.exists()
    assert screen(application, day=date(2026, 1, 10)).flags.exists()


def test_transit_and_end_user_countries_are_screened_too(embargoes, organisation, applicant):
    application = draft_to(organisation, applicant, destination="NO", transit_countries=["BY"])
    application.parties.filter(role="end_user").update(country="RU")

    countries = {f.details["country"] for f in screen(application).flags.all()}

    assert countries == {"BY", "RU"}


def test_an_embargo_hit_on_dual_use_goods_is_a_warning(embargoes, organisation, applicant):
    application = draft_to(organisation, applicant, destination="RU", regime="dual_use")

    assert screen(application).flags.get().severity == "warning"


def test_a_differently_spelled_party_matches_a_denial_and_opens_a_consultation(
    denials, organisation, applicant
):
    application = draft_to(organisation, applicant, destination="AE")
    PartyFactory(
        application=application,
        role="intermediary",
        name="SOCIETE GENERALE D ARMEMENT",
        country="AE",
    )

    flag = screen(application).flags.get(kind="denial")

    assert flag.details["notice"] == "FR-2025-001"
    assert flag.details["score"] >= 88
    consultation = Consultation.objects.get(application=application)
    assert consultation.counterpart_country.code == "FR"
    assert consultation.denial_notice.number == "FR-2025-001"


def test_a_denial_older_than_three_years_no_longer_matches(denials, organisation, applicant):
    application = draft_to(organisation, applicant, destination="AE")
    PartyFactory(
        application=application, role="consignee", name="Desert Optics Trading", country="AE"
    )

    assert screen(application, day=date(2025, 5, 31)).flags.filter(kind="denial").exists()
    assert not screen(application, day=date(2025, 6, 1)).flags.filter(kind="denial").exists()


def test_an_unrelated_party_does_not_match(denials, organisation, applicant):
    application = draft_to(organisation, applicant, destination="AE")
    PartyFactory(
        application=application, role="consignee", name="Emirates Flight Academy", country="AE"
    )

    assert not screen(application).flags.filter(kind="denial").exists()


def test_a_seat_outside_the_region_is_flagged(applicant):
    organisation = OrganisationFactory(members=[applicant], address="Grote Markt 1\n2000 Antwerpen")
    application = draft_to(organisation, applicant)

    assert screen(application).flags.get().key == "eligibility:seat"


def test_the_screening_records_the_reference_versions_it_used(
    embargoes, denials, organisation, applicant
):
    run = screen(draft_to(organisation, applicant))

    assert run.versions == {"embargoes": "E1", "denials": "D1"}
    assert run.application.history.filter(transition="screening").exists()


def test_submission_screens_the_application(embargoes, organisation, applicant):
    application = draft_to(organisation, applicant, destination="RU")

    actions.application_submit(application=application, actor=applicant)

    assert application.screenings.get().occasion == "submission"


def test_approval_is_refused_while_a_consultation_is_open(denials, organisation, people):
    application = draft_to(organisation, people["applicant"], destination="AE")
    PartyFactory(
        application=application,
        role="intermediary",
        name="Societe Generale d'Armement",
        country="AE",
    )
    application = record_government_decision(
        advance(application, "pending_approval", **people), people["head"], "granted"
    )
    flag = application.screening_flags.get(kind="denial")
    actions.screening_flag_clear(
        flag=flag,
        actor=people["case_manager"],
        justification="Different company, verified with the KBO of the Emirates.",
    )

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_approve(application=application, actor=people["head"])

    assert list(error.value.errors) == ["consultations"]
    actions.consultation_record_answer(
        consultation=application.consultations.get(),
        actor=people["case_manager"],
        answer="France has no objection.",
    )
    assert (
        actions.application_approve(application=application, actor=people["head"]).status
        == "issued"
    )


def test_approval_is_refused_while_a_blocking_flag_is_uncleared(embargoes, organisation, people):
    application = advance(
        draft_to(organisation, people["applicant"], destination="BY"), "pending_approval", **people
    )

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_approve(application=application, actor=people["head"])

    assert "Belarus" in error.value.errors["screening"][0]
    application.refresh_from_db()
    assert application.status == "pending_approval"
    assert application.screenings.filter(occasion="pre_decision").exists()


def test_clearing_a_flag_needs_a_justification_and_the_case_manager(
    embargoes, organisation, people, second_case_manager
):
    application = advance(
        draft_to(organisation, people["applicant"], destination="RU"), "under_review", **people
    )
    flag = application.screening_flags.get()

    with pytest.raises(TransitionForbidden):
        actions.screening_flag_clear(flag=flag, actor=second_case_manager, justification="x")
    with pytest.raises(TransitionGuardFailed):
        actions.screening_flag_clear(flag=flag, actor=people["case_manager"], justification=" ")
    cleared = actions.screening_flag_clear(
        flag=flag,
        actor=people["case_manager"],
        justification="Humanitarian demining exemption, art. 2(3).",
    )

    assert cleared.cleared_by == people["case_manager"]
    assert application.history.get(transition="flag_cleared").comment.startswith("Humanitarian")


def test_a_cleared_flag_stays_cleared_when_screened_again(embargoes, organisation, people):
    application = advance(
        draft_to(organisation, people["applicant"], destination="RU"), "under_review", **people
    )
    actions.screening_flag_clear(
        flag=application.screening_flags.get(),
        actor=people["case_manager"],
        justification="Exempted.",
    )

    again = screen(application).flags.get()

    assert again.cleared_at is not None and again.clearance_justification == "Exempted."


def test_loading_the_same_version_again_changes_nothing(tmp_path):
    path = write_list(tmp_path, "embargoes", "E9", [])

    first, created = reference_list_load(kind="embargoes", path=path)
    again, created_again = reference_list_load(kind="embargoes", path=path)

    assert created and not created_again and first.pk == again.pk


def test_a_changed_list_under_the_same_version_is_refused(tmp_path):
    reference_list_load(kind="embargoes", path=write_list(tmp_path, "embargoes", "E9", []))
    changed = write_list(tmp_path, "embargoes", "E9", [], source="edited")

    with pytest.raises(ReferenceDataError):
        reference_list_load(kind="embargoes", path=changed)


def test_a_new_version_becomes_the_current_one(tmp_path):
    reference_list_load(kind="embargoes", path=write_list(tmp_path, "embargoes", "E1", []))
    reference_list_load(kind="embargoes", path=write_list(tmp_path, "embargoes", "E2", []))

    assert ReferenceList.objects.get(kind="embargoes", is_current=True).version == "E2"


def test_an_unknown_control_entry_names_the_closest_valid_ones(db):
    reference_list_load(kind="control_list")

    error = control_entry_error("5A099", "dual_use")

    assert "5A001" in error and "5A002" in error
    assert control_entry_error("ML4.b.2", "military") is None
    assert control_entry_error("5A002.a", "dual_use") is None


def test_the_shipped_reference_data_loads(db):
    for kind in ReferenceList.Kind.values:
        reference_list, created = reference_list_load(kind=kind)
        assert created and reference_list.is_current
    assert ScreeningFlag.objects.count() == 0


def test_entries_are_checked_whatever_their_case_and_spacing(db):
    reference_list_load(kind="control_list")

    assert control_entry_error(" ml10.A ", "military") is None
    assert control_entry_error("5a002.A", "dual_use") is None


def test_the_daily_sweep_marks_denials_lapsed_after_three_years(denials):
    from permits.compliance.models import DenialNotice

    assert actions.denial_notices_lapse(today=date(2025, 5, 31)) == 0
    assert actions.denial_notices_lapse(today=date(2025, 6, 1)) == 1

    assert DenialNotice.objects.get(number="NL-2022-014").status == "lapsed"
    assert DenialNotice.objects.get(number="FR-2025-001").status == "in_force"


def test_a_case_manager_consults_the_federal_services_and_the_clock_pauses(organisation, people):
    application = advance(draft_to(organisation, people["applicant"]), "under_review", **people)
    due_before = application.decision_due_on

    consultation = actions.consultation_open(
        application=application,
        actor=people["case_manager"],
        counterpart="federal",
        subject="Is the end user known to the federal services?",
    )

    application.refresh_from_db()
    assert consultation.is_open and application.decision_due_on is None
    assert due_before is not None
    actions.consultation_record_answer(
        consultation=consultation, actor=people["case_manager"], answer="Not known."
    )
    application.refresh_from_db()
    assert application.decision_due_on is not None


def test_opening_a_consultation_is_checked(organisation, people, second_case_manager):
    application = advance(draft_to(organisation, people["applicant"]), "under_review", **people)

    with pytest.raises(TransitionForbidden):
        actions.consultation_open(
            application=application, actor=second_case_manager, counterpart="federal", subject="x"
        )
    with pytest.raises(TransitionGuardFailed) as error:
        actions.consultation_open(
            application=application, actor=people["case_manager"], counterpart="oracle", subject=""
        )
    assert set(error.value.errors) == {"counterpart", "subject"}
