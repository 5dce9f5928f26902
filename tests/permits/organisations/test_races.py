"""Two administrators removing each other at the same moment: the organisation keeps one."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from permits.actions import organisations as org_actions
from permits.models import ApplicantOrganisation, OrganisationMembership
from tests.conftest import requires_postgresql
from tests.factories import UserFactory
from workflow.exceptions import TransitionForbidden

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def _blocked_backends() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _race(organisation_pk: int, *calls) -> list[object]:
    results: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            results[index] = call()
        except Exception as exc:  # the race's outcome is what is asserted
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    with transaction.atomic():
        ApplicantOrganisation.objects.select_for_update(no_key=True).get(pk=organisation_pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _blocked_backends() < len(calls) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _blocked_backends() == len(calls), "competitors never met at the lock"
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_administrators_removing_each_other_leave_one(organisation, applicant):
    second = UserFactory(username="second_admin", roles=["applicant"])
    organisation.members.add(second, through_defaults={"administrator": True})
    OrganisationMembership.objects.filter(user=applicant).update(administrator=True)

    results = _race(
        organisation.pk,
        lambda: org_actions.membership_remove(
            organisation=organisation, user_id=second.pk, actor=applicant
        ),
        lambda: org_actions.membership_remove(
            organisation=organisation, user_id=applicant.pk, actor=second
        ),
    )

    # The loser was removed first: no longer an administrator, it may remove no one.
    assert [type(r) for r in results if isinstance(r, Exception)] == [TransitionForbidden]
    assert organisation.memberships.filter(administrator=True).count() == 1


def test_an_invitation_withdrawn_while_it_is_accepted_ends_one_way_only(organisation, applicant):
    from permits.models import OrganisationInvitation
    from workflow.exceptions import TransitionConflict, TransitionGuardFailed

    OrganisationMembership.objects.filter(user=applicant).update(administrator=True)
    invitation, token = org_actions.membership_invite(
        organisation=organisation, actor=applicant, email="clerk@example.test"
    )
    results: list[object] = [None, None]

    def run(index, call):
        try:
            results[index] = call()
        except Exception as exc:  # the race's outcome is what is asserted
            results[index] = exc
        finally:
            connection.close()

    calls = (
        lambda: org_actions.membership_invitation_withdraw(invitation=invitation, actor=applicant),
        lambda: org_actions.membership_accept(
            token=token, actor=None, username="clerk", password="a-long-pass-phrase-9"
        ),
    )
    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    # Both wait on the invitation row, which each takes first.
    with transaction.atomic():
        OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _blocked_backends() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _blocked_backends() == 2, "competitors never met at the lock"
    for thread in threads:
        thread.join(timeout=30)

    invitation.refresh_from_db()
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1
    assert isinstance(failures[0], TransitionConflict | TransitionGuardFailed)
    joined = OrganisationMembership.objects.filter(user__username="clerk").exists()
    assert joined == (invitation.accepted_at is not None)
    assert (invitation.accepted_at is None) != (invitation.withdrawn_at is None)
