"""What the approver saw: the file as it was at each step, and what changed between two."""

from __future__ import annotations

import pytest
from django.urls import reverse

from permits import actions
from permits.models import PermitApplication
from permits.snapshots import snapshot_diff
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(organisation, applicant):
    return advance(
        ApplicationFactory(
            organisation=organisation, created_by=applicant, end_use_statement="Coastal radar."
        ),
        "submitted",
        applicant=applicant,
        case_manager=None,
        head=None,
    )


def _later_edit_and_review(application, case_manager):
    # An edit made behind the workflow's back after the step (what a data fix would do).
    PermitApplication.objects.filter(pk=application.pk).update(
        end_use_statement="Naval fire control."
    )
    return actions.application_start_review(
        application=PermitApplication.objects.get(pk=application.pk), actor=case_manager
    )


def test_the_snapshot_keeps_the_file_as_it_was_after_later_edits(submitted, case_manager):
    _later_edit_and_review(submitted, case_manager)
    submit = submitted.history.get(transition="submit")

    assert submit.snapshot["application"]["end_use_statement"] == "Coastal radar."
    assert submit.snapshot["application"]["status"] == "submitted"
    assert set(submit.snapshot["goods"]) == {
        str(pk) for pk in submitted.goods.values_list("pk", flat=True)
    }


def test_the_diff_lists_exactly_the_fields_that_changed(submitted, case_manager):
    _later_edit_and_review(submitted, case_manager)
    submit = submitted.history.get(transition="submit")
    review = submitted.history.get(transition="start_review")

    changed = {change.path for change in snapshot_diff(submit.snapshot, review.snapshot)}

    # The edit, and what taking the file for review does: the state and the case manager. The
    # decision clock and the submission's screening run are already in the submit snapshot:
    # the submission records its event last, after starting the clock and screening.
    assert changed == {
        "application.end_use_statement",
        "application.status",
        "application.assigned_case_manager",
    }


def test_the_diff_of_a_snapshot_with_itself_is_empty(submitted):
    submit = submitted.history.get(transition="submit")

    assert snapshot_diff(submit.snapshot, submit.snapshot) == []


def test_the_approval_snapshot_holds_what_the_head_approved(
    organisation, applicant, case_manager, head
):
    issued = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    approve = issued.history.get(transition="approve")

    assert approve.snapshot["proposed_lines"]
    assert approve.snapshot["criteria_worksheet"]
    assert approve.snapshot["decision"]["outcome"]
    assert approve.snapshot["licence"]["licence"]["number"] == issued.licence.number
    assert all(doc["sha256"] for doc in approve.snapshot["documents"].values())


def test_an_auditor_opens_the_file_as_it_was(client, submitted, case_manager, auditor):
    _later_edit_and_review(submitted, case_manager)
    submit = submitted.history.get(transition="submit")
    client.force_login(auditor)

    response = client.get(reverse("permits:history_snapshot", args=[submitted.url_key, submit.pk]))

    assert response.status_code == 200
    assert "Coastal radar." in response.text
    assert "Naval fire control." not in response.text
    assert 'id="chain-status"' in response.text and "intact" in response.text


def test_an_auditor_sees_the_changes_between_two_steps(client, submitted, case_manager, auditor):
    _later_edit_and_review(submitted, case_manager)
    submit = submitted.history.get(transition="submit")
    review = submitted.history.get(transition="start_review")
    client.force_login(auditor)

    response = client.get(
        reverse("permits:history_compare", args=[submitted.url_key]),
        {"from": submit.pk, "to": review.pk},
    )

    assert response.status_code == 200
    assert response.text.count('data-path="') == 3
    assert 'data-path="application.end_use_statement"' in response.text
    assert "Naval fire control." in response.text


def test_the_history_pages_are_read_in_the_readers_language(client, submitted, auditor):
    submit = submitted.history.get(transition="submit")
    client.force_login(auditor)

    response = client.get(
        reverse("permits:history_snapshot", args=[submitted.url_key, submit.pk]),
        HTTP_ACCEPT_LANGUAGE="nl",
    )

    assert "zoals het was" in response.text


def test_the_applicant_cannot_open_a_snapshot(client, submitted, applicant):
    submit = submitted.history.get(transition="submit")
    client.force_login(applicant)

    for url in (
        reverse("permits:history_snapshot", args=[submitted.url_key, submit.pk]),
        reverse("permits:history_compare", args=[submitted.url_key]),
    ):
        assert client.get(url).status_code == 404


def test_a_record_of_another_file_is_not_found(client, submitted, organisation, applicant, auditor):
    other = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "submitted",
        applicant=applicant,
        case_manager=None,
        head=None,
    )
    foreign = other.history.get(transition="submit")
    client.force_login(auditor)

    response = client.get(reverse("permits:history_snapshot", args=[submitted.url_key, foreign.pk]))

    assert response.status_code == 404


def test_a_bad_step_in_the_comparison_is_not_found(client, submitted, auditor):
    client.force_login(auditor)

    response = client.get(
        reverse("permits:history_compare", args=[submitted.url_key]), {"from": "x'; --"}
    )

    assert response.status_code == 404


def test_the_case_page_links_each_step_to_its_snapshot(client, submitted, auditor):
    submit = submitted.history.get(transition="submit")
    client.force_login(auditor)

    response = client.get(reverse("permits:application_detail", args=[submitted.url_key]))

    assert reverse("permits:history_snapshot", args=[submitted.url_key, submit.pk]) in response.text
