"""Operators' corrections go through one audited path: a reason, an operator, one history event
with every field changed, and a dry run unless told to commit."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from permits import events
from permits.actions.data_fixes import application_data_fix, data_fix_set
from permits.models import GoodsItem, PermitApplication
from tests.factories import ApplicationFactory, UserFactory
from tests.workflow_helpers import advance
from workflow.exceptions import TransitionForbidden, TransitionGuardFailed
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


@pytest.fixture
def issued(organisation, applicant, case_manager, head):
    return advance(
        ApplicationFactory(
            organisation=organisation, created_by=applicant, end_use_statement="Border patrol."
        ),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )


def _fixes(application) -> list[TransitionRecord]:
    return list(application.history.filter(transition="data_fix"))


def test_a_committed_fix_writes_one_event_with_operator_reason_and_changes(operator, issued):
    line = issued.goods.get()

    with application_data_fix(
        application=issued, operator=operator, reason="Typo in the file (ticket 42).", commit=True
    ) as fix:
        fix.application.end_use_statement = "Border surveillance."
        fix.application.save(update_fields=["end_use_statement"])
        fix.goods[line.pk].description = "Thermal sights"
        fix.goods[line.pk].save(update_fields=["description"])

    [record] = _fixes(issued)
    assert record.actor == operator
    assert record.comment == "Typo in the file (ticket 42)."
    assert record.payload["operator"] == "operator"
    assert record.payload["reason"] == "Typo in the file (ticket 42)."
    assert record.payload["changes"] == [
        {"field": "end_use_statement", "old": "Border patrol.", "new": "Border surveillance."},
        {
            "field": f"goods[{line.pk}].description",
            "old": "Thermal imaging sights",
            "new": "Thermal sights",
        },
    ]
    issued.refresh_from_db()
    assert issued.end_use_statement == "Border surveillance."
    assert issued.status == "issued"


def test_the_dry_run_stores_nothing_but_reports_the_diff(operator, issued):
    before = TransitionRecord.objects.count()

    with application_data_fix(application=issued, operator=operator, reason="Check") as fix:
        fix.application.end_use_statement = "Changed."
        fix.application.save(update_fields=["end_use_statement"])

    assert fix.changes == [
        {"field": "end_use_statement", "old": "Border patrol.", "new": "Changed."}
    ]
    assert fix.record is None
    assert TransitionRecord.objects.count() == before
    assert PermitApplication.objects.get(pk=issued.pk).end_use_statement == "Border patrol."


def test_a_fix_that_changes_nothing_writes_no_event(operator, issued):
    with application_data_fix(application=issued, operator=operator, reason="x", commit=True):
        pass

    assert _fixes(issued) == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_fix_without_a_reason_is_refused(reason, operator, issued):
    with (
        pytest.raises(TransitionGuardFailed),
        application_data_fix(application=issued, operator=operator, reason=reason, commit=True),
    ):
        pytest.fail("the block must not run")


def test_a_fix_without_an_operator_is_refused(issued):
    with (
        pytest.raises(TransitionForbidden),
        application_data_fix(application=issued, operator=None, reason="x", commit=True),
    ):
        pytest.fail("the block must not run")


def test_an_auditor_is_refused_as_operator(issued):
    auditor = UserFactory(username="staff_auditor", roles=["auditor"], is_staff=True)

    with (
        pytest.raises(TransitionForbidden),
        application_data_fix(application=issued, operator=auditor, reason="x", commit=True),
    ):
        pytest.fail("the block must not run")
    assert _fixes(issued) == []


def test_a_failure_inside_the_block_rolls_everything_back(operator, issued):
    with (
        pytest.raises(RuntimeError),
        application_data_fix(application=issued, operator=operator, reason="x", commit=True) as fix,
    ):
        fix.application.end_use_statement = "Half done."
        fix.application.save(update_fields=["end_use_statement"])
        raise RuntimeError("operator's script failed")

    assert PermitApplication.objects.get(pk=issued.pk).end_use_statement == "Border patrol."
    assert _fixes(issued) == []


def test_the_data_fix_event_is_for_staff_only():
    event = events.CATALOGUE["data_fix"]

    assert not event.applicant_reads
    assert "data_fix" not in events.APPLICANT_HISTORY


def test_set_refuses_protected_and_unknown_fields(operator, issued):
    with (
        pytest.raises(TransitionGuardFailed) as refused,
        application_data_fix(application=issued, operator=operator, reason="x", commit=True) as fix,
    ):
        data_fix_set(
            fix=fix, assignments={"status": "draft", "no_such_field": "1"}, operator=operator
        )

    assert set(refused.value.errors) == {"status", "no_such_field"}
    assert PermitApplication.objects.get(pk=issued.pk).status == "issued"


def test_set_validates_values(operator, issued):
    line = issued.goods.get()
    with (
        pytest.raises(TransitionGuardFailed),
        application_data_fix(application=issued, operator=operator, reason="x", commit=True) as fix,
    ):
        data_fix_set(fix=fix, assignments={f"goods.{line.pk}.quantity": "-3"}, operator=operator)

    assert GoodsItem.objects.get(pk=line.pk).quantity == line.quantity


# --- manage.py data_fix -------------------------------------------------------------------------


def _command(*args) -> str:
    out = StringIO()
    call_command("data_fix", *args, stdout=out)
    return out.getvalue()


def test_the_command_is_a_dry_run_by_default(operator, issued):
    before = TransitionRecord.objects.count()

    out = _command(
        issued.reference,
        "--set",
        "end_use_statement=Coast guard.",
        "--reason",
        "Ticket 7",
        "--operator",
        "operator",
    )

    assert "end_use_statement: 'Border patrol.' → 'Coast guard.'" in out
    assert "Dry run" in out
    assert TransitionRecord.objects.count() == before
    assert PermitApplication.objects.get(pk=issued.pk).end_use_statement == "Border patrol."


def test_the_command_commits_a_goods_line_fix_with_its_history(operator, issued):
    line = issued.goods.get()

    _command(
        issued.reference,
        "--set",
        f"goods.{line.pk}.control_entry=ML15.b",
        "--reason",
        "Wrong sub-entry",
        "--operator",
        "operator",
        "--commit",
    )

    [record] = _fixes(issued)
    assert record.payload["changes"] == [
        {"field": f"goods[{line.pk}].control_entry", "old": "ML15.a", "new": "ML15.b"}
    ]
    assert GoodsItem.objects.get(pk=line.pk).control_entry == "ML15.b"


@pytest.mark.parametrize(
    "missing",
    [
        ["--operator", "operator"],  # no reason
        ["--reason", "Ticket 7"],  # no operator
    ],
)
def test_the_command_refuses_without_reason_or_operator(missing, operator, issued):
    with pytest.raises(CommandError):
        _command(issued.reference, "--set", "end_use_statement=X", "--commit", *missing)

    assert _fixes(issued) == []
    assert PermitApplication.objects.get(pk=issued.pk).end_use_statement == "Border patrol."


def test_the_command_refuses_an_auditor(issued):
    UserFactory(username="aud", roles=["auditor"], is_staff=True)

    with pytest.raises(CommandError, match="Auditors"):
        _command(
            issued.reference,
            "--set",
            "end_use_statement=X",
            "--reason",
            "r",
            "--operator",
            "aud",
            "--commit",
        )

    assert _fixes(issued) == []


def test_the_staff_timeline_shows_the_fields_a_fix_changed(operator, issued, auditor):
    from django.test import Client

    with application_data_fix(
        application=issued, operator=operator, reason="Ticket 9", commit=True
    ) as fix:
        fix.application.end_use_statement = "Coast guard."
        fix.application.save(update_fields=["end_use_statement"])
    client = Client()
    client.force_login(auditor)

    page = client.get(f"/applications/{issued.reference}/").content.decode()

    assert "<code>end_use_statement</code>: Border patrol. → Coast guard." in page
    assert "Ticket 9" in page


def test_the_applicant_never_sees_a_fix(operator, issued, applicant):
    from django.test import Client

    with application_data_fix(
        application=issued, operator=operator, reason="Ticket 9", commit=True
    ) as fix:
        fix.application.end_use_statement = "Coast guard."
        fix.application.save(update_fields=["end_use_statement"])
    client = Client()
    client.force_login(applicant)

    page = client.get(f"/applications/{issued.reference}/").content.decode()

    assert "Ticket 9" not in page
    assert "end_use_statement" not in page
