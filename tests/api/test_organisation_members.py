"""Organisation administration through the API, by role: an administrator lists, invites,
changes and removes members as on the members page; a plain member is refused (403), another
organisation and staff get a 404, a customs account a 403."""

from __future__ import annotations

import pytest

from outbox.models import OutboxMessage
from permits.models import OrganisationEvent, OrganisationInvitation, OrganisationMembership
from tests.api.conftest import client_for
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(organisation, applicant):
    OrganisationMembership.objects.filter(organisation=organisation, user=applicant).update(
        administrator=True
    )
    return applicant


@pytest.fixture
def clerk(organisation):
    user = UserFactory(username="clerk", email="clerk@example.test", roles=["applicant"])
    OrganisationMembership.objects.create(
        organisation=organisation, user=user, draft=True, submit=False, see_decisions=False
    )
    return user


def _url(organisation, suffix: str = "members/") -> str:
    return f"/api/v1/organisations/{organisation.enterprise_number}/{suffix}"


def test_an_administrator_lists_members_with_their_rights(administrator, clerk, organisation):
    response = client_for(administrator).get(_url(organisation))

    assert response.status_code == 200
    by_name = {member["username"]: member["rights"] for member in response.json()}
    assert by_name == {
        "applicant": ["draft", "submit", "see_decisions", "administrator"],
        "clerk": ["draft"],
    }


def test_an_administrator_invites_through_the_outbox(administrator, organisation):
    response = client_for(administrator).post(
        _url(organisation, "invitations/"),
        {"email": "new@example.test", "language": "nl", "rights": ["draft", "submit"]},
        format="json",
    )

    assert response.status_code == 201, response.content
    invitation = OrganisationInvitation.objects.get()
    assert invitation.rights == ["draft", "submit"]
    assert "token" not in response.json()
    message = OutboxMessage.objects.get(recipient="new@example.test")
    assert "nodigt u uit" in message.body
    assert OrganisationEvent.objects.filter(event="member_invited").exists()


def test_an_administrator_lists_pending_invitations(administrator, organisation):
    api = client_for(administrator)
    api.post(_url(organisation, "invitations/"), {"email": "a@example.test"}, format="json")

    response = api.get(_url(organisation, "invitations/"))

    assert [i["email"] for i in response.json()] == ["a@example.test"]
    assert response.json()[0]["invited_by"] == "applicant"


def test_inviting_a_member_again_is_refused_naming_the_email(administrator, clerk, organisation):
    response = client_for(administrator).post(
        _url(organisation, "invitations/"), {"email": "clerk@example.test"}, format="json"
    )

    assert response.status_code == 422
    assert "email" in response.json()["errors"]
    assert not OrganisationInvitation.objects.exists()


