from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from permits import tasks
from permits.models import Licence
from tests.conftest import wait_for
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance


@pytest.fixture
def issued(organisation, applicant, case_manager, head):
    def make():
        return advance(
            ApplicationFactory(organisation=organisation, created_by=applicant),
            "issued",
            applicant=applicant,
            case_manager=case_manager,
            head=head,
        )

    return make


def _end_validity(application, days_ago: int) -> None:
    Licence.objects.filter(application=application).update(
        valid_until=timezone.localdate() - timedelta(days=days_ago)
    )


@pytest.mark.django_db
def test_sweep_expires_only_licences_whose_validity_ended(issued):
    ended, still_valid, ends_today = issued(), issued(), issued()
    _end_validity(ended, days_ago=1)
    _end_validity(ends_today, days_ago=0)

    assert tasks.expire_licences() == 1

    for application in (ended, still_valid, ends_today):
        application.refresh_from_db()
    assert [ended.status, still_valid.status, ends_today.status] == ["expired", "issued", "issued"]


@pytest.mark.django_db
def test_sweep_run_twice_changes_nothing_the_second_time(issued):
    application = issued()
    _end_validity(application, days_ago=3)

    assert tasks.expire_licences() == 1
    assert tasks.expire_licences() == 0
    assert application.history.filter(transition="expire").count() == 1


@pytest.mark.django_db
def test_sweep_leaves_revoked_licences_alone(issued, head):
    from permits import actions

    application = issued()
    actions.application_revoke(application=application, actor=head, reason="Breach")
    _end_validity(application, days_ago=3)

    assert tasks.expire_licences() == 0
    application.refresh_from_db()
    assert application.status == "revoked"


def test_the_sweep_is_scheduled_daily_by_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["expire-licences-daily"]

    assert entry["task"] == tasks.expire_licences.name
    assert tasks.expire_licences.name in celery_app.tasks
    assert tasks.expire_licences.acks_late is True


def test_a_real_worker_on_redis_runs_the_sweep(celery_worker_on_redis, issued):
    application = issued()
    _end_validity(application, days_ago=1)

    tasks.expire_licences.delay()

    def expired():
        application.refresh_from_db()
        return application.status == "expired"

    assert wait_for(expired)
    assert application.history.filter(transition="expire").get().actor_role == "system"
