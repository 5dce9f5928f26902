"""The Brussels regional closures: an overlay on the national holidays that statutory
working-day clocks skip or count as a setting says, and on which no reminder goes out."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from permits import actions
from permits.compliance.clocks import DeadlineRule, deadline, is_regional_closure
from permits.models import PermitApplication
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

FIVE_WORKING_DAYS = DeadlineRule(days=5, working_days=True)


def test_the_overlay_holds_iris_day_and_the_year_end_closures():
    assert is_regional_closure(date(2026, 5, 8))
    assert is_regional_closure(date(2026, 12, 29))
    assert not is_regional_closure(date(2026, 5, 7))


def test_working_day_clocks_count_the_closures_when_the_setting_says_so(settings):
    settings.STATUTORY_CLOCKS_SKIP_REGIONAL_CLOSURES = False

    # Mon 2 Nov 2026 … Fri 6 Nov: 2 November is a regional closure, counted here.
    assert deadline(date(2026, 10, 30), FIVE_WORKING_DAYS) == date(2026, 11, 6)


def test_working_day_clocks_skip_the_closures_when_the_setting_says_so(settings):
    settings.STATUTORY_CLOCKS_SKIP_REGIONAL_CLOSURES = True

    assert deadline(date(2026, 10, 30), FIVE_WORKING_DAYS) == date(2026, 11, 9)


def test_the_closures_are_configurable(settings):
    settings.REGIONAL_CLOSURE_DAYS = ["07-21"]

    assert not is_regional_closure(date(2026, 5, 8))


@pytest.mark.django_db
def test_no_reminder_falls_on_a_closure_it_goes_out_the_day_after(
    organisation, applicant, case_manager, head, django_capture_on_commit_callbacks
):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "under_review",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    # 10 days before the deadline is Friday 8 May 2026, Iris day.
    PermitApplication.objects.filter(pk=application.pk).update(decision_due_on=date(2026, 5, 18))
    mail.outbox.clear()

    def run(day):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.deadline_reminders_send(today=day)["case_manager_reminders"]

    assert run(date(2026, 5, 8)) == 0
    assert run(date(2026, 5, 9)) == 1