def test_a_bad_address_is_refused_naming_the_email(administrator, organisation):
    response = client_for(administrator).post(
        _url(organisation, "invitations/"), {"email": "not-an-address"}, format="json"
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "email" in response.json()["errors"]
    assert not OrganisationInvitation.objects.exists()


def test_an_administrator_changes_a_members_rights(administrator, clerk, organisation):
    response = client_for(administrator).put(
        _url(organisation, f"members/{clerk.pk}/"),
        {"rights": ["submit", "see_decisions"]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["rights"] == ["submit", "see_decisions"]
    membership = OrganisationMembership.objects.get(user=clerk)
    assert (membership.draft, membership.submit) == (False, True)
    assert OrganisationEvent.objects.filter(event="member_rights_changed").exists()


def test_an_administrator_removes_a_member(administrator, clerk, organisation):
    response = client_for(administrator).delete(_url(organisation, f"members/{clerk.pk}/"))

    assert response.status_code == 204
    assert not OrganisationMembership.objects.filter(user=clerk).exists()
    assert OrganisationEvent.objects.filter(event="member_removed").exists()


def test_the_last_administrator_cannot_give_up_administering(administrator, organisation):
    response = client_for(administrator).put(
        _url(organisation, f"members/{administrator.pk}/"), {"rights": ["draft"]}, format="json"
    )

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert "administrator" in response.json()["errors"]
    assert OrganisationMembership.objects.get(user=administrator).administrator


def test_the_last_administrator_cannot_be_removed(administrator, organisation):
    response = client_for(administrator).delete(_url(organisation, f"members/{administrator.pk}/"))

    assert response.status_code == 422
    assert "administrator" in response.json()["errors"]
    assert OrganisationMembership.objects.filter(user=administrator).exists()


def test_someone_not_a_member_is_a_404(administrator, organisation, other_applicant):
    api = client_for(administrator)

    assert api.get(_url(organisation, f"members/{other_applicant.pk}/")).status_code == 404
    assert api.delete(_url(organisation, f"members/{other_applicant.pk}/")).status_code == 404


def test_a_plain_member_is_refused(clerk, administrator, organisation):
    api = client_for(clerk)

    assert api.get(_url(organisation)).status_code == 403
    assert api.get(_url(organisation, "invitations/")).status_code == 403
    invite = api.post(
        _url(organisation, "invitations/"), {"email": "x@example.test"}, format="json"
    )
    assert invite.status_code == 403
    removal = api.delete(_url(organisation, f"members/{administrator.pk}/"))
    assert removal.status_code == 403
    assert not OrganisationInvitation.objects.exists()
    assert OrganisationMembership.objects.filter(user=administrator).exists()


def test_another_organisations_administrator_gets_a_404(administrator, clerk, organisation):
    outsider = UserFactory(username="outsider", roles=["applicant"])
    theirs = OrganisationFactory(members=[outsider])
    OrganisationMembership.objects.filter(user=outsider).update(administrator=True)
    api = client_for(outsider)

    assert api.get(_url(organisation)).status_code == 404
    assert api.delete(_url(organisation, f"members/{clerk.pk}/")).status_code == 404
    assert api.get(_url(theirs)).status_code == 200
    assert OrganisationMembership.objects.filter(user=clerk).exists()


@pytest.mark.parametrize("role", ["case_manager", "head_of_unit", "auditor"])
def test_staff_reach_no_organisation(role, administrator, clerk, organisation):
    api = client_for(UserFactory(username=f"staff_{role}", roles=[role]))

    assert api.get(_url(organisation)).status_code == 404
    # Auditors write nothing anywhere (403 before the lookup); the others find no organisation.
    assert api.delete(_url(organisation, f"members/{clerk.pk}/")).status_code in (403, 404)
    assert OrganisationMembership.objects.filter(user=clerk).exists()


def test_customs_are_refused(administrator, organisation):
    api = client_for(UserFactory(username="customs_system", roles=["customs"]))

    assert api.get(_url(organisation)).status_code == 403
    response = api.post(
        _url(organisation, "invitations/"), {"email": "x@example.test"}, format="json"
    )
    assert response.status_code == 403
    assert not OrganisationInvitation.objects.exists()


@pytest.mark.parametrize("suffix", ["members/null/", "members/99999999999999999999/", "x\n/y/"])
def test_an_odd_path_is_a_problem_json_404(administrator, organisation, suffix):
    response = client_for(administrator).get(_url(organisation, suffix))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_an_unknown_right_is_refused_naming_the_field(administrator, clerk, organisation):
    response = client_for(administrator).put(
        _url(organisation, f"members/{clerk.pk}/"), {"rights": ["sign"]}, format="json"
    )

    assert response.status_code == 400
    assert any(key.startswith("rights") for key in response.json()["errors"])
    assert OrganisationMembership.objects.get(user=clerk).rights == ["draft"]


def _invite(administrator, organisation) -> OrganisationInvitation:
    client_for(administrator).post(
        _url(organisation, "invitations/"), {"email": "w@example.test"}, format="json"
    )
    return OrganisationInvitation.objects.get(email="w@example.test")


def test_an_administrator_withdraws_an_invitation(administrator, organisation):
    invitation = _invite(administrator, organisation)

    response = client_for(administrator).delete(_url(organisation, f"invitations/{invitation.pk}/"))

    assert response.status_code == 204
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert OrganisationEvent.objects.filter(event="invitation_withdrawn").count() == 1


def test_withdrawing_twice_is_a_conflict_and_writes_one_event(administrator, organisation):
    invitation = _invite(administrator, organisation)
    api = client_for(administrator)
    api.delete(_url(organisation, f"invitations/{invitation.pk}/"))

    response = api.delete(_url(organisation, f"invitations/{invitation.pk}/"))

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert OrganisationEvent.objects.filter(event="invitation_withdrawn").count() == 1


def test_a_plain_member_cannot_withdraw_an_invitation(administrator, clerk, organisation):
    invitation = _invite(administrator, organisation)

    response = client_for(clerk).delete(_url(organisation, f"invitations/{invitation.pk}/"))

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None


def test_another_organisations_invitation_is_a_404(administrator, organisation):
    invitation = _invite(administrator, organisation)
    outsider = UserFactory(username="outsider", roles=["applicant"])
    theirs = OrganisationFactory(members=[outsider])
    OrganisationMembership.objects.filter(user=outsider).update(administrator=True)

    response = client_for(outsider).delete(_url(theirs, f"invitations/{invitation.pk}/"))

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None
