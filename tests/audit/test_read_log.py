"""The staff read log: every read of a file by staff is one row; applicants' reads are not."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import StaffRead
from tests.api.conftest import client_for
from tests.factories import ApplicationFactory, DocumentFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(organisation, applicant, case_manager, head):
    return advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "submitted",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_staff_view_of_the_case_page_writes_one_row(case_manager, submitted):
    response = _web(case_manager).get(f"/applications/{submitted.reference}/")

    assert response.status_code == 200
    read = StaffRead.objects.get()
    assert (read.user, read.application_id, read.reference, read.what) == (
        case_manager,
        submitted.pk,
        submitted.reference,
        StaffRead.What.PAGE,
    )
    assert read.path == f"/applications/{submitted.reference}/"


def test_an_applicant_view_of_their_file_writes_none(applicant, submitted):
    response = _web(applicant).get(f"/applications/{submitted.reference}/")

    assert response.status_code == 200
    assert not StaffRead.objects.exists()


def test_a_file_staff_may_not_see_writes_no_row(case_manager, applicant, organisation):
    draft = ApplicationFactory(organisation=organisation, created_by=applicant)

    response = _web(case_manager).get(f"/applications/{draft.public_id}/")

    assert response.status_code == 404
    assert not StaffRead.objects.exists()


def test_api_retrieve_and_history_are_logged_for_staff(auditor, submitted):
    client = client_for(auditor)

    assert client.get(f"/api/v1/applications/{submitted.reference}/").status_code == 200
    assert client.get(f"/api/v1/applications/{submitted.reference}/history/").status_code == 200

    assert list(StaffRead.objects.order_by("id").values_list("what", flat=True)) == [
        StaffRead.What.API,
        StaffRead.What.API_HISTORY,
    ]


def test_api_reads_of_an_applicant_are_not_logged(applicant, submitted):
    client = client_for(applicant)

    assert client.get(f"/api/v1/applications/{submitted.reference}/").status_code == 200
    assert client.get(f"/api/v1/applications/{submitted.reference}/history/").status_code == 200

    assert not StaffRead.objects.exists()


def test_a_document_download_by_staff_is_logged_with_the_document(case_manager, submitted):
    document = DocumentFactory(application=submitted, uploaded_by=submitted.created_by)

    web = _web(case_manager).get(
        f"/applications/{submitted.reference}/documents/{document.public_id}/download/"
    )
    api = client_for(case_manager).get(
        f"/api/v1/applications/{submitted.reference}/documents/{document.public_id}/download/"
    )

    assert (web.status_code, api.status_code) == (200, 200)
    reads = StaffRead.objects.all()
    assert [(r.what, r.document) for r in reads] == [
        (StaffRead.What.DOCUMENT, document.public_id)
    ] * 2


def test_the_decision_pdf_download_is_logged_as_such(case_manager, head, submitted):
    document = DocumentFactory(application=submitted, kind="decision", uploaded_by=head)

    response = _web(head).get(
        f"/applications/{submitted.reference}/documents/{document.public_id}/download/"
    )

    assert response.status_code == 200
    assert StaffRead.objects.get().what == StaffRead.What.DECISION_PDF


def test_the_licence_page_read_by_staff_is_logged_but_not_by_its_holder(
    organisation, applicant, case_manager, head, auditor
):
    issued = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )

    assert _web(applicant).get(f"/applications/{issued.reference}/licence/").status_code == 200
    assert _web(auditor).get(f"/applications/{issued.reference}/licence/").status_code == 200

    read = StaffRead.objects.get()
    assert (read.user, read.what, read.path) == (
        auditor,
        StaffRead.What.PAGE,
        f"/applications/{issued.reference}/licence/",
    )


@pytest.mark.parametrize("role", ["applicant", "case_manager"])
def test_the_read_log_is_refused_to_applicants_and_case_managers(role, request, submitted):
    user = request.getfixturevalue(role)

    response = _web(user).get("/audit/reads/")

    assert response.status_code == 403


def test_the_read_log_needs_a_login():
    response = Client().get("/audit/reads/")

    assert response.status_code == 302


@pytest.mark.parametrize("role", ["auditor", "head"])
def test_auditors_and_the_head_read_the_log_filtered_by_file(
    role, request, case_manager, submitted
):
    other = ApplicationFactory()
    StaffRead.objects.create(
        user=case_manager,
        application_id=submitted.pk,
        reference=submitted.reference,
        what="page",
        path="/x/",
    )
    StaffRead.objects.create(
        user=case_manager, application_id=other.pk, reference="BXL-OTHER", what="page", path="/y/"
    )

    response = _web(request.getfixturevalue(role)).get(
        "/audit/reads/", {"application": submitted.pk}
    )

    assert response.status_code == 200
    assert [r.application_id for r in response.context["page"].object_list] == [submitted.pk]
    assert submitted.reference.encode() in response.content


def test_the_log_filters_by_reader_and_dates(auditor, case_manager, head, submitted):
    from datetime import datetime, timedelta

    from django.utils import timezone

    old = timezone.make_aware(datetime(2026, 1, 10, 12))
    StaffRead.objects.create(
        user=case_manager, application_id=1, reference="A", what="page", path="/", read_at=old
    )
    StaffRead.objects.create(user=head, application_id=1, reference="A", what="page", path="/")

    by_user = _web(auditor).get("/audit/reads/", {"user": case_manager.pk})
    by_date = _web(auditor).get(
        "/audit/reads/",
        {"date_from": "2026-01-10", "date_to": (old + timedelta(days=1)).date().isoformat()},
    )

    assert [r.user for r in by_user.context["page"].object_list] == [case_manager]
    assert [r.read_at for r in by_date.context["page"].object_list] == [old]


def test_the_log_is_paginated(auditor, case_manager):
    StaffRead.objects.bulk_create(
        StaffRead(user=case_manager, application_id=1, reference="A", what="page", path="/")
        for _ in range(60)
    )

    first = _web(auditor).get("/audit/reads/")
    second = _web(auditor).get("/audit/reads/", {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10


def test_the_case_page_links_auditors_to_who_read_the_file(auditor, submitted):
    response = _web(auditor).get(f"/applications/{submitted.reference}/")

    assert f"/audit/reads/?application={submitted.pk}".encode() in response.content


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("fr", "Qui a consulté les dossiers"),
        ("nl", "Wie de dossiers heeft ingezien"),
        ("en", "Who read the files"),
    ],
)
def test_the_read_log_page_speaks_each_language(language, title, auditor):
    response = _web(auditor).get("/audit/reads/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.content.decode()


def test_a_read_is_written_with_one_insert_and_nothing_else(case_manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit.services import staff_read_record
    from workflow.roles import user_roles

    user_roles(case_manager)  # the request has read the user's roles already (to find the file)

    with CaptureQueriesContext(connection) as queries:
        staff_read_record(
            user=case_manager,
            application_id=1,
            reference="BXL-ML-EXP-2026-000001",
            what="page",
            path="/applications/BXL-ML-EXP-2026-000001/",
        )

    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements == ["INSERT"]
