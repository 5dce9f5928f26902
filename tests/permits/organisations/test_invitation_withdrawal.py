"""An organisation's administrators withdraw an invitation before it is accepted."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from outbox.models import OutboxMessage
from permits.actions import organisations as org_actions
from permits.models import OrganisationEvent, OrganisationMembership
from tests.factories import OrganisationFactory, UserFactory
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(organisation, applicant):
    OrganisationMembership.objects.filter(organisation=organisation, user=applicant).update(
        administrator=True
    )
    return applicant


@pytest.fixture
def invited(organisation, administrator):
    invitation, token = org_actions.membership_invite(
        organisation=organisation, actor=administrator, email="clerk@example.test"
    )
    return invitation, token


def _withdraw_url(organisation, invitation) -> str:
    return f"/organisations/{organisation.pk}/invitations/{invitation.pk}/withdraw/"


def test_an_administrator_withdraws_an_invitation_from_the_members_page(
    client, organisation, administrator, invited
):
    invitation, _token = invited
    client.force_login(administrator)
    page = client.get(f"/organisations/{organisation.pk}/members/")
    assert _withdraw_url(organisation, invitation) in page.content.decode()

    response = client.post(_withdraw_url(organisation, invitation))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.withdrawn_by, invitation.withdrawn_at is not None) == (administrator, True)
    event = OrganisationEvent.objects.filter(organisation=organisation).latest("id")
    assert (event.event, event.payload["email"]) == ("invitation_withdrawn", "clerk@example.test")
    page = client.get(f"/organisations/{organisation.pk}/members/")
    # No longer among the invitations awaiting an answer.
    assert _withdraw_url(organisation, invitation) not in page.content.decode()
    assert 'id="invitations"' not in page.content.decode()


def test_a_plain_member_cannot_withdraw_an_invitation(client, organisation, invited):
    invitation, _token = invited
    plain = UserFactory(username="plain", roles=["applicant"])
    organisation.members.add(plain)
    client.force_login(plain)

    response = client.post(_withdraw_url(organisation, invitation))

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None
    with pytest.raises(TransitionForbidden):
        org_actions.membership_invitation_withdraw(invitation=invitation, actor=plain)


def test_another_organisations_invitation_is_a_404(client, organisation, administrator, invited):
    other = OrganisationFactory(members=[UserFactory(username="other_admin", roles=["applicant"])])
    other.memberships.update(administrator=True)
    foreign, _token = org_actions.membership_invite(
        organisation=other, actor=other.members.get(), email="foreign@example.test"
    )
    client.force_login(administrator)

    # Through the administrator's own organisation, and through the other one.
    assert client.post(_withdraw_url(organisation, foreign)).status_code == 404
    assert client.post(_withdraw_url(other, foreign)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.withdrawn_at is None


def test_accepting_a_withdrawn_invitation_fails_and_stores_nothing(
    client, organisation, administrator, invited
):
    invitation, token = invited
    org_actions.membership_invitation_withdraw(invitation=invitation, actor=administrator)
    events_before = OrganisationEvent.objects.count()

    page = client.get(f"/organisations/invitations/{token}/")
    assert page.status_code == 400
    assert "no longer valid" in page.content.decode()
    response = client.post(
        f"/organisations/invitations/{token}/",
        {
            "username": "clerk",
            "password": "a-long-pass-phrase-9",
            "password_again": "a-long-pass-phrase-9",
        },
    )

    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="clerk").exists()
    assert OrganisationEvent.objects.count() == events_before
    with pytest.raises(TransitionGuardFailed, match="withdrawn"):
        org_actions.membership_accept(
            token=token, actor=None, username="clerk", password="a-long-pass-phrase-9"
        )
    assert not OrganisationMembership.objects.filter(user__username="clerk").exists()


def test_an_accepted_invitation_cannot_be_withdrawn(organisation, administrator, invited):
    invitation, token = invited
    org_actions.membership_accept(
        token=token, actor=None, username="clerk", password="a-long-pass-phrase-9"
    )
    invitation.refresh_from_db()

    with pytest.raises(TransitionConflict, match="already accepted"):
        org_actions.membership_invitation_withdraw(invitation=invitation, actor=administrator)
    assert OrganisationMembership.objects.filter(user__username="clerk").exists()


def test_the_withdrawal_sends_no_e_mail(organisation, administrator, invited):
    invitation, _token = invited
    before = OutboxMessage.objects.count()

    org_actions.membership_invitation_withdraw(invitation=invitation, actor=administrator)

    assert OutboxMessage.objects.count() == before


@pytest.mark.parametrize(
    ("language", "text"),
    [("fr", "Retirer l'invitation"), ("nl", "De uitnodiging intrekken")],
)
def test_the_withdraw_button_reads_in_each_language(
    client, organisation, administrator, invited, language, text
):
    client.force_login(administrator)

    page = client.get(f"/organisations/{organisation.pk}/members/", HTTP_ACCEPT_LANGUAGE=language)

    assert re.sub(r"\s+", " ", text) in page.content.decode().replace("&#x27;", "'")
