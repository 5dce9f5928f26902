"""The document task reads only what the document prints, each once (issue 14): the decision
with its file, organisation, head, licence and the Government's decision in one statement,
the licence lines and the parties once each, whatever the number of parties."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from permits.decisions import generation
from permits.models import Decision
from tests.factories import ApplicationFactory, PartyFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db

# One document of a licence with five parties (the test's savepoint and the chain head's upsert
# after the document's history record included).
DOCUMENT_QUERIES = 18


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def issued(organisation, people, parties: int):
    application = ApplicationFactory(organisation=organisation, created_by=people["applicant"])
    for number in range(parties):
        PartyFactory(application=application, role="intermediary", name=f"Broker {number}")
    return advance(application, "issued", **people)


def document_queries(application) -> list[str]:
    decision = Decision.objects.get(application=application)
    with CaptureQueriesContext(connection) as queries:
        generation.decision_document_produce(decision_id=decision.pk)
    return [query["sql"] for query in queries.captured_queries]


def test_the_document_task_makes_as_many_queries_for_five_parties_as_for_none(
    organisation, applicant, case_manager, head, media
):
    people = {"applicant": applicant, "case_manager": case_manager, "head": head}
    document_queries(issued(organisation, people, parties=0))  # per-process reads

    few = document_queries(issued(organisation, people, parties=0))
    many = document_queries(issued(organisation, people, parties=5))

    assert len(few) == len(many), "\n".join(q[:150] for q in many)
    # The decision (joined: file, organisation, head, licence), the parties, the existing
    # document, the licence lines and the conditions; the document; the history record and
    # the applicant's e-mail. On PostgreSQL, one savepoint for the e-mail's key.
    assert len(many) == DOCUMENT_QUERIES, "\n".join(q[:150] for q in many)
