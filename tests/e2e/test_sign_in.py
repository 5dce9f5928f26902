"""Signing in, in the browser: through the federal authentication service (a real OpenID
Connect provider, panva's oidc-provider, on loopback) and the head of unit's second factor."""

from __future__ import annotations

import os
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.management.commands.oidc_discover import discover
from tests.accounts import oidc_provider
from tests.e2e.conftest import PASSWORD, Session
from tests.factories import OrganisationFactory, UserFactory

expect = pytest.importorskip(
    "playwright.sync_api", reason="needs Playwright (pip install -e '.[dev]')"
).expect


@pytest.fixture
def provider(site, settings):
    reason = oidc_provider.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    running = oidc_provider.start(
        emails={"85073003328": "amelie@example.test"},
        redirect_uri=f"{site.url}/account/oidc/callback/",
    )
    for name, value in discover(running.issuer).items():
        setattr(settings, name, value)
    settings.OIDC_RP_CLIENT_ID = oidc_provider.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.CLIENT_SECRET
    yield running
    oidc_provider.stop(running)


def test_an_applicant_signs_in_with_the_federal_authentication_service(browser, site, provider):
    amelie = UserFactory(username="amelie", email="amelie@example.test", roles=["applicant"])
    OrganisationFactory(legal_name="Optronique Bruxelloise SA", members=[amelie])
    session = Session(browser, site.url, "amelie")
    page = session.page
    try:
        page.goto("/accounts/login/")
        session.shoot("sign-in-01-login-with-federal-button")
        page.get_by_role("link", name="Sign in with the federal authentication service").click()
        # The provider's own (development) login and consent pages.
        page.locator("input[name=login]").fill("85073003328")
        page.locator("input[name=password]").fill("any-password")
        page.locator("button[type=submit]").click()
        page.locator("button[type=submit]").click()
        expect(page.get_by_role("heading", name="My applications")).to_be_visible()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
    finally:
        session.close()


def test_the_head_enters_the_code_of_the_authenticator_after_signing_in(browser, site, settings):
    settings.STAFF_OTP_REQUIRED_ROLES = ["head_of_unit"]
    settings.OTP_REQUIRED_FOR_DECISIONS = True
    head = UserFactory(username="helene", roles=["head_of_unit"], password=PASSWORD)
    device = TOTPDevice.objects.create(user=head, name="phone", confirmed=True)
    session = Session(browser, site.url, "helene")
    page = session.page
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("helene")
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Second factor")).to_be_visible()
        session.shoot("sign-in-02-second-factor")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        page.get_by_label("Code from your authenticator app").fill(f"{totp.token():06d}")
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("heading", name="Files pending approval")).to_be_visible()
    finally:
        session.close()


def test_a_case_manager_sets_up_an_authenticator(browser, site):
    UserFactory(username="chloe", roles=["case_manager"], password=PASSWORD)
    session = Session(browser, site.url, "chloe").login()
    page = session.page
    try:
        page.goto("/account/two-factor/setup/")
        expect(page.get_by_role("img", name="QR code to add this account")).to_be_visible()
        session.shoot("sign-in-03-authenticator-setup")
        secret = page.locator("#totp-secret").inner_text()
        device = TOTPDevice.objects.get(user__username="chloe", confirmed=False)
        assert secret.replace(" ", "")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        page.get_by_label("Code from your authenticator app").fill(f"{totp.token():06d}")
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_text("Your authenticator app is set up and confirmed.")).to_be_visible()
        device.refresh_from_db()
        assert device.confirmed
    finally:
        session.close()
