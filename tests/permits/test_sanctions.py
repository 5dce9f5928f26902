"""Persons and entities on sanctions lists: the EU and UN XML importers, and every party
screened against them with the denials' normalised fuzzy matching."""

from __future__ import annotations

from datetime import date

import pytest

from permits import actions
from permits.compliance.models import SanctionedParty
from permits.compliance.reference import (
    DATA_DIR,
    ReferenceDataError,
    loaded_counts,
    reference_list_load,
)
from permits.compliance.sanctions import parse_eu_list, parse_un_list
from tests.factories import ApplicationFactory, PartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sanctions(db):
    return (
        reference_list_load(kind="sanctions_eu")[0],
        reference_list_load(kind="sanctions_un")[0],
    )


def test_the_eu_sample_reads_entries_names_and_programme():
    parsed = parse_eu_list((DATA_DIR / "sanctions_eu_sample.xml").read_bytes())

    first = parsed.parties[0]
    assert parsed.published_on == date(2026, 11, 20)
    assert (first.reference, first.subject_type, first.programme) == (
        "EU.9001.01",
        "entity",
        "DEMO",
    )
    assert first.name == "Northwind Precision Arms Trading LLC" and first.aliases == ["NPAT"]


def test_the_un_sample_reads_individuals_and_entities():
    parsed = parse_un_list((DATA_DIR / "sanctions_un_sample.xml").read_bytes())

    assert [(p.reference, p.subject_type) for p in parsed.parties] == [
        ("XXi.001", "person"),
        ("XXe.001", "entity"),
    ]
    assert parsed.parties[0].name == "KAREL DEMONSTRAV"


def test_loading_a_sanctions_list_reports_its_entries(sanctions):
    eu, un = sanctions

    assert loaded_counts(eu) == {"sanctions_eu": 2}
    assert SanctionedParty.objects.filter(reference_list=un).count() == 2


def test_a_file_that_is_not_the_published_layout_is_refused(tmp_path, db):
    path = tmp_path / "wrong.xml"
    path.write_bytes(b"<export><sanctionEntity/></export>")

    with pytest.raises(ReferenceDataError):
        reference_list_load(kind="sanctions_eu", path=path)


def test_a_party_named_like_an_eu_listed_entity_is_flagged(sanctions, organisation, applicant):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    PartyFactory(
        application=application,
        role="intermediary",
        name="NORTHWIND PRECISION ARMS TRADING L.L.C.",
        country="AE",
    )

    run = actions.application_screen(application=application, occasion="manual")

    flag = run.flags.get(kind="sanctions")
    assert flag.severity == "blocking" and flag.is_open
    assert flag.details["reference"] == "EU.9001.01"
    assert flag.details["list"] == "eu"
    assert flag.details["list_version"] == sanctions[0].version


def test_a_party_written_in_cyrillic_like_a_listed_alias_is_flagged(
    sanctions, organisation, applicant
):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    PartyFactory(application=application, role="end_user", name="Иван Сэмплов", country="RU")

    run = actions.application_screen(application=application, occasion="manual")

    assert run.flags.get(kind="sanctions").details["reference"] == "EU.9002.02"


def test_an_unrelated_party_is_not_flagged(sanctions, organisation, applicant):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)

    run = actions.application_screen(application=application, occasion="manual")

    assert not run.flags.filter(kind="sanctions").exists()
