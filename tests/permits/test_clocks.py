"""Decision deadlines against hand-computed dates, pauses, and the daily reminder sweep."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from permits import actions
from permits.compliance import clocks
from permits.compliance.clocks import DeadlineRule, Pause, deadline
from permits.models import PermitApplication
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

WORKING_5 = DeadlineRule(days=5, working_days=True)
CALENDAR_42 = DeadlineRule(days=42, working_days=False)


@pytest.mark.parametrize(
    ("start", "rule", "pauses", "expected"),
    [
        # Wed 1 April 2026: Thu 2, Fri 3, (weekend, Easter Monday 6), Tue 7, Wed 8, Thu 9.
        (date(2026, 4, 1), WORKING_5, [], date(2026, 4, 9)),
        # Mon 21 Dec 2026: 22, 23, 24, (Christmas, weekend), Mon 28, Tue 29.
        (date(2026, 12, 21), WORKING_5, [], date(2026, 12, 29)),
        # Around Ascension (Thu 14 May) and Whit Monday (25 May) 2026: 12, 13, 15, 18, 19.
        (date(2026, 5, 11), WORKING_5, [], date(2026, 5, 19)),
        # Around the National Day, Tue 21 July 2026: 20, 22, 23, 24, 27.
        (date(2026, 7, 17), WORKING_5, [], date(2026, 7, 27)),
        # 42 calendar days from 2 March 2026 is 13 April; ten paused days push it to 23 April.
        (date(2026, 3, 2), CALENDAR_42, [], date(2026, 4, 13)),
        (
            date(2026, 3, 2),
            CALENDAR_42,
            [Pause(date(2026, 3, 10), date(2026, 3, 20))],
            date(2026, 4, 23),
        ),
        # A pause over Easter Monday: the paused days (Fri 3 to Tue 7 April) do not count.
        (
            date(2026, 4, 1),
            WORKING_5,
            [Pause(date(2026, 4, 3), date(2026, 4, 8))],
            date(2026, 4, 13),
        ),
        # Two pauses, the second touching the first's end.
        (
            date(2026, 3, 2),
            CALENDAR_42,
            [
                Pause(date(2026, 3, 10), date(2026, 3, 12)),
                Pause(date(2026, 3, 12), date(2026, 3, 15)),
            ],
            date(2026, 4, 18),
        ),
        # Firearms: 60 working days from Mon 2 Nov 2026, over All Saints, Armistice, Christmas
        # and New Year: 60 working days in 13 weeks less 3 holidays on weekdays (11 Nov,
        # 25 Dec, 1 Jan) lands on Thu 28 January 2027.
        (date(2026, 11, 2), DeadlineRule(days=60, working_days=True), [], date(2027, 1, 28)),
    ],
)
def test_deadline_equals_the_hand_computed_date(start, rule, pauses, expected):
    assert deadline(start, rule, pauses) == expected


def test_a_running_pause_leaves_the_deadline_unknown():
    assert deadline(date(2026, 3, 2), CALENDAR_42, [Pause(date(2026, 3, 10), None)]) is None


def test_rules_come_from_the_settings_by_kind_and_regime(settings):
    assert clocks.rule_for("export", "military") == DeadlineRule(84, False)
    assert clocks.rule_for("import", "civil_firearms") == DeadlineRule(60, True)
    assert clocks.rule_for("import", "dual_use") == DeadlineRule(42, False)


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.mark.django_db
def test_submission_starts_the_clock(organisation, people):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "submitted",
        **people,
    )

    assert application.clock_started_on is not None
    assert application.decision_due_on == deadline(
        application.clock_started_on, DeadlineRule(84, False)
    )


@pytest.mark.django_db
def test_an_information_request_pauses_the_clock_and_the_answer_resumes_it(organisation, people):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "information_requested",
        **people,
    )
    assert application.decision_due_on is None
    pause = application.clock_pauses.get()
    assert pause.reason == "information_requested" and pause.ended_on is None

    application = actions.application_provide_information(
        application=application, actor=people["applicant"], reply="Here."
    )

    pause.refresh_from_db()
    assert pause.ended_on is not None
    assert application.decision_due_on is not None


@pytest.mark.django_db
def test_the_sweep_reminds_the_case_manager_once_per_point_and_escalates_when_overdue(
    organisation, people, django_capture_on_commit_callbacks
):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "under_review",
        **people,
    )
    PermitApplication.objects.filter(pk=application.pk).update(decision_due_on=date(2026, 6, 30))
    mail.outbox.clear()

    def run(day):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.deadline_reminders_send(today=day)

    assert run(date(2026, 6, 15))["case_manager_reminders"] == 0  # 15 days left
    assert run(date(2026, 6, 20))["case_manager_reminders"] == 1  # 10 days left
    assert run(date(2026, 6, 21))["case_manager_reminders"] == 0  # already reminded
    assert run(date(2026, 6, 27))["case_manager_reminders"] == 1  # 3 days left
    assert run(date(2026, 7, 1)) == {
        "case_manager_reminders": 0,
        "escalations": 1,
        "applicant_reminders": 0,
        "lapsed": 0,
        "return_reminders": 0,
        "returns_overdue": 0,
    }
    assert run(date(2026, 7, 2))["escalations"] == 0
    assert [m.to for m in mail.outbox] == [
        [people["case_manager"].email],
        [people["case_manager"].email],
        [people["head"].email],
    ]


@pytest.mark.django_db
def test_the_sweep_reminds_applicants_who_have_not_answered(
    organisation, people, django_capture_on_commit_callbacks
):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "information_requested",
        **people,
    )
    started = application.clock_pauses.get().started_on
    mail.outbox.clear()

    from datetime import timedelta

    def run(days):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.deadline_reminders_send(today=started + timedelta(days=days))

    assert run(9)["applicant_reminders"] == 0
    assert run(10)["applicant_reminders"] == 1
    assert run(11)["applicant_reminders"] == 0
    assert run(18)["applicant_reminders"] == 1
    assert [m.to for m in mail.outbox] == [[people["applicant"].email]] * 2


@pytest.mark.django_db
def test_an_unanswered_request_closes_the_file_after_the_configured_time(organisation, people):
    from datetime import timedelta

    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "information_requested",
        **people,
    )
    started = application.clock_pauses.get().started_on
    mail.outbox.clear()

    assert actions.deadline_reminders_send(today=started + timedelta(days=59))["lapsed"] == 0
    assert actions.deadline_reminders_send(today=started + timedelta(days=60))["lapsed"] == 1

    application.refresh_from_db()
    assert application.status == "withdrawn"
    record = application.history.state_changes().last()
    assert (record.transition, record.actor_role) == ("lapse", "system")
    assert not application.tasks.filter(completed_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_file_does_not_lapse_before_its_time(organisation, people):
    from workflow.exceptions import TransitionGuardFailed

    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "information_requested",
        **people,
    )

    with pytest.raises(TransitionGuardFailed):
        actions.application_lapse(application=application)


@pytest.mark.django_db
def test_the_daily_beat_task_acts_on_the_day_the_clock_shows(
    organisation, people, django_capture_on_commit_callbacks
):
    """The Celery task reads today's date itself: freeze the clock on chosen days."""
    import time_machine

    from permits.tasks import send_deadline_reminders

    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "under_review",
        **people,
    )
    PermitApplication.objects.filter(pk=application.pk).update(decision_due_on=date(2027, 3, 15))
    mail.outbox.clear()

    def on(day):
        with time_machine.travel(day, tick=False), django_capture_on_commit_callbacks(execute=True):
            return send_deadline_reminders()

    assert on(date(2027, 3, 4))["case_manager_reminders"] == 0  # 11 days left: nothing yet
    assert on(date(2027, 3, 5))["case_manager_reminders"] == 1  # 10 days left
    assert on(date(2027, 3, 16))["escalations"] == 1  # overdue

    assert [m.to for m in mail.outbox] == [[people["case_manager"].email], [people["head"].email]]
