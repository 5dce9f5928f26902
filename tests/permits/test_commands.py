from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from permits.models import PermitApplication, Status
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_applications_in_every_state():
    call_command("seed_demo")

    states = Counter(PermitApplication.objects.values_list("status", flat=True))
    assert set(states) == set(Status.values)
    assert sum(states.values()) == 12


def test_seed_demo_users_log_in_with_the_documented_password():
    call_command("seed_demo")

    for username in ("applicant", "casemanager", "head", "auditor", "admin"):
        assert authenticate(username=username, password="permits-demo") is not None


def test_seed_demo_run_twice_changes_nothing():
    call_command("seed_demo")
    before = (PermitApplication.objects.count(), TransitionRecord.objects.count())

    call_command("seed_demo")

    assert (PermitApplication.objects.count(), TransitionRecord.objects.count()) == before
