"""Two first sign-ins of the same person at once (two tabs): one account, one identity."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction

from accounts.models import OidcIdentity
from accounts.oidc import FederalSignInBackend
from tests.conftest import requires_postgresql

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def _blocked_backends() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def configured(settings):
    settings.OIDC_RP_CLIENT_ID = "bxl-permits"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_ISSUER = "https://idp.example.test"
    for name in ("AUTHORIZATION", "TOKEN", "USER", "JWKS"):
        setattr(settings, f"OIDC_OP_{name}_ENDPOINT", f"https://idp.example.test/{name.lower()}")
    return settings


def test_two_first_sign_ins_of_one_person_at_once_create_one_account(configured):
    claims = {"sub": "85073003328", "email": "anna@example.test", "email_verified": True}
    applicants = Group.objects.get_or_create(name="applicant")[0]
    results: list[object] = [None, None]

    def sign_in(index: int) -> None:
        try:
            results[index] = FederalSignInBackend().create_user(claims)
        except Exception as exc:  # what each saw is what the test asserts on
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(2)]
    # The starting gun: both block (on the role's row, or on the other's new account) until
    # the main thread lets go, so they really ran at the same time.
    with transaction.atomic():
        Group.objects.select_for_update().get(pk=applicants.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _blocked_backends() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _blocked_backends() == 2, "the two sign-ins never met"
    for thread in threads:
        thread.join(timeout=30)

    users = get_user_model().objects.filter(oidc_identities__subject="85073003328")
    assert users.count() == 1
    assert OidcIdentity.objects.count() == 1
    assert [getattr(result, "pk", result) for result in results] == [users.get().pk] * 2
