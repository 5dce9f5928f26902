"""Personal API tokens: hashed, revocable, last use recorded, managed in the web app and by
operators with manage.py create_api_token."""

from __future__ import annotations

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def test_only_a_hash_of_the_token_is_stored(applicant):
    token, plaintext = api_token_create(user=applicant, name="ERP")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert plaintext not in str(stored)
    assert stored["key_hash"] == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext.startswith(stored["prefix"] + ".")


def test_a_token_authenticates_its_user(applicant, organisation):
    _token, plaintext = api_token_create(user=applicant, name="ERP")
    assert bearer(plaintext).get("/api/v1/applications/").status_code == 200


def test_a_revoked_token_is_refused(applicant):
    token, plaintext = api_token_create(user=applicant, name="ERP")
    api_token_revoke(token=token, actor=applicant)
    assert bearer(plaintext).get("/api/v1/applications/").status_code == 401


def test_a_wrong_secret_with_a_valid_prefix_is_refused(applicant):
    token, _plaintext = api_token_create(user=applicant, name="ERP")
    assert bearer(f"{token.prefix}.guessed").get("/api/v1/applications/").status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer \u00e9t\u00e9", "Bearer x"])
def test_malformed_bearer_headers_are_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/applications/").status_code == 401


def test_a_token_of_an_inactive_user_is_refused(applicant):
    _token, plaintext = api_token_create(user=applicant, name="ERP")
    applicant.is_active = False
    applicant.save()
    assert bearer(plaintext).get("/api/v1/applications/").status_code == 401


def test_use_records_the_last_used_time(applicant):
    token, plaintext = api_token_create(user=applicant, name="ERP")
    assert token.last_used_at is None
    bearer(plaintext).get("/api/v1/applications/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_nobody_else_can_revoke_a_token(applicant, head):
    from workflow.exceptions import TransitionForbidden

    token, _plaintext = api_token_create(user=applicant, name="ERP")
    with pytest.raises(TransitionForbidden):
        api_token_revoke(token=token, actor=head)


def test_create_api_token_prints_a_working_token(applicant, organisation):
    out = StringIO()
    call_command("create_api_token", "applicant", stdout=out)
    plaintext = out.getvalue().strip()
    assert bearer(plaintext).get("/api/v1/applications/").status_code == 200


def test_create_api_token_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=StringIO())


def test_tokens_page_creates_a_token_shown_once(applicant, organisation):
    client = Client()
    client.force_login(applicant)
    response = client.post("/account/tokens/", {"name": "Compliance system"})
    assert response.status_code == 201
    plaintext = re.search(r'<code id="new-token">([^<]+)</code>', response.content.decode())[1]
    assert bearer(plaintext).get("/api/v1/applications/").status_code == 200
    listing = client.get("/account/tokens/").content.decode()
    assert "Compliance system" in listing
    assert plaintext not in listing


def test_tokens_page_shows_last_use_and_revokes(applicant, organisation):
    token, plaintext = api_token_create(user=applicant, name="ERP")
    bearer(plaintext).get("/api/v1/applications/")
    client = Client()
    client.force_login(applicant)
    assert "never" not in client.get("/account/tokens/").content.decode()
    response = client.post(f"/account/tokens/{token.prefix}/revoke/")
    assert response.status_code == 302
    assert bearer(plaintext).get("/api/v1/applications/").status_code == 401


def test_tokens_page_cannot_revoke_someone_elses_token(applicant, head):
    token, _plaintext = api_token_create(user=applicant, name="ERP")
    client = Client()
    client.force_login(head)
    assert client.post(f"/account/tokens/{token.prefix}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_page_needs_csrf(applicant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    assert client.post("/account/tokens/", {"name": "x"}).status_code == 403


def test_tokens_page_needs_login(db):
    assert Client().get("/account/tokens/").status_code == 302


def test_session_authentication_works_for_the_browser(applicant, organisation):
    client = APIClient()
    client.force_login(applicant)
    assert client.get("/api/v1/applications/").status_code == 200


def test_session_writes_need_csrf(applicant, organisation):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(applicant)
    response = client.post("/api/v1/applications/", {"kind": "export"}, format="json")
    assert response.status_code == 403
