"""The data file: complete against the seeds, contradictions kept, errors reported."""

from __future__ import annotations

import pytest

from directory.datafile import DirectoryDataError, e164, parse_directory_data

SEED_PEOPLE = {
    "Anne Claes", "Geoffroy Clerckx", "Loubna Lakhloufi", "Pierre Gérard", "Daniël Verheyden",
    "Sophie Willaumez", "Codrat-Alin Teclu", "Jean-Michel Verdin", "Willy Van Waeyenberge",
    "Florence Vandernoot", "Benoît Spapens", "Jef Willems", "Geert De Roep",
    "Paul-Henri Philips", "Olivia Rodriguez", "Anne-Laurence Lekeu", "Valérie Dussart",
    "Florian Genot", "Manoëlle Wasseige", "Frederik Lamberty", "Claire Pécheux",
    "Sylviane Friedlingstein", "Rudi Arron", "Lucia-Madalina Roman", "Céline Debacker",
    "Olivier Mispelter", "Muriel Baeijens", "Sylvie Debry", "Filoreta Rugova", "Aldo Alu",
    "Guillaume Ligot", "Mélanie Behets",
}  # fmt: skip
SEED_PARTNERS = {
    "aichi", "algiers", "beijing", "berlin", "brasilia", "bratislava", "budapest", "chennai",
    "havana", "ile-de-france", "kinshasa", "kyiv", "lille", "ljubljana", "luxembourg",
    "mazovia", "moscow", "paramaribo", "prague", "quebec", "rabat", "ramallah", "seoul",
    "sichuan", "sofia", "tokyo", "vienna", "vilnius", "washington", "xian",
}  # fmt: skip
SEED_NETWORKS = {"aer", "eurocities", "metropolis", "fmdv", "ccrn", "fedra", "regleg", "oecd",
                 "benelux", "council-of-europe", "united-nations"}  # fmt: skip


@pytest.fixture
def data(document):
    return parse_directory_data(document)


def test_every_person_named_by_the_seeds_is_in_the_data_file(data):
    assert {p["full_name"] for p in data.people.values()} == SEED_PEOPLE


def test_the_five_units_of_brussels_international_are_in_the_data_file(data):
    assert list(data.units) == [
        "bilateral", "european-multilateral", "eu-delegation", "finance-travel", "permits"
    ]  # fmt: skip
    assert all(u["organisation"] == "brussels-international" for u in data.units.values())


def test_every_partner_and_network_named_by_the_seeds_is_in_the_data_file(data):
    assert set(data.partners) == SEED_PARTNERS
    assert set(data.networks) >= SEED_NETWORKS


def test_wbi_is_a_partner_organisation_with_its_delegations_abroad(data):
    assert data.organisations["wbi"]["acronym"] == "WBI"
    wbi = [r for r in data.representations.values() if r["organisation"] == "wbi"]
    assert len(wbi) == 17
    assert {r["country"] for r in wbi} >= {"DE", "ES", "GB", "MA", "TN", "CD", "SN", "CA"}


def test_every_fact_names_a_known_source(data):
    facts = [*data.positions.values(), *data.portfolios.values(), *data.statements.values()]
    assert facts
    assert all(f["source"] in data.sources for f in facts)


def test_both_statements_on_who_follows_quebec_are_kept_and_the_french_page_is_current(data):
    quebec = {
        (row["person"], row["source"], row["is_current"])
        for row in data.portfolios.values()
        if row["partner"] == "quebec"
    }
    assert quebec == {
        ("sophie-willaumez", "bi-en", False),
        ("florence-vandernoot", "bi-fr-bilateral", True),
    }


def test_partnerships_page_is_current_for_which_agreements_are_in_force(data):
    in_force = {k for k, p in data.partners.items() if p["status"] == "in_force"}
    assert in_force == {
        "aichi", "berlin", "budapest", "ile-de-france", "kyiv", "havana", "lille",
        "luxembourg", "quebec", "seoul", "tokyo", "ramallah", "kinshasa", "rabat",
    }  # fmt: skip
    assert data.statements["moscow:bi-en"]["status"] == "in_force"
    assert data.statements["moscow:bi-en"]["is_current"] is False
    assert data.partners["moscow"]["status"] == "suspended"


def test_a_partner_keeps_the_relationship_of_its_current_statement(data):
    assert data.partners["kinshasa"]["relationship"] == "development_cooperation"
    assert data.statements["kinshasa:bi-en"]["relationship"] == "bilateral_agreement"


def test_a_partner_whose_current_page_does_not_say_the_relationship_keeps_the_stated_one(data):
    assert data.statements["sofia:bi-partnerships"]["relationship"] == ""
    assert data.partners["sofia"]["relationship"] == "bilateral_agreement"


def test_only_permits_unit_positions_carry_workflow_roles(data):
    roles = {
        (p["person"], p["workflow_role"]) for p in data.positions.values() if p["workflow_role"]
    }
    assert roles == {
        ("aldo-alu", "head_of_unit"),
        ("jef-willems", "case_manager"),
        ("melanie-behets", "case_manager"),
    }


def test_belgian_phone_numbers_become_international_numbers():
    assert e164("02/800 37 45") == "+3228003745"
    assert e164("02 233 03 55") == "+3222330355"
    assert e164("0032 2 421 82 11") == "+3224218211"
    assert e164("not a number") == ""


def test_a_workflow_role_outside_the_permits_unit_is_refused(document):
    document["people"]["rudi-arron"]["positions"][0]["workflow_role"] = "case_manager"
    with pytest.raises(DirectoryDataError, match="only positions in the Permits unit"):
        parse_directory_data(document)


def test_a_reference_to_an_unknown_partner_is_refused(document):
    document["people"]["jef-willems"]["portfolios"][2]["partners"] = ["atlantis"]
    with pytest.raises(DirectoryDataError, match="unknown partner 'atlantis'"):
        parse_directory_data(document)


def test_a_partner_with_two_current_statements_is_refused(document):
    document["partners"]["quebec"]["statements"][1]["current"] = True
    with pytest.raises(DirectoryDataError, match="exactly one statement must be current"):
        parse_directory_data(document)


def test_every_problem_in_the_file_is_reported_at_once(document):
    del document["sources"]["bi-en"]["title"]
    document["partners"]["kyiv"]["country"] = "XX"
    with pytest.raises(DirectoryDataError) as excinfo:
        parse_directory_data(document)
    assert any("sources.bi-en" in e for e in excinfo.value.errors)
    assert any("unknown country code 'XX'" in e for e in excinfo.value.errors)
