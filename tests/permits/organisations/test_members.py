"""An organisation's administrators invite, change and remove members on their own pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from outbox.models import OutboxMessage
from permits.actions import organisations as org_actions
from permits.models import OrganisationEvent, OrganisationInvitation, OrganisationMembership
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory
from workflow.exceptions import TransitionForbidden, TransitionGuardFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(organisation, applicant):
    OrganisationMembership.objects.filter(organisation=organisation, user=applicant).update(
        administrator=True
    )
    return applicant


def _members_url(organisation) -> str:
    return f"/organisations/{organisation.pk}/members/"


def _link(message: OutboxMessage) -> str:
    return re.search(r"/organisations/invitations/([^/\s]+)/", message.body).group(0)


def test_an_administrator_invites_a_member_who_then_submits(client, organisation, administrator):
    client.force_login(administrator)
    response = client.post(
        _members_url(organisation),
        {"email": "clerk@example.test", "language": "nl", "draft": "on", "submit": "on"},
    )
    assert response.status_code == 302
    message = OutboxMessage.objects.get(recipient="clerk@example.test")
    # The e-mail speaks the invitee's language.
    assert "nodigt u uit" in message.body

    client.logout()
    accept = client.post(
        _link(message),
        {
            "username": "clerk",
            "password": "a-long-pass-phrase-9",
            "password_again": "a-long-pass-phrase-9",
        },
    )
    assert accept.status_code == 302
    clerk = get_user_model().objects.get(username="clerk")
    membership = OrganisationMembership.objects.get(organisation=organisation, user=clerk)
    assert membership.rights == ["draft", "submit"]

    draft = ApplicationFactory(organisation=organisation, created_by=clerk)
    submitted = client.post(f"/applications/{draft.public_id}/edit/review/")
    assert submitted.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert list(
        OrganisationEvent.objects.filter(organisation=organisation)
        .order_by("id")
        .values_list("event", flat=True)
    ) == ["member_invited", "member_joined"]


def test_a_plain_member_cannot_add_anyone(client, organisation, applicant):
    client.force_login(applicant)  # a member with every right but administrator

    assert client.get(_members_url(organisation)).status_code == 403
    response = client.post(_members_url(organisation), {"email": "intruder@example.test"})

    assert response.status_code == 403
    assert not OrganisationInvitation.objects.exists()
    assert not OutboxMessage.objects.exists()
    with pytest.raises(TransitionForbidden):
        org_actions.membership_invite(
            organisation=organisation, actor=applicant, email="intruder@example.test"
        )


def test_another_organisations_member_gets_a_404(client, organisation, other_applicant):
    OrganisationMembership.objects.filter(user=other_applicant).update(administrator=True)
    client.force_login(other_applicant)

    assert client.get(_members_url(organisation)).status_code == 404
    assert client.post(_members_url(organisation), {"email": "x@example.test"}).status_code == 404
    assert client.get(f"/organisations/{organisation.pk}/parties/").status_code == 404
    assert not OrganisationInvitation.objects.exists()


def test_an_invitation_serves_once(organisation, administrator):
    _invitation, token = org_actions.membership_invite(
        organisation=organisation, actor=administrator, email="once@example.test"
    )
    org_actions.membership_accept(
        token=token, actor=None, username="once", password="a-long-pass-phrase-9"
    )

    with pytest.raises(TransitionGuardFailed, match="already been used"):
        org_actions.membership_accept(
            token=token, actor=None, username="twice", password="a-long-pass-phrase-9"
        )
    assert not get_user_model().objects.filter(username="twice").exists()


def test_an_expired_invitation_is_refused(organisation, administrator):
    _invitation, token = org_actions.membership_invite(
        organisation=organisation, actor=administrator, email="late@example.test"
    )

    with (
        time_machine.travel(timezone.now() + timedelta(days=8)),
        pytest.raises(TransitionGuardFailed, match="expired"),
    ):
        org_actions.membership_accept(
            token=token, actor=None, username="late", password="a-long-pass-phrase-9"
        )
    assert not OrganisationMembership.objects.filter(user__username="late").exists()


def test_a_tampered_token_is_refused(client, organisation, administrator):
    _invitation, token = org_actions.membership_invite(
        organisation=organisation, actor=administrator, email="x@example.test"
    )

    response = client.get(f"/organisations/invitations/{token[:-2]}xx/")

    assert response.status_code == 400


def test_a_signed_in_user_with_the_invited_address_is_linked(client, organisation, administrator):
    existing = UserFactory(username="existing", email="existing@example.test", roles=["applicant"])
    OrganisationFactory(members=[existing])
    _invitation, token = org_actions.membership_invite(
        organisation=organisation,
        actor=administrator,
        email="Existing@example.test",
        see_decisions=True,
    )
    client.force_login(existing)

    response = client.post(f"/organisations/invitations/{token}/")

    assert response.status_code == 302
    membership = OrganisationMembership.objects.get(organisation=organisation, user=existing)
    assert membership.rights == ["see_decisions"]


def test_someone_else_signed_in_cannot_use_the_invitation(
    organisation, administrator, other_applicant
):
    _invitation, token = org_actions.membership_invite(
        organisation=organisation, actor=administrator, email="someone@example.test"
    )

    with pytest.raises(TransitionForbidden):
        org_actions.membership_accept(token=token, actor=other_applicant)
    assert not organisation.members.filter(pk=other_applicant.pk).exists()


def test_an_administrator_changes_rights_and_removes_a_member(client, organisation, administrator):
    clerk = UserFactory(username="clerk", roles=["applicant"])
    organisation.members.add(clerk)
    client.force_login(administrator)
    url = f"/organisations/{organisation.pk}/members/{clerk.pk}/"

    client.post(url, {"op": "change", f"m{clerk.pk}-draft": "on"})
    assert OrganisationMembership.objects.get(user=clerk).rights == ["draft"]
    client.post(url, {"op": "remove"})

    assert not organisation.members.filter(pk=clerk.pk).exists()
    assert list(OrganisationEvent.objects.order_by("id").values_list("event", flat=True)) == [
        "member_rights_changed",
        "member_removed",
    ]


def test_the_last_administrator_can_neither_be_removed_nor_lose_the_right(
    organisation, administrator
):
    with pytest.raises(TransitionGuardFailed):
        org_actions.membership_remove(
            organisation=organisation, user_id=administrator.pk, actor=administrator
        )
    with pytest.raises(TransitionGuardFailed):
        org_actions.membership_change(
            organisation=organisation, user_id=administrator.pk, actor=administrator, draft=True
        )
    assert OrganisationMembership.objects.get(user=administrator).administrator
    assert not OrganisationEvent.objects.exists()


def test_an_invalid_address_stores_nothing(client, organisation, administrator):
    client.force_login(administrator)

    response = client.post(_members_url(organisation), {"email": "not-an-address"})

    assert response.status_code == 400
    assert not OrganisationInvitation.objects.exists()
    assert not OrganisationEvent.objects.exists()


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_members_page_reads_in_each_language(client, organisation, administrator, language):
    client.force_login(administrator)

    response = client.get(_members_url(organisation), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
