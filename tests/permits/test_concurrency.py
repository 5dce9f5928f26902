"""Races on real PostgreSQL connections: one thread per actor, a held row lock as starting gun.

The main thread locks the application row, starts the competitors, waits until PostgreSQL
reports every one of them blocked on that lock, then lets go. Each competitor therefore
really ran at the same time as the other, and the assertions are about what they saw.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, connections, transaction

from permits import actions
from permits.models import Licence, PermitApplication, ReferenceCounter
from tests.conftest import requires_postgresql
from tests.factories import ApplicationFactory, UserFactory
from tests.workflow_helpers import advance, mark_refusal_ground, record_government_decision
from workflow.exceptions import TransitionConflict
from workflow.models import TransitionRecord

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def _blocked_backends() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def race(lock_pk: int | None, *calls):
    """Run ``calls`` in threads at the same moment; return what each returned or raised."""
    results: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            results[index] = call()
        except Exception as exc:  # the race's outcome is what we assert on
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    with transaction.atomic():
        if lock_pk is not None:
            PermitApplication.objects.select_for_update().get(pk=lock_pk)
        else:
            ReferenceCounter.objects.select_for_update().get()
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _blocked_backends() < len(calls) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _blocked_backends() == len(calls), "competitors never met at the lock"
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def cast(applicant, organisation, case_manager, second_case_manager, head, second_head):
    return {
        "applicant": applicant,
        "organisation": organisation,
        "case_manager": case_manager,
        "second_case_manager": second_case_manager,
        "head": head,
        "second_head": second_head,
    }


def _application(cast, state):
    return advance(
        ApplicationFactory(organisation=cast["organisation"], created_by=cast["applicant"]),
        state,
        applicant=cast["applicant"],
        case_manager=cast["case_manager"],
        head=cast["head"],
    )


def _one_winner(results):
    winners = [r for r in results if isinstance(r, PermitApplication)]
    losers = [r for r in results if isinstance(r, TransitionConflict)]
    assert len(winners) == 1 and len(losers) == len(results) - 1, results
    return winners[0]


# Each transition raced against itself by two actors allowed to make it (or the same actor
# twice, as with a double click), each holding its own stale copy of the application.
RACES = {
    "submit": ("draft", "applicant", "applicant", {}),
    "start_review": ("submitted", "case_manager", "second_case_manager", {}),
    "request_information": ("under_review", "case_manager", "case_manager", {"message": "EUC?"}),
    "provide_information": ("information_requested", "applicant", "applicant", {"reply": "Here"}),
    "propose_decision": (
        "under_review",
        "case_manager",
        "case_manager",
        {"recommendation": "grant", "reasons": "Fine"},
    ),
    "return_to_review": ("pending_approval", "head", "second_head", {"comment": "Again"}),
    "approve": ("pending_approval", "head", "second_head", {}),
    "refuse": ("pending_approval", "head", "second_head", {"grounds": "Criterion 2"}),
    "withdraw": ("submitted", "applicant", "applicant", {}),
    "revoke": ("issued", "head", "second_head", {"reason": "Breach"}),
    "expire": ("issued", None, None, {}),
    "lapse": ("information_requested", None, None, {}),
}


def test_every_transition_has_a_race():
    assert set(RACES) == set(actions.TRANSITION_ACTIONS)


@pytest.mark.parametrize("name", list(RACES))
def test_the_same_transition_raced_twice_happens_once(name, cast):
    state, first, second, payload = RACES[name]
    application = _application(cast, state)
    if name == "expire":
        payload = {"today": application.licence.valid_until + timedelta(days=1)}
    if name == "lapse":
        payload = {"today": date.today() + timedelta(days=61)}
    if name == "refuse":
        mark_refusal_ground(application, cast["case_manager"])
        record_government_decision(application, cast["head"], "refused")
    if name == "approve":
        record_government_decision(application, cast["head"], "granted")
    service = actions.TRANSITION_ACTIONS[name]
    copies = [PermitApplication.objects.get(pk=application.pk) for _ in range(2)]
    made = TransitionRecord.objects.filter(application=application, transition=name)
    made_before = made.count()

    results = race(
        application.pk,
        *[
            (
                lambda copy=copy, who=who: service(
                    application=copy, actor=cast[who] if who else None, **payload
                )
            )
            for copy, who in zip(copies, (first, second), strict=True)
        ],
    )

    _one_winner(results)
    assert made.count() == made_before + 1


def test_approve_and_refuse_at_once_give_one_decision_and_at_most_one_licence(cast, settings):
    settings.DECISION_AUTHORITY = {"default": "head_of_unit"}  # the head decides both ways
    application = mark_refusal_ground(_application(cast, "pending_approval"), cast["case_manager"])

    results = race(
        application.pk,
        lambda: actions.application_approve(application=application, actor=cast["head"]),
        lambda: actions.application_refuse(
            application=application, actor=cast["second_head"], grounds="Criterion 4"
        ),
    )

    winner = _one_winner(results)
    assert Licence.objects.filter(application=application).count() == (
        1 if winner.status == "issued" else 0
    )
    assert (
        TransitionRecord.objects.filter(
            application=application, transition__in=["approve", "refuse"]
        ).count()
        == 1
    )


def test_two_heads_approving_at_once_screen_once_and_issue_one_licence(cast, settings):
    """The approval screens inside its own transaction, under the file's lock: the head who
    waited finds the file issued and is refused before screening, so the file has one
    pre-decision screening run, the winner's, recorded with its approval."""
    settings.DECISION_AUTHORITY = {"default": "head_of_unit"}
    application = _application(cast, "pending_approval")

    results = race(
        application.pk,
        lambda: actions.application_approve(application=application, actor=cast["head"]),
        lambda: actions.application_approve(application=application, actor=cast["second_head"]),
    )

    _one_winner(results)
    assert Licence.objects.filter(application=application).count() == 1
    assert application.screenings.filter(occasion="pre_decision").count() == 1
    records = list(
        TransitionRecord.objects.filter(
            application=application, transition__in=["screening", "approve"]
        )
        .order_by("seq")
        .values_list("transition", flat=True)
    )
    assert records[-2:] == ["screening", "approve"] and records.count("approve") == 1


