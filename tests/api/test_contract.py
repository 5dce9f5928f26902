"""The API refuses what its schema does not document, naming the parameter or field."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tests.api.test_applications import NEW_DRAFT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query", ["page_size=10&page_size=20", "cursor=a&cursor=b", "kind=export&kind=import"]
)
def test_a_parameter_given_twice_is_refused_by_name(auditor_client, query):
    response = auditor_client.get(f"/api/v1/applications/?{query}")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [query.split("=")[0]]


def test_a_filter_that_takes_several_values_still_takes_them(auditor_client):
    response = auditor_client.get("/api/v1/applications/?status=issued&status=refused")

    assert response.status_code == 200


def test_an_ordering_given_twice_is_refused(auditor_client):
    response = auditor_client.get("/api/v1/applications/?ordering=created_at&ordering=-created_at")

    assert response.status_code == 400
    assert "ordering" in response.json()["errors"]


def test_an_empty_amount_is_refused_not_read_as_null(applicant_client):
    response = applicant_client.post(
        "/api/v1/applications/", {**NEW_DRAFT, "total_value": ""}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["total_value"]


def test_a_null_amount_is_still_null(applicant_client):
    response = applicant_client.post(
        "/api/v1/applications/", {**NEW_DRAFT, "total_value": None}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["total_value"] is None


@pytest.fixture
def directory(db):
    call_command("load_directory", stdout=StringIO())


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("page=1&page=2", "page"),
        ("page_size=5&page_size=6", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=abc", "page_size"),
        ("q=a&q=b", "q"),
    ],
)
def test_the_directory_refuses_bad_paging_by_name(anon_client, directory, query, name):
    response = anon_client.get(f"/api/v1/directory/people/?{query}")

    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_the_directory_refuses_an_empty_filter(anon_client, directory):
    response = anon_client.get("/api/v1/directory/partners/?country=")

    assert response.status_code == 400
    assert "country" in response.json()["errors"]


def test_the_directory_answers_null_for_a_person_without_photo_as_documented(
    anon_client, directory
):
    response = anon_client.get("/api/v1/directory/people/?page_size=200")

    photos = {person["photo"] for person in response.json()["results"]}
    assert None in photos
