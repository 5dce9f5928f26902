"""The applicant sees the name and phone of the case manager of their file."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from directory.models import Person
from directory.selectors import case_manager_contact, workflow_people
from directory.services import person_link_user
from tests.directory.factories import PersonFactory
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_contact_gives_the_linked_persons_public_details(case_manager):
    person = PersonFactory(full_name="Jef Willems", email="jwillems@sprb.brussels")
    person_link_user(person=person, user=case_manager)

    contact = case_manager_contact(user=case_manager)

    assert contact["name"] == "Jef Willems"
    assert contact["phone"] == "02/800 37 33"
    assert contact["email"] == "jwillems@sprb.brussels"


def test_contact_is_none_for_an_account_linked_to_nobody(case_manager):
    assert case_manager_contact(user=case_manager) is None
    assert case_manager_contact(user=None) is None


def test_the_summary_shows_the_name_and_a_tel_link_of_the_case_manager(case_manager):
    person_link_user(person=PersonFactory(full_name="Jef Willems"), user=case_manager)
    application = ApplicationFactory(
        assigned_case_manager=case_manager, reference="BXL-ML-EXP-2026-000099"
    )

    html = render_to_string("permits/_summary.html", {"application": application})

    assert "Jef Willems" in html
    assert '<a href="tel:+3228003733">02/800 37 33</a>' in html


def test_the_summary_falls_back_to_the_account_name_when_not_in_the_directory(case_manager):
    application = ApplicationFactory(
        assigned_case_manager=case_manager, reference="BXL-ML-EXP-2026-000099"
    )

    html = render_to_string("permits/_summary.html", {"application": application})

    assert case_manager.get_full_name() in html
    assert "tel:" not in html


def test_the_applicant_sees_the_case_manager_contact_on_their_file(
    client, applicant, organisation, case_manager
):
    person_link_user(person=PersonFactory(full_name="Mélanie Behets"), user=case_manager)
    application = ApplicationFactory(
        organisation=organisation,
        created_by=applicant,
        assigned_case_manager=case_manager,
        reference="BXL-ML-EXP-2026-000099",  # a file is assigned only once submitted
    )
    client.force_login(applicant)

    response = client.get(
        reverse("permits:application_detail", kwargs={"key": application.url_key})
    )

    assert response.status_code == 200
    assert "Mélanie Behets" in response.content.decode()
    assert "tel:+3228003733" in response.content.decode()


def test_the_people_allowed_to_act_come_from_the_permits_unit(loaded_directory):
    assert [p.key for p in workflow_people(role="case_manager")] == [
        "melanie-behets",
        "jef-willems",
    ]
    assert [p.key for p in workflow_people(role="head_of_unit")] == ["aldo-alu"]
    assert not Person.objects.get(key="guillaume-ligot").positions.exclude(workflow_role="")
