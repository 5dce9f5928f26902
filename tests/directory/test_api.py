"""The read-only JSON API under /api/v1/directory/."""

from __future__ import annotations

import pytest

from directory.models import Person
from directory.services import person_link_user

pytestmark = pytest.mark.django_db

API = "/api/v1/directory/"


def test_the_api_root_lists_every_collection(client, loaded_directory):
    body = client.get(API).json()
    assert set(body) == {
        "organisations", "units", "people", "partners", "networks", "portfolios",
        "representations", "sources",
    }  # fmt: skip


@pytest.mark.parametrize(
    "path",
    ["organisations/", "units/", "people/", "partners/", "networks/", "portfolios/",
     "representations/", "sources/"],
)  # fmt: skip
def test_every_collection_is_public_and_paginated(client, loaded_directory, path):
    response = client.get(API + path)
    assert response.status_code == 200
    body = response.json()
    assert {"count", "next", "previous", "results"} <= set(body)
    assert body["results"]


def test_pages_hold_fifty_rows_unless_asked_otherwise(client, loaded_directory):
    assert len(client.get(API + "portfolios/").json()["results"]) == 50
    assert len(client.get(API + "portfolios/", {"page_size": 5}).json()["results"]) == 5


def test_a_person_is_read_by_key_with_positions_portfolios_and_sources(client, loaded_directory):
    body = client.get(API + "people/sophie-willaumez/").json()
    assert body["phone_e164"] == "+3228003740"
    units = {(p["unit"], p["source"], p["is_current"]) for p in body["positions"]}
    assert ("european-multilateral", "bi-en", True) in units
    (quebec,) = [p for p in body["portfolios"] if p["partner"] == "quebec"]
    assert quebec["is_current"] is False
    assert quebec["source"] == "bi-en"


def test_the_api_never_exposes_user_accounts(client, loaded_directory, case_manager):
    person_link_user(person=Person.objects.get(key="jef-willems"), user=case_manager)
    text = client.get(API + "people/jef-willems/").content.decode()
    assert "user" not in client.get(API + "people/jef-willems/").json()
    assert case_manager.username not in text


def test_partners_can_be_filtered_by_status(client, loaded_directory):
    body = client.get(API + "partners/", {"status": "in_force", "page_size": 100}).json()
    assert body["count"] == 14
    assert all(p["status"] == "in_force" for p in body["results"])


def test_partners_can_be_filtered_by_country(client, loaded_directory):
    body = client.get(API + "partners/", {"country": "cn"}).json()
    assert {p["key"] for p in body["results"]} == {"beijing", "sichuan", "xian"}


def test_q_searches_like_the_pages(client, loaded_directory):
    body = client.get(API + "partners/", {"q": "kiev"}).json()
    assert [p["key"] for p in body["results"]] == ["kyiv"]


def test_people_can_be_filtered_by_current_unit(client, loaded_directory):
    body = client.get(API + "people/", {"unit": "permits"}).json()
    assert {p["key"] for p in body["results"]} == {
        "aldo-alu", "guillaume-ligot", "jef-willems", "melanie-behets"
    }  # fmt: skip


def test_portfolios_can_be_filtered_by_partner_and_currency(client, loaded_directory):
    body = client.get(API + "portfolios/", {"partner": "quebec", "current": "true"}).json()
    assert [p["person"] for p in body["results"]] == ["florence-vandernoot"]


def test_a_partner_carries_every_statement_with_its_source(client, loaded_directory):
    body = client.get(API + "partners/kyiv/").json()
    assert body["status"] == "in_force"
    assert {(s["source"], s["as_written"], s["is_current"]) for s in body["statements"]} == {
        ("bi-partnerships", "Kyiv", True),
        ("bi-fr-bilateral", "Kiev", False),
        ("bi-en", "Kiev", False),
    }


def test_a_unit_names_its_head_and_members(client, loaded_directory):
    body = client.get(API + "units/permits/").json()
    assert body["head"] == ["aldo-alu"]
    assert len(body["members"]) == 4


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client, loaded_directory, method):
    response = getattr(client, method)(API + "people/aldo-alu/")
    assert response.status_code == 405
    assert Person.objects.filter(key="aldo-alu").exists()


def test_an_unknown_key_is_a_404(client, loaded_directory):
    assert client.get(API + "partners/atlantis/").status_code == 404
