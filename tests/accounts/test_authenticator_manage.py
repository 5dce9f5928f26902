"""A staff member removes or replaces their own authenticator, proven by a current code of it;
the API tokens it vouched for are revoked, so they do not decide again with a new one."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse, reverse_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken
from accounts.services import api_token_create
from tests.accounts.test_second_factor import (
    api_client,
    approve_through_the_api,
    code_of,
    confirmed_device,
    status_of,
    verified_client,
)
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance, record_government_decision

pytestmark = pytest.mark.django_db

MANAGE = reverse_lazy("accounts:two_factor_manage")


@pytest.fixture
def decisions_need_otp(settings):
    settings.OTP_REQUIRED_FOR_DECISIONS = True
    settings.STAFF_OTP_REQUIRED_ROLES = ["head_of_unit"]
    return settings


@pytest.fixture
def pending(organisation, applicant, case_manager, head):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    application = advance(
        application, "pending_approval", applicant=applicant, case_manager=case_manager, head=head
    )
    return record_government_decision(application, head, "granted")


def _wrong(device) -> str:
    return f"{(int(code_of(device)) + 1) % 1_000_000:06d}"


def test_removing_needs_a_current_code(decisions_need_otp, head):
    device = confirmed_device(head)
    client = verified_client(head, device)

    response = client.post(str(MANAGE), {"op": "remove", "code": _wrong(device)})

    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=head).exists()
    assert not LogEntry.objects.exists()


def test_removing_with_a_code_deletes_the_device_and_writes_the_admin_history(
    decisions_need_otp, head
):
    device = confirmed_device(head)
    client = verified_client(head, device)
    # The code just used to sign in cannot serve twice: wait for the next one is not an
    # option in a test, so the device accepts the same step again once its last use is reset.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)

    response = client.post(str(MANAGE), {"op": "remove", "code": code_of(device)})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=head).exists()
    entry = LogEntry.objects.get(object_id=str(head.pk))
    assert "phone" in entry.get_change_message()


def test_replacing_sends_to_the_set_up_of_a_new_one(decisions_need_otp, head):
    device = confirmed_device(head)
    client = verified_client(head, device)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)

    response = client.post(str(MANAGE), {"op": "replace", "code": code_of(device)})

    assert response["Location"] == reverse("accounts:two_factor_setup")
    assert not TOTPDevice.objects.filter(user=head, confirmed=True).exists()
    # The session no longer counts as verified: the head must set up the new one first.
    assert client.get("/").status_code == 302


def test_tokens_made_with_the_second_factor_are_revoked(decisions_need_otp, head, pending):
    device = confirmed_device(head)
    decided_with, decider = api_token_create(user=head, name="decisions", second_factor=True)
    plain, _plaintext = api_token_create(user=head, name="reading")
    client = verified_client(head, device)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)

    client.post(str(MANAGE), {"op": "replace", "code": code_of(device)})
    # A new authenticator does not bring the old token's decision rights back.
    confirmed_device(head)

    assert approve_through_the_api(api_client(decider), pending).status_code == 401
    assert status_of(pending) == "pending_approval"
    assert ApiToken.objects.get(pk=decided_with.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=plain.pk).revoked_at is None


def test_someone_without_an_authenticator_is_sent_to_set_one_up(settings, case_manager):
    settings.STAFF_OTP_REQUIRED_ROLES = []
    client = Client()
    client.force_login(case_manager)

    response = client.get(str(MANAGE))

    assert response["Location"] == reverse("accounts:two_factor_setup")


@pytest.mark.parametrize(
    ("language", "text"), [("fr", "saisissez le code qu"), ("nl", "voert u de code in")]
)
def test_the_page_speaks_french_and_dutch(decisions_need_otp, head, language, text):
    client = verified_client(head, confirmed_device(head))

    page = client.get(str(MANAGE), HTTP_ACCEPT_LANGUAGE=language)

    assert page.status_code == 200
    assert f'lang="{language}"' in page.content.decode()
    assert text in page.content.decode().lower()


# --- Races and throttling -------------------------------------------------------------------


def test_a_wrong_code_counts_towards_django_otps_throttling(decisions_need_otp, head):
    from accounts.services import authenticator_remove
    from workflow.exceptions import TransitionGuardFailed

    device = confirmed_device(head)

    with pytest.raises(TransitionGuardFailed):
        authenticator_remove(user=head, code=_wrong(device))

    device.refresh_from_db()
    assert device.throttling_failure_count == 1
