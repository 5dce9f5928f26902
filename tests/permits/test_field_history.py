"""Field-level history of organisations and licences (django-pghistory). The events are written
by PostgreSQL triggers, so these tests run on PostgreSQL only; on SQLite nothing is recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from audit.field_history import field_history_context
from permits.field_history import field_events
from permits.models import LicenceLine
from tests.conftest import requires_postgresql
from tests.factories import ApplicationFactory, UserFactory
from tests.permits.test_admin_audited import change_form_data
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def issued(organisation, applicant, case_manager, head):
    return advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )


@requires_postgresql
def test_an_organisation_renamed_in_the_admin_records_old_new_time_user_and_reason(organisation):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = _web(root)
    url = f"/admin/permits/applicantorganisation/{organisation.pk}/change/"
    old_name = organisation.legal_name
    data = change_form_data(client.get(url))
    data["legal_name"] = "Renamed SA"
    data["data_fix_reason"] = "Deed of 1 December."

    assert client.post(url, data).status_code == 302

    event = field_events(organisation)[-1]
    assert [(c.field, c.old, c.new) for c in event.changes] == [
        ("legal_name", old_name, "Renamed SA")
    ]
    assert event.kind == "update"
    assert event.at is not None
    assert event.user == root
    assert event.reason == "Deed of 1 December."


@requires_postgresql
def test_a_prior_authorisation_change_is_recorded(organisation):
    old = organisation.federal_authorisation_reference

    organisation.federal_authorisation_reference = "SPF-JUS-AUT-99999"
    organisation.save()

    change = field_events(organisation)[-1].changes
    assert [(c.field, c.old, c.new) for c in change] == [
        ("federal_authorisation_reference", old, "SPF-JUS-AUT-99999")
    ]


@requires_postgresql
def test_a_licence_line_quantity_change_records_old_new_and_the_operator(issued):
    line = issued.licence.lines.get()
    operator = UserFactory(username="operator", is_staff=True)
    old = line.authorised_quantity

    with field_history_context(user=operator.pk, reason="Quantity typed wrong."):
        LicenceLine.objects.filter(pk=line.pk).update(authorised_quantity=Decimal("7"))

    event = field_events(line)[-1]
    assert [(c.field, c.old, c.new) for c in event.changes] == [
        ("authorised_quantity", f"{old:f}", "7.000")
    ]
    assert (event.user, event.reason) == (operator, "Quantity typed wrong.")


@requires_postgresql
def test_a_licence_suspended_from_its_page_records_the_head_who_did_it(issued, head):
    response = _web(head).post(
        f"/applications/{issued.reference}/licence/suspend/", {"reason": "Embargo announced."}
    )

    assert response.status_code == 302
    event = field_events(issued.licence)[-1]
    assert [(c.field, c.new) for c in event.changes] == [("status", "Suspended")]
    assert event.user == head
    assert event.url == f"/applications/{issued.reference}/licence/suspend/"


@requires_postgresql
@pytest.mark.parametrize("role", ["auditor", "head"])
def test_auditors_and_the_head_read_the_field_history_page(role, request, issued, organisation):
    organisation.legal_name = "Optronique Renamed SA"
    organisation.save()

    response = _web(request.getfixturevalue(role)).get(
        f"/applications/{issued.reference}/field-history/"
    )

    assert response.status_code == 200
    assert "Optronique Renamed SA" in response.content.decode()
    assert issued.licence.number in response.content.decode()


def test_the_field_history_page_is_refused_to_case_managers_and_applicants(
    issued, case_manager, applicant
):
    url = f"/applications/{issued.reference}/field-history/"

    assert _web(case_manager).get(url).status_code == 403
    assert _web(applicant).get(url).status_code == 403


def test_the_page_says_whether_this_database_records_the_history(issued, auditor):
    response = _web(auditor).get(f"/applications/{issued.reference}/field-history/")

    # PostgreSQL records it (triggers); SQLite, the demo's database, cannot, and the page says so.
    assert response.status_code == 200
    assert response.context["recorded"] is (connection.vendor == "postgresql")


def test_the_licence_page_links_the_auditor_to_the_field_history(issued, auditor, applicant):
    url = f"/applications/{issued.reference}/licence/"
    link = f"/applications/{issued.reference}/field-history/"

    assert link in _web(auditor).get(url).content.decode()
    assert link not in _web(applicant).get(url).content.decode()
