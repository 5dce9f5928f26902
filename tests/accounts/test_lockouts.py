"""Guessing passwords or tokens is not free: after LOGIN_FAILURE_LIMIT failures the account
(or the address) is locked out, even for the right password, until the head of unit lifts it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services import api_token_create

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password"


@pytest.fixture
def member(applicant):
    applicant.set_password(PASSWORD)
    applicant.save()
    return applicant


def sign_in(client: Client, username: str, password: str, address: str = "192.0.2.10"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(member, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, member.username, "guess").status_code == 200
    assert sign_in(client, member.username, "guess").status_code == 429

    response = sign_in(client, member.username, PASSWORD)

    assert response.status_code == 429
    assert not signed_in(client)


def test_the_account_stays_locked_from_another_address(member, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), member.username, "guess", address="192.0.2.10")

    client = Client()
    sign_in(client, member.username, PASSWORD, address="198.51.100.7")

    assert not signed_in(client)


def test_one_address_guessing_many_accounts_is_locked_out(member, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), f"someone-{number}", "guess", address="203.0.113.5")

    client = Client()
    sign_in(client, member.username, PASSWORD, address="203.0.113.5")

    assert not signed_in(client)


def test_a_success_before_the_limit_starts_the_count_again(member, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(Client(), member.username, "guess")
    sign_in(Client(), member.username, PASSWORD)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(Client(), member.username, "guess")

    client = Client()
    sign_in(client, member.username, PASSWORD)

    assert signed_in(client)


def test_the_head_of_unit_lifts_a_lockout(member, head, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), member.username, "guess")
    staff = Client()
    staff.force_login(head)

    page = staff.get(reverse("accounts:lockouts"))
    assert member.username in page.content.decode()
    staff.post(reverse("accounts:lockouts"), {"username": member.username})

    client = Client()
    sign_in(client, member.username, PASSWORD)
    assert signed_in(client)


@pytest.mark.parametrize("role", ["case_manager", "auditor", "other_applicant"])
def test_only_the_head_of_unit_sees_or_lifts_lockouts(member, role, request, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), member.username, "guess")
    other = Client()
    other.force_login(request.getfixturevalue(role))

    assert other.get(reverse("accounts:lockouts")).status_code == 404
    assert (
        other.post(reverse("accounts:lockouts"), {"username": member.username}).status_code == 404
    )
    client = Client()
    sign_in(client, member.username, PASSWORD)
    assert not signed_in(client)


def test_an_address_sending_bad_tokens_is_refused_for_a_while(member, settings):
    _token, plaintext = api_token_create(user=member, name="ERP")
    client = Client(REMOTE_ADDR="192.0.2.99")
    url = "/api/v1/applications/"
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        bad = client.get(url, HTTP_AUTHORIZATION="Bearer 0000abcd.wrong")
        assert bad.status_code == 401

    refused = client.get(url, HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert (
        Client(REMOTE_ADDR="192.0.2.100")
        .get(url, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        .status_code
        == 200
    )
