"""Sign-in through OpenID Connect, end to end against a real provider (panva's oidc-provider)
started on loopback: the authorization-code flow with PKCE, RS256 ID tokens checked against
the provider's JWKS, and who the person becomes here."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from accounts.management.commands.oidc_discover import discover
from accounts.models import OidcIdentity
from tests.factories import UserFactory
from workflow.roles import Role, user_roles

from . import oidc_provider

pytestmark = pytest.mark.django_db

NATIONAL_NUMBER = "85073003328"


@pytest.fixture(scope="module")
def provider():
    reason = oidc_provider.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    running = oidc_provider.start(emails={NATIONAL_NUMBER: "anna.peeters@example.test"})
    yield running
    oidc_provider.stop(running)


@pytest.fixture
def configured(settings, provider):
    """The site configured for the provider from its own discovery document."""
    for name, value in discover(provider.issuer).items():
        setattr(settings, name, value)
    settings.OIDC_RP_CLIENT_ID = oidc_provider.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.CLIENT_SECRET
    return settings


def start(client: Client, next_url: str = "") -> str:
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    response = client.get(reverse("accounts:oidc_start") + query)
    assert response.status_code == 302
    return response["Location"]


def sign_in(client: Client, login: str, next_url: str = ""):
    callback = oidc_provider.authorize(start(client, next_url), login)
    return client.get(oidc_provider.path_of(callback))


def signed_in_user_id(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def test_login_page_offers_the_federal_sign_in_only_when_configured(settings, configured):
    page = Client().get(reverse("login"))
    assert reverse("accounts:oidc_start") in page.content.decode()

    settings.OIDC_RP_CLIENT_ID = ""
    page = Client().get(reverse("login"))
    assert reverse("accounts:oidc_start") not in page.content.decode()
    assert Client().get(reverse("accounts:oidc_start")).status_code == 404


def test_authorization_request_asks_for_a_code_with_pkce_and_a_nonce(configured):
    query = parse_qs(urlsplit(start(Client())).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"] and query["state"]


def test_company_user_is_linked_by_verified_email_and_then_by_identifier(configured):
    anna = UserFactory(username="anna", email="anna.peeters@example.test", roles=["applicant"])
    client = Client()

    response = sign_in(client, NATIONAL_NUMBER, next_url="/applications/")

    assert response.status_code == 302
    assert response["Location"] == "/applications/"
    assert signed_in_user_id(client) == anna.pk
    identity = OidcIdentity.objects.get(user=anna)
    assert (identity.issuer, identity.subject) == (configured.OIDC_OP_ISSUER, NATIONAL_NUMBER)

    # Later the identifier alone finds her, whatever her e-mail address here has become.
    anna.email = "anna@another-company.test"
    anna.save()
    again = Client()
    sign_in(again, NATIONAL_NUMBER)
    assert signed_in_user_id(again) == anna.pk


def test_unknown_person_gets_a_company_account_without_organisation_or_password(configured):
    client = Client()
    sign_in(client, "95010112345")

    identity = OidcIdentity.objects.get(subject="95010112345")
    user = identity.user
    assert signed_in_user_id(client) == user.pk
    assert user_roles(user) == {Role.APPLICANT}
    assert not user.has_usable_password()
    assert not user.is_staff and not user.applicant_organisations.exists()
    assert user.email == "95010112345@example.test"


def test_no_account_is_created_when_creation_is_off(configured):
    configured.OIDC_CREATE_USERS = False
    client = Client()
    response = sign_in(client, "95010112345")
    assert response["Location"] == reverse("login")
    assert signed_in_user_id(client) is None
    assert not OidcIdentity.objects.exists()


def test_a_staff_account_is_never_linked_by_email(configured):
    UserFactory(username="carla", email="carla@example.test", roles=["case_manager"])
    client = Client()

    response = sign_in(client, "carla")

    assert response["Location"] == reverse("login")
    assert signed_in_user_id(client) is None
    assert not OidcIdentity.objects.exists()


def test_staff_identity_linked_by_an_operator_signs_in_with_the_staff_idle_timeout(configured):
    head = UserFactory(username="helene", roles=["head_of_unit"])
    OidcIdentity.objects.create(user=head, issuer=configured.OIDC_OP_ISSUER, subject="helene-fas")
    client = Client()

    sign_in(client, "helene-fas")

    assert signed_in_user_id(client) == head.pk
    assert client.session.get_expiry_age() == configured.SESSION_IDLE_SECONDS_STAFF


def test_a_callback_with_a_state_this_browser_was_not_given_is_refused(configured):
    client = Client()
    callback = oidc_provider.authorize(start(client), NATIONAL_NUMBER)
    parts = urlsplit(callback)
    query = parse_qs(parts.query)
    forged = urlencode({"code": query["code"][0], "state": "forged-state"})

    response = client.get(f"{parts.path}?{forged}")

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert signed_in_user_id(client) is None


def test_a_code_sent_to_another_browser_is_refused(configured):
    UserFactory(username="anna", email="anna.peeters@example.test", roles=["applicant"])
    victim = Client()
    callback = oidc_provider.authorize(start(victim), NATIONAL_NUMBER)

    attacker = Client()
    start(attacker)  # the attacker has states of their own, not the victim's
    response = attacker.get(oidc_provider.path_of(callback))

    assert response["Location"] == reverse("login")
    assert signed_in_user_id(attacker) is None


def test_an_id_token_that_does_not_verify_against_the_trusted_keys_is_refused(configured):
    # The site trusts keys that did not sign the provider's token: as for a forged token.
    configured.OIDC_OP_JWKS_ENDPOINT = f"{configured.OIDC_OP_ISSUER}/impostor/jwks"
    UserFactory(username="anna", email="anna.peeters@example.test", roles=["applicant"])
    client = Client()

    response = sign_in(client, NATIONAL_NUMBER)

    assert response["Location"] == reverse("login")
    assert signed_in_user_id(client) is None
    assert not OidcIdentity.objects.exists()


def test_an_id_token_from_another_issuer_is_refused(configured):
    configured.OIDC_OP_ISSUER = "https://idp.another-provider.test"
    client = Client()
    response = sign_in(client, NATIONAL_NUMBER)
    assert response["Location"] == reverse("login")
    assert signed_in_user_id(client) is None


def test_password_sign_in_still_works_and_axes_still_counts(configured):
    UserFactory(username="anna", password="the-right-password", roles=["applicant"])
    client = Client()
    for _attempt in range(configured.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "anna", "password": "guess"})
    locked = client.post(reverse("login"), {"username": "anna", "password": "the-right-password"})
    assert locked.status_code == 429

    other = Client()
    other.post(
        reverse("login"),
        {"username": "anna", "password": "the-right-password"},
        REMOTE_ADDR="192.0.2.77",
    )
    assert signed_in_user_id(other) is None  # the account is locked, whatever the address


def test_a_locked_out_address_cannot_sign_in_through_the_provider_either(configured):
    UserFactory(username="anna", email="anna.peeters@example.test", roles=["applicant"])
    client = Client()
    for attempt in range(configured.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": f"guess{attempt}", "password": "x"})

    sign_in(client, NATIONAL_NUMBER)

    assert signed_in_user_id(client) is None


def test_a_session_opened_through_the_provider_survives_removing_the_configuration(configured):
    UserFactory(username="anna", email="anna.peeters@example.test", roles=["applicant"])
    client = Client()
    sign_in(client, NATIONAL_NUMBER)

    configured.OIDC_RP_CLIENT_ID = ""

    page = client.get("/", follow=True)
    assert page.status_code == 200
    assert page.context["user"].username == "anna"


def test_oidc_discover_prints_the_provider_settings(provider):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("oidc_discover", provider.issuer, stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    assert lines["OIDC_OP_ISSUER"] == provider.issuer
    assert lines["OIDC_OP_JWKS_ENDPOINT"] == f"{provider.issuer}/jwks"


def test_an_id_token_altered_on_its_way_is_refused(configured):
    # The token says "I am the head of unit's identity" with the provider's genuine signature
    # of another payload: the signature check fails and nobody is signed in.
    head = UserFactory(username="helene", roles=["head_of_unit"])
    OidcIdentity.objects.create(user=head, issuer=configured.OIDC_OP_ISSUER, subject="helene-fas")
    proxy = oidc_provider.TamperingTokenProxy(configured.OIDC_OP_TOKEN_ENDPOINT, sub="helene-fas")
    configured.OIDC_OP_TOKEN_ENDPOINT = proxy.url
    client = Client()
    try:
        response = sign_in(client, "mallory")
    finally:
        proxy.close()

    assert response["Location"] == reverse("login")
    assert signed_in_user_id(client) is None
