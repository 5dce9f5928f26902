"""The staff second factor (django-otp TOTP): the head of unit and the deciding actions need a
confirmed code, on the pages and in the API. Codes are computed from the device's key with
django-otp's own TOTP, as the authenticator app would."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.services import api_token_create
from permits.compliance.models import GovernmentDecision
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance, record_government_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def decisions_need_otp(settings):
    settings.OTP_REQUIRED_FOR_DECISIONS = True
    settings.STAFF_OTP_REQUIRED_ROLES = []
    return settings


@pytest.fixture
def pending(organisation, applicant, case_manager, head):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    application = advance(
        application, "pending_approval", applicant=applicant, case_manager=case_manager, head=head
    )
    return record_government_decision(application, head, "granted")


@pytest.fixture
def issued(organisation, applicant, case_manager, head):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    return advance(application, "issued", applicant=applicant, case_manager=case_manager, head=head)


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def code_of(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def verified_client(user, device: TOTPDevice) -> Client:
    client = Client()
    client.force_login(user)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": code_of(device)})
    assert response.status_code == 302
    return client


def approve_on_the_page(client: Client, application):
    return client.post(
        reverse("permits:application_transition", args=[application.url_key, "approve"])
    )


def status_of(application) -> str:
    application.refresh_from_db()
    return application.status


# --- Pages -------------------------------------------------------------------------------------


def test_head_without_a_second_factor_cannot_approve_on_the_page(decisions_need_otp, head, pending):
    client = Client()
    client.force_login(head)

    response = approve_on_the_page(client, pending)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert status_of(pending) == "pending_approval"


def test_head_with_a_device_but_no_code_this_session_is_sent_to_confirm_it(
    decisions_need_otp, head, pending
):
    confirmed_device(head)
    client = Client()
    client.force_login(head)

    response = approve_on_the_page(client, pending)

    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert status_of(pending) == "pending_approval"


def test_head_with_a_confirmed_code_approves_on_the_page(decisions_need_otp, head, pending):
    client = verified_client(head, confirmed_device(head))

    response = approve_on_the_page(client, pending)

    assert response.status_code == 302
    assert status_of(pending) == "issued"


def test_a_wrong_code_does_not_verify_the_session(decisions_need_otp, head, pending):
    device = confirmed_device(head)
    client = Client()
    client.force_login(head)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("accounts:two_factor_verify"), {"code": wrong})

    assert response.status_code == 400
    approve_on_the_page(client, pending)
    assert status_of(pending) == "pending_approval"


def test_the_governments_decision_needs_a_second_factor(
    decisions_need_otp, head, organisation, applicant, case_manager
):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "pending_approval",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    client = Client()
    client.force_login(head)
    form = {
        "government-outcome": "granted",
        "government-decided_on": date.today().isoformat(),
        "government-reference": "GOV-BXL-2026-0042",
    }
    url = reverse("permits:government_decision", args=[application.url_key])

    client.post(url, form)
    assert not GovernmentDecision.objects.filter(application=application).exists()

    verified = verified_client(head, confirmed_device(head))
    verified.post(url, form)
    assert GovernmentDecision.objects.filter(application=application).exists()


def test_suspending_a_licence_needs_a_second_factor(decisions_need_otp, head, issued):
    client = Client()
    client.force_login(head)
    url = reverse("permits:licence_status", args=[issued.url_key, "suspend"])

    response = client.post(url, {"reason": "Inquiry under way."})

    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    issued.licence.refresh_from_db()
    assert issued.licence.status == "valid"


def test_setting_up_the_authenticator_shows_a_qr_code_and_confirms_with_a_code(
    decisions_need_otp, head, pending
):
    client = Client()
    client.force_login(head)
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=head, confirmed=False)

    response = client.post(
        reverse("accounts:two_factor_setup"),
        {"code": code_of(device), "next": f"/applications/{pending.url_key}/"},
    )

    assert response["Location"] == f"/applications/{pending.url_key}/"
    device.refresh_from_db()
    assert device.confirmed
    approve_on_the_page(client, pending)  # the setup's code verified this session
    assert status_of(pending) == "issued"


# --- API ---------------------------------------------------------------------------------------


def api_client(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def approve_through_the_api(client: APIClient, application):
    return client.post(
        f"/api/v1/applications/{application.url_key}/transitions/approve/", {}, format="json"
    )


def test_a_token_created_without_a_second_factor_cannot_approve(decisions_need_otp, head, pending):
    confirmed_device(head)
    _token, plaintext = api_token_create(user=head, name="no second factor")

    response = approve_through_the_api(api_client(plaintext), pending)

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "second factor" in response.json()["detail"]
    assert status_of(pending) == "pending_approval"


def test_a_token_created_in_a_verified_session_approves(decisions_need_otp, head, pending):
    session = verified_client(head, confirmed_device(head))
    page = session.post(reverse("accounts:tokens"), {"name": "decisions"})
    plaintext = re.search(r'<code id="new-token">([^<]+)</code>', page.content.decode()).group(1)

    response = approve_through_the_api(api_client(plaintext), pending)

    assert response.status_code == 200
    assert status_of(pending) == "issued"


def test_a_token_stops_deciding_once_its_users_authenticator_is_removed(
    decisions_need_otp, head, pending
):
    device = confirmed_device(head)
    _token, plaintext = api_token_create(user=head, name="decisions", second_factor=True)
    device.delete()

    assert approve_through_the_api(api_client(plaintext), pending).status_code == 403
    assert status_of(pending) == "pending_approval"


def test_transitions_that_do_not_decide_need_no_second_factor(decisions_need_otp, head, pending):
    _token, plaintext = api_token_create(user=head, name="plain")
    response = api_client(plaintext).post(
        f"/api/v1/applications/{pending.url_key}/transitions/return_to_review/",
        {"comment": "Check the end-user certificate again."},
        format="json",
    )
    assert response.status_code == 200


def test_with_decisions_not_requiring_it_a_plain_token_approves(settings, head, pending):
    settings.OTP_REQUIRED_FOR_DECISIONS = False
    _token, plaintext = api_token_create(user=head, name="plain")
    assert approve_through_the_api(api_client(plaintext), pending).status_code == 200


# --- Roles that always need it -----------------------------------------------------------------


@pytest.fixture
def head_needs_otp(settings):
    settings.STAFF_OTP_REQUIRED_ROLES = ["head_of_unit"]
    settings.OTP_REQUIRED_FOR_DECISIONS = True
    return settings


def test_a_head_signing_in_must_confirm_a_code_before_any_page(head_needs_otp, head):
    device = confirmed_device(head)
    head.set_password("the-right-password")
    head.save()
    client = Client()

    response = client.post(
        reverse("login"), {"username": head.username, "password": "the-right-password"}
    )
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("accounts:two_factor_verify"))

    client.post(reverse("accounts:two_factor_verify"), {"code": code_of(device), "next": "/"})
    assert response.status_code == 302
    page = client.get("/", follow=True)
    assert page.status_code == 200
    assert "two-factor" not in page.request["PATH_INFO"]


def test_a_head_without_a_device_is_sent_to_set_one_up(head_needs_otp, head):
    client = Client()
    client.force_login(head)
    response = client.get("/")
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_a_head_cannot_use_the_api_with_a_token_made_without_the_second_factor(
    head_needs_otp, head
):
    _token, plaintext = api_token_create(user=head, name="plain")
    response = api_client(plaintext).get("/api/v1/applications/")
    assert response.status_code == 403


def test_a_case_manager_is_not_asked_for_a_code(head_needs_otp, case_manager):
    client = Client()
    client.force_login(case_manager)
    page = client.get("/", follow=True)
    assert page.status_code == 200
    assert "two-factor" not in page.request["PATH_INFO"]
    _token, plaintext = api_token_create(user=case_manager, name="plain")
    assert api_client(plaintext).get("/api/v1/applications/").status_code == 200


def test_the_demo_head_gets_an_authenticator_whose_codes_verify(settings):
    from django.core.management import call_command

    call_command("seed_demo", force=True)
    device = TOTPDevice.objects.get(user__username="head", confirmed=True)
    assert device.verify_token(code_of(device))


# --- The API's other deciding endpoints (API parity) ------------------------------------------


@pytest.mark.parametrize("action", ["suspend", "reinstate", "revoke"])
def test_a_token_without_a_second_factor_cannot_change_a_licence_status(
    decisions_need_otp, head, issued, action
):
    _token, plaintext = api_token_create(user=head, name="plain")

    response = api_client(plaintext).post(
        f"/api/v1/applications/{issued.url_key}/licence/{action}/",
        {"reason": "Embargo decided by the Council."},
        format="json",
    )

    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]
    issued.licence.refresh_from_db()
    assert issued.licence.status == "valid"


def test_a_token_without_a_second_factor_cannot_record_the_governments_decision(
    decisions_need_otp, head, organisation, applicant, case_manager
):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    application = advance(
        application, "pending_approval", applicant=applicant, case_manager=case_manager, head=head
    )
    _token, plaintext = api_token_create(user=head, name="plain")

    response = api_client(plaintext).post(
        f"/api/v1/applications/{application.url_key}/government-decision/",
        {"outcome": "granted", "decided_on": date.today().isoformat()},
        format="json",
    )

    assert response.status_code == 403
    assert not GovernmentDecision.objects.filter(application=application).exists()


def test_reading_the_governments_decision_needs_no_second_factor(decisions_need_otp, head, pending):
    _token, plaintext = api_token_create(user=head, name="plain")

    response = api_client(plaintext).get(
        f"/api/v1/applications/{pending.url_key}/government-decision/"
    )

    assert response.status_code == 200
