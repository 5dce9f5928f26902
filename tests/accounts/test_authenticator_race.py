"""Two removals of one authenticator at the same moment (two tabs, one code): the user row
lock lets one through; the other finds no device and is refused, writing no second entry."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import authenticator_remove
from tests.accounts.test_second_factor import code_of, confirmed_device
from tests.conftest import requires_postgresql
from workflow.exceptions import TransitionGuardFailed

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def _blocked_backends() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_two_removals_with_one_code_remove_once(head):
    device = confirmed_device(head)
    code = code_of(device)
    results: list[object] = [None, None]

    def run(index):
        try:
            results[index] = authenticator_remove(user=head, code=code)
        except Exception as exc:  # the race's outcome is what is asserted
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    with transaction.atomic():
        get_user_model().objects.select_for_update().get(pk=head.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _blocked_backends() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _blocked_backends() == 2, "competitors never met at the lock"
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(type(r).__name__ for r in results) == ["TransitionGuardFailed", "int"]
    assert any(isinstance(r, TransitionGuardFailed) for r in results)
    assert not TOTPDevice.objects.filter(user=head).exists()
    assert LogEntry.objects.filter(object_id=str(head.pk)).count() == 1
