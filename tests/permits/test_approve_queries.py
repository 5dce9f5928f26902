"""The head's approval reads each goods line once, however many lines the file has, the
lists in force once (by its screening) for both of its history records, and makes a fixed
number of statements in one transaction (issue 14)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from permits import actions
from permits.compliance.models import ReferenceList
from permits.compliance.reference import reference_list_load
from permits.models import Decision, LicenceLine
from tests.factories import ApplicationFactory, GoodsItemFactory
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db

# One approval of a file of two goods lines, the control list loaded (savepoint included; each
# of its two history records also moves the file's chain head: one upsert each).
APPROVAL_QUERIES = 33


def _pending(organisation, applicant, case_manager, head, goods_lines: int):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    for number in range(goods_lines - application.goods.count()):
        GoodsItemFactory(application=application, description=f"Night-vision sight {number}")
    return advance(
        application, "pending_approval", applicant=applicant, case_manager=case_manager, head=head
    )


def _approval_queries(application, head) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        actions.application_approve(application=application, actor=head)
    return [query["sql"] for query in queries.captured_queries]


def test_an_approval_makes_as_many_queries_for_six_goods_lines_as_for_one(
    organisation, applicant, case_manager, head, settings
):
    settings.DECISION_AUTHORITY = {"default": "head_of_unit"}
    reference_list_load(kind=ReferenceList.Kind.CONTROL_LIST)  # screening checks each entry
    warm_up = _pending(organisation, applicant, case_manager, head, goods_lines=1)
    one = _pending(organisation, applicant, case_manager, head, goods_lines=1)
    six = _pending(organisation, applicant, case_manager, head, goods_lines=6)
    _approval_queries(warm_up, head)  # what is read once per process or per user

    queries_one = _approval_queries(one, head)
    queries_six = _approval_queries(six, head)

    assert LicenceLine.objects.filter(licence__application=six).count() == 6
    assert len(Decision.objects.get(application=six).lines) == 6
    assert len(queries_six) == len(queries_one)


def test_an_approval_reads_the_lists_in_force_once_for_its_two_history_records(
    organisation, applicant, case_manager, head, settings
):
    settings.DECISION_AUTHORITY = {"default": "head_of_unit"}
    application = _pending(organisation, applicant, case_manager, head, goods_lines=1)

    queries = _approval_queries(application, head)

    records = TransitionRecord.objects.filter(application=application).order_by("-seq")[:2]
    assert [r.transition for r in records] == ["approve", "screening"]
    assert records[0].versions == records[1].versions
    in_force_reads = [
        q for q in queries if q.startswith('SELECT "permits_referencelist"."kind" AS "kind"')
    ]
    # One, by the screening run: the approval's two records carry the lists it checked.
    assert len(in_force_reads) == 1
    run = application.screenings.order_by("-pk").first()
    assert records[0].versions["lists"] == run.versions


def test_an_approval_makes_a_fixed_number_of_queries(
    organisation, applicant, case_manager, head, settings
):
    """What one approval costs in statements (issue 14): one transaction, the file read once
    under its lock, the screening's flags and the snapshot's rows not read back. Raise it only
    for a new check the law needs, and say which."""
    settings.DECISION_AUTHORITY = {"default": "head_of_unit"}
    reference_list_load(kind=ReferenceList.Kind.CONTROL_LIST)
    warm_up = _pending(organisation, applicant, case_manager, head, goods_lines=1)
    application = _pending(organisation, applicant, case_manager, head, goods_lines=2)
    _approval_queries(warm_up, head)

    queries = _approval_queries(application, head)

    assert len(queries) == APPROVAL_QUERIES, "\n".join(q[:120] for q in queries)
    # One transaction (a savepoint inside the test's): the screening commits with the approval.
    assert len([q for q in queries if q.startswith("SAVEPOINT")]) == 1
