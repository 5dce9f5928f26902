"""Embargo scope against the end-user: the party's type decides whether a hit blocks, and the
flag records why."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from permits import actions
from permits.compliance.reference import reference_list_load
from tests.factories import ApplicationFactory, PartyFactory

pytestmark = pytest.mark.django_db

SCREENED_ON = date(2026, 3, 2)


@pytest.fixture
def embargoes(tmp_path):
    rows = [
        {
            "country": "IQ",
            "scope": "non_state_actors",
            "legal_act": "Common Position 2003/495/CFSP",
            "starts_on": date(2003, 7, 7),
        },
        {
            "country": "SO",
            "scope": "government_exempt",
            "legal_act": "Decision 2010/231/CFSP",
            "starts_on": date(2002, 1, 1),
        },
        {
            "country": "RU",
            "scope": "full",
            "legal_act": "Decision 2014/512/CFSP",
            "starts_on": date(2014, 7, 31),
        },
    ]
    data = {"version": "E-SCOPE", "published_on": date(2026, 1, 1), "source": "test"}
    path = tmp_path / "embargoes.yaml"
    path.write_text(yaml.safe_dump({**data, "embargoes": rows}))
    return reference_list_load(kind="embargoes", path=path)[0]


def screened_flag(organisation, applicant, destination, end_user_type, **end_user):
    application = ApplicationFactory(
        organisation=organisation, created_by=applicant, country_of_destination=destination
    )
    application.parties.filter(role="end_user").update(
        country=destination, party_type=end_user_type, **end_user
    )
    run = actions.application_screen(application=application, occasion="manual", today=SCREENED_ON)
    return run.flags.get(kind="embargo")


def test_an_iraqi_ministry_of_defence_end_user_is_not_a_blocking_hit(
    embargoes, organisation, applicant
):
    flag = screened_flag(
        organisation, applicant, "IQ", "government", name="Ministry of Defence of Iraq"
    )

    assert flag.severity == "warning"
    assert flag.details["reason"] == "state_end_user"
    assert "Not blocking" in flag.explanation


def test_an_iraqi_militia_end_user_is_a_blocking_hit(embargoes, organisation, applicant):
    flag = screened_flag(organisation, applicant, "IQ", "non_state_armed_group")

    assert flag.severity == "blocking"
    assert flag.details["reason"] == "non_state_end_user"


def test_an_end_user_of_unknown_type_is_reached_by_a_limited_embargo(
    embargoes, organisation, applicant
):
    assert screened_flag(organisation, applicant, "IQ", "").severity == "blocking"


def test_government_forces_are_exempt_only_where_the_embargo_says_so(
    embargoes, organisation, applicant
):
    assert screened_flag(organisation, applicant, "SO", "government").severity == "warning"
    assert screened_flag(organisation, applicant, "RU", "government").severity == "blocking"


def test_the_consignee_and_intermediary_countries_are_screened(embargoes, organisation, applicant):
    application = ApplicationFactory(
        organisation=organisation, created_by=applicant, country_of_destination="NO"
    )
    application.parties.filter(role="consignee").update(country="RU")
    PartyFactory(application=application, role="intermediary", country="SO")

    run = actions.application_screen(application=application, occasion="manual", today=SCREENED_ON)

    places = {f.details["country"]: f.details["place"] for f in run.flags.filter(kind="embargo")}
    assert places == {"RU": "consignee_country", "SO": "intermediary_country"}
