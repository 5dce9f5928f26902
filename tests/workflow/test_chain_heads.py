"""The files' chain heads (``HistoryHead``): moved with each record, so that the head every
export and report states is read without scanning the history, and always equal to the head
recomputed from the history records."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pgtrigger
import pytest
from django.db import DatabaseError, connection, transaction

from permits import events
from tests.conftest import requires_postgresql
from tests.factories import ApplicationFactory
from tests.permits.test_concurrency import race
from tests.workflow_helpers import advance
from workflow import chain
from workflow.models import HistoryHead, TransitionRecord

pytestmark = pytest.mark.django_db

BACKFILL = importlib.import_module("workflow.migrations.0009_exports_chain_heads").BACKFILL


def _same(a: chain.ChainHead, b: chain.ChainHead) -> bool:
    return replace(a, taken_at=b.taken_at) == b


def _heads() -> list[tuple[int, int, int, str]]:
    return list(
        HistoryHead.objects.order_by("application_id").values_list(
            "application_id", "seq", "record_id", "record_hash"
        )
    )


def _last_records() -> list[tuple[int, int, int, str]]:
    rows: dict[int, tuple[int, int, int, str]] = {}
    for row in TransitionRecord.objects.order_by("application_id", "seq").values_list(
        "application_id", "seq", "id", "record_hash"
    ):
        rows[row[0]] = row
    return list(rows.values())


@pytest.fixture
def files(organisation, applicant, case_manager, head):
    issued = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    submitted = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "submitted",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    draft = ApplicationFactory(organisation=organisation, created_by=applicant)
    return issued, submitted, draft


def test_an_empty_history_has_the_same_head_either_way():
    assert not TransitionRecord.objects.exists()
    assert _same(chain.chain_head(), chain.chain_head_from_history())
    assert chain.chain_head().record_id is None


def test_the_head_read_from_the_files_heads_equals_the_one_recomputed(files):
    issued, _submitted, draft = files
    assert not draft.history.exists()  # a file with no records has no head, as before

    assert _same(chain.chain_head(), chain.chain_head_from_history())
    assert _heads() == _last_records()
    assert draft.pk not in {row[0] for row in _heads()}

    with transaction.atomic():
        events.licence_exhausted(application=issued, actor=None)
    assert _same(chain.chain_head(), chain.chain_head_from_history())
    assert _heads() == _last_records()


def test_the_head_costs_two_queries_whatever_the_history(files, django_assert_num_queries):
    with django_assert_num_queries(2):
        chain.chain_head()


def test_the_migration_backfills_the_heads_the_actions_write(files):
    written = _heads()
    with pgtrigger.ignore("workflow.HistoryHead:history_head_no_delete"):
        HistoryHead.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(BACKFILL)

    assert _heads() == written
    assert _same(chain.chain_head(), chain.chain_head_from_history())


@requires_postgresql
def test_the_bench_builders_statement_sets_the_same_heads(files):
    written = _heads()
    with pgtrigger.ignore("workflow.HistoryHead:history_head_no_delete"):
        HistoryHead.objects.exclude(application=files[1]).delete()
    with connection.cursor() as cursor:
        cursor.execute(chain.HEADS_FROM_HISTORY_SQL)
        cursor.execute(chain.HEADS_FROM_HISTORY_SQL)  # again: nothing moves

    assert _heads() == written


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_records_appended_at_once_leave_the_recomputed_head(files):
    issued = files[0]

    def write():
        with transaction.atomic():
            return events.licence_exhausted(application=issued, actor=None).seq

    results = race(issued.pk, write, write)

    count = issued.history.count()
    assert sorted(results) == [count - 1, count]
    assert HistoryHead.objects.get(application=issued).seq == count
    assert _heads() == _last_records()
    assert _same(chain.chain_head(), chain.chain_head_from_history())


@requires_postgresql
def test_the_database_refuses_to_remove_a_head_or_move_it_back(files):
    issued = files[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoryHead.objects.filter(application=issued).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoryHead.objects.filter(application=issued).update(seq=1)
    assert _heads() == _last_records()