def test_withdrawal_racing_a_proposal_leaves_one_consistent_outcome(cast):
    """From review, withdrawing and proposing exclude each other: whichever comes first wins."""
    application = _application(cast, "under_review")

    results = race(
        application.pk,
        lambda: actions.application_withdraw(application=application, actor=cast["applicant"]),
        lambda: actions.application_propose_decision(
            application=application,
            actor=cast["case_manager"],
            recommendation="grant",
            reasons="Fine",
        ),
    )

    winner = _one_winner(results)
    application.refresh_from_db()
    assert application.status == winner.status in {"withdrawn", "pending_approval"}
    open_tasks = application.tasks.filter(completed_at__isnull=True)
    assert open_tasks.count() == (1 if winner.status == "pending_approval" else 0)


def test_concurrent_submissions_get_unique_gap_free_references(cast):
    # The counter row must exist for the starting gun to hold it.
    actions.application_submit(
        application=ApplicationFactory(
            organisation=cast["organisation"], created_by=cast["applicant"]
        ),
        actor=cast["applicant"],
    )
    applicants = [UserFactory(roles=["applicant"]) for _ in range(6)]
    cast["organisation"].members.add(*applicants)
    drafts = [
        ApplicationFactory(organisation=cast["organisation"], created_by=user)
        for user in applicants
    ]

    results = race(
        None,
        *[
            (lambda d=d, u=u: actions.application_submit(application=d, actor=u))
            for d, u in zip(drafts, applicants, strict=True)
        ],
    )

    assert all(isinstance(r, PermitApplication) for r in results), results
    sequences = sorted(int(r.reference[-6:]) for r in results)
    assert sequences == list(range(2, 8))
    assert ReferenceCounter.objects.get().last_value == 7


def test_a_submission_failing_after_its_draw_gives_its_number_back(cast, monkeypatch):
    # Two submitters meet at the year's counter; the one that draws first then fails (its
    # e-mail cannot be written, after the number and the history): its number goes back,
    # so the other one gets it and the sequence has no gap.
    from permits import notifications

    actions.application_submit(
        application=ApplicationFactory(
            organisation=cast["organisation"], created_by=cast["applicant"]
        ),
        actor=cast["applicant"],
    )
    other = UserFactory(roles=["applicant"])
    cast["organisation"].members.add(other)
    failing = ApplicationFactory(organisation=cast["organisation"], created_by=cast["applicant"])
    passing = ApplicationFactory(organisation=cast["organisation"], created_by=other)
    # On PostgreSQL the submission makes its e-mails (then writes them with its records).
    enqueue = notifications.applicant_notification_messages

    def enqueue_failing_for_one(*, application, **kwargs):
        if application.pk == failing.pk:
            assert application.reference is not None  # the number was drawn
            raise RuntimeError("outbox unavailable")
        return enqueue(application=application, **kwargs)

    monkeypatch.setattr(notifications, "applicant_notification_messages", enqueue_failing_for_one)

    results = race(
        None,
        lambda: actions.application_submit(application=failing, actor=cast["applicant"]),
        lambda: actions.application_submit(application=passing, actor=other),
    )

    assert isinstance(results[0], RuntimeError), results
    assert isinstance(results[1], PermitApplication), results
    failing.refresh_from_db()
    assert failing.status == "draft" and failing.reference is None
    assert not TransitionRecord.objects.filter(application=failing).exists()
    assert results[1].reference.endswith("-000002")
    assert ReferenceCounter.objects.get().last_value == 2


def test_the_years_first_submissions_make_its_counter_once(cast):
    # No counter row for the year yet: each submitter finds none and inserts it (ON CONFLICT
    # DO NOTHING). The main thread inserts it first and holds its transaction open, so all of
    # them wait on that insert together; then each draws in turn: 1…n, no gap, no duplicate.
    from django.utils import timezone

    applicants = [UserFactory(roles=["applicant"]) for _ in range(4)]
    cast["organisation"].members.add(*applicants)
    drafts = [
        ApplicationFactory(organisation=cast["organisation"], created_by=user)
        for user in applicants
    ]
    assert not ReferenceCounter.objects.exists()
    results: list[object] = [None] * len(drafts)

    def submit(index, draft, user):
        try:
            results[index] = actions.application_submit(application=draft, actor=user)
        except Exception as exc:  # the assertion below reports it
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=(i, d, u))
        for i, (d, u) in enumerate(zip(drafts, applicants, strict=True))
    ]
    with transaction.atomic():
        ReferenceCounter.objects.create(year=timezone.localdate().year)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _blocked_backends() < len(threads) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _blocked_backends() == len(threads), "submitters never met at the insert"
    for thread in threads:
        thread.join(timeout=30)

    assert all(isinstance(r, PermitApplication) for r in results), results
    assert sorted(int(r.reference[-6:]) for r in results) == [1, 2, 3, 4]
    assert ReferenceCounter.objects.get().last_value == 4
