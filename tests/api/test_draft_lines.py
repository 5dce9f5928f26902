"""Removing a goods item or a party from a draft through the API, as the draft's steps do."""

from __future__ import annotations

import pytest

from permits.models import GoodsItem, Party
from tests.api.conftest import url
from tests.factories import GoodsItemFactory, PartyFactory

pytestmark = pytest.mark.django_db


def test_the_applicant_removes_a_goods_item(applicant_client, draft):
    item = GoodsItemFactory(application=draft)
    response = applicant_client.delete(url(draft, f"goods/{item.pk}/"))
    assert response.status_code == 204
    assert not GoodsItem.objects.filter(pk=item.pk).exists()


def test_the_applicant_removes_a_party(applicant_client, draft):
    party = PartyFactory(application=draft)
    response = applicant_client.delete(url(draft, f"parties/{party.pk}/"))
    assert response.status_code == 204
    assert not Party.objects.filter(pk=party.pk).exists()


def test_a_stale_if_match_is_412_and_removes_nothing(applicant_client, draft):
    item = GoodsItemFactory(application=draft)
    response = applicant_client.delete(url(draft, f"goods/{item.pk}/"), HTTP_IF_MATCH='"stale"')
    assert response.status_code == 412
    assert GoodsItem.objects.filter(pk=item.pk).exists()


def test_a_submitted_applications_goods_cannot_be_removed(applicant_client, make_application):
    submitted = make_application("submitted")
    item = submitted.goods.first()
    response = applicant_client.delete(url(submitted, f"goods/{item.pk}/"))
    assert response.status_code == 409
    assert GoodsItem.objects.filter(pk=item.pk).exists()


def test_another_organisations_draft_is_404(other_applicant_client, draft):
    item = GoodsItemFactory(application=draft)
    response = other_applicant_client.delete(url(draft, f"goods/{item.pk}/"))
    assert response.status_code == 404
    assert GoodsItem.objects.filter(pk=item.pk).exists()


def test_another_drafts_line_is_404(applicant_client, organisation, applicant, draft):
    from tests.factories import ApplicationFactory

    other_draft = ApplicationFactory(organisation=organisation, created_by=applicant)
    party = PartyFactory(application=other_draft)
    response = applicant_client.delete(url(draft, f"parties/{party.pk}/"))
    assert response.status_code == 404
    assert Party.objects.filter(pk=party.pk).exists()


def test_staff_cannot_remove_lines(case_manager_client, make_application):
    submitted = make_application("submitted")
    item = submitted.goods.first()
    response = case_manager_client.delete(url(submitted, f"goods/{item.pk}/"))
    assert response.status_code == 403
    assert GoodsItem.objects.filter(pk=item.pk).exists()
