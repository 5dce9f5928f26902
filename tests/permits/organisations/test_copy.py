"""An applicant copies an earlier application into a new draft: same goods and parties, no
documents, decision or history of the original."""

from __future__ import annotations

import pytest

from permits.models import PermitApplication
from tests.api.conftest import client_for
from tests.factories import ApplicationFactory, DocumentFactory
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


def _goods(application):
    return list(
        application.goods.order_by("id").values_list(
            "description", "control_entry", "quantity", "unit_value", "currency"
        )
    )


def _parties(application):
    return list(
        application.parties.order_by("id").values_list("role", "name", "address", "country")
    )


def test_the_api_copy_has_the_same_goods_and_parties_and_no_documents(applicant, make_application):
    issued = make_application("issued")
    assert issued.documents.exists()

    response = client_for(applicant).post(f"/api/v1/applications/{issued.public_id}/copy/")

    assert response.status_code == 201
    copy = PermitApplication.objects.get(public_id=response.json()["id"])
    assert copy.status == "draft"
    assert copy.reference is None
    assert _goods(copy) == _goods(issued)
    assert _parties(copy) == _parties(issued)
    assert not copy.documents.exists()
    assert not hasattr(copy, "decision") or copy.decision is None
    assert list(
        TransitionRecord.objects.filter(application=copy).values_list("transition", "payload")
    ) == [("draft_copied", {"original": issued.reference})]


def test_the_web_copy_opens_the_new_draft(client, applicant, organisation):
    original = ApplicationFactory(organisation=organisation, created_by=applicant)
    DocumentFactory(application=original, uploaded_by=applicant)
    client.force_login(applicant)

    response = client.post(f"/applications/{original.url_key}/copy/")

    copy = PermitApplication.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{copy.url_key}/edit/request/"
    assert _goods(copy) == _goods(original)
    assert _parties(copy) == _parties(original)
    assert not copy.documents.exists()


def test_another_organisations_application_is_a_404(client, other_applicant, make_application):
    issued = make_application("issued")

    api = client_for(other_applicant).post(f"/api/v1/applications/{issued.public_id}/copy/")
    client.force_login(other_applicant)
    web = client.post(f"/applications/{issued.url_key}/copy/")

    assert api.status_code == 404
    assert web.status_code == 404
    assert PermitApplication.objects.count() == 1


def test_staff_cannot_copy(case_manager, make_application):
    submitted = make_application("submitted")

    response = client_for(case_manager).post(f"/api/v1/applications/{submitted.public_id}/copy/")

    assert response.status_code == 403
    assert PermitApplication.objects.count() == 1
