"""Degrade, don't fail: with the cache's Redis and the broker down, the API still lists and
approves, the public verification page answers, and /healthz/live/ says what is degraded."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client

from accounts.services import api_token_create
from config.cache import cache_config
from tests.conftest import broker_down
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db

NOBODY_LISTENS = "redis://127.0.0.1:1/1"


@pytest.fixture
def cache_down(settings):
    # The production configuration, pointed at a port where nothing listens.
    settings.CACHES = {"default": cache_config(NOBODY_LISTENS)}
    yield
    caches["default"].close()


def bearer(user) -> dict[str, str]:
    _token, plaintext = api_token_create(user=user, name="system")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


@pytest.fixture
def pending(organisation, applicant, case_manager, head):
    return advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "pending_approval",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )


def test_the_api_lists_with_the_cache_down(cache_down, applicant, organisation, pending):
    response = Client().get("/api/v1/applications/", **bearer(applicant))

    assert response.status_code == 200
    assert response.json()["results"][0]["reference"] == pending.reference


def test_the_api_approves_promptly_with_cache_and_broker_down(
    cache_down, head, pending, django_capture_on_commit_callbacks
):
    from tests.workflow_helpers import record_government_decision

    record_government_decision(pending, head, "granted")
    headers = bearer(head)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            f"/api/v1/applications/{pending.reference}/transitions/approve/",
            data={},
            content_type="application/json",
            **headers,
        )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "issued"


def test_verification_answers_with_the_cache_down(cache_down):
    response = Client().get("/verify/", {"licence": "BXL-ML-EXP-2026-999999"})

    assert response.status_code == 200


def test_liveness_says_the_cache_and_broker_are_down(cache_down):
    with broker_down():
        response = Client().get("/healthz/live/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "down",
        "broker": "down",
    }
