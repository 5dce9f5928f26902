from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from permits.models import PermitApplication, Status
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_applications_in_every_state():
    call_command("seed_demo", force=True)

    states = Counter(PermitApplication.objects.values_list("status", flat=True))
    assert set(states) == set(Status.values)
    assert sum(states.values()) == 12


def test_seed_demo_users_log_in_with_the_documented_password():
    call_command("seed_demo", force=True)

    for username in ("applicant", "casemanager", "head", "auditor", "admin"):
        # A sign-in comes with its request: the lockout counts failures per address.
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password="permits-demo") is not None


def test_seed_demo_run_twice_changes_nothing():
    call_command("seed_demo", force=True)
    before = (PermitApplication.objects.count(), TransitionRecord.objects.count())

    call_command("seed_demo", force=True)

    assert (PermitApplication.objects.count(), TransitionRecord.objects.count()) == before


def test_seed_demo_refuses_to_run_without_debug():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo")
    assert not PermitApplication.objects.exists()
