"""Upload page and permission-checked download of supporting documents, over HTTP."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from documents.models import Document
from permits.actions.documents import document_upload
from tests.documents import factories as files
from tests.documents.conftest import stored_files
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def upload_url(application) -> str:
    return reverse("documents:upload", args=[application.url_key])


def download_url(document) -> str:
    return reverse("documents:download", args=[document.application.url_key, document.public_id])


def stored(application, actor, data=None, name="certificate.pdf"):
    return document_upload(
        application=application,
        actor=actor,
        kind="end_user_certificate",
        uploaded_file=files.upload(files.pdf_bytes() if data is None else data, name),
    )


@pytest.fixture
def submitted(application_in):
    return application_in("submitted")


@pytest.fixture
def document(submitted, applicant):
    return submitted.documents.get()


# --- Download -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["applicant", "case_manager", "head", "auditor"])
def test_who_may_see_the_application_may_download_its_document(role, document, request):
    response = client_for(request.getfixturevalue(role)).get(download_url(document))

    assert response.status_code == 200


def test_another_organisations_member_gets_404(document, other_applicant):
    response = client_for(other_applicant).get(download_url(document))

    assert response.status_code == 404


def test_staff_get_404_for_a_document_of_a_draft(draft, applicant, case_manager):
    document = stored(draft, applicant)

    response = client_for(case_manager).get(download_url(document))

    assert response.status_code == 404


def test_anonymous_download_redirects_to_login(document):
    response = Client().get(download_url(document))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_a_role_gets_404(document):
    response = client_for(UserFactory()).get(download_url(document))

    assert response.status_code == 404


def test_download_through_another_applications_key_is_404(document, application_in, applicant):
    other = application_in("draft")
    url = reverse("documents:download", args=[other.url_key, document.public_id])

    response = client_for(applicant).get(url)

    assert response.status_code == 404


def test_download_of_an_unknown_document_is_404(submitted, applicant):
    url = reverse(
        "documents:download", args=[submitted.url_key, "00000000-0000-0000-0000-000000000000"]
    )

    response = client_for(applicant).get(url)

    assert response.status_code == 404


def test_download_returns_the_stored_bytes(draft, applicant):
    data = files.pdf_bytes("Original")
    document = stored(draft, applicant, data)

    response = client_for(applicant).get(download_url(document))

    assert b"".join(response.streaming_content) == data


def test_download_is_an_attachment_with_the_sanitised_name(draft, applicant):
    document = stored(draft, applicant, name="End user certificate.pdf")

    response = client_for(applicant).get(download_url(document))

    assert response["Content-Disposition"] == 'attachment; filename="End user certificate.pdf"'


def test_download_of_a_non_ascii_name_carries_rfc_6266_filename_star(draft, applicant):
    document = stored(draft, applicant, name="Zertifikat Endverbleib – Zürich.pdf")

    response = client_for(applicant).get(download_url(document))

    assert response["Content-Disposition"] == (
        'attachment; filename="Zertifikat Endverbleib  Zurich.pdf"; '
        "filename*=UTF-8''" + quote("Zertifikat Endverbleib – Zürich.pdf", safe="")
    )


def test_download_has_the_stored_content_type_and_nosniff(draft, applicant):
    document = stored(draft, applicant, files.png_bytes(), name="scan.pdf")

    response = client_for(applicant).get(download_url(document))

    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="scan.png"'


def test_download_is_not_cached(document, applicant):
    response = client_for(applicant).get(download_url(document))

    assert response["Cache-Control"] == "private, no-store"


def test_download_refuses_post(document, applicant):
    response = client_for(applicant).post(download_url(document))

    assert response.status_code == 405


def test_a_document_has_no_public_media_url(document, applicant):
    page = client_for(applicant).get(
        reverse("permits:application_detail", args=[document.application.url_key])
    )

    assert document.file.name.encode() not in page.content
    assert download_url(document).encode() in page.content


# --- Upload page ----------------------------------------------------------------------------


def test_upload_page_has_labelled_fields(draft, applicant):
    response = client_for(applicant).get(upload_url(draft))

    assert response.status_code == 200
    assert b'<label for="id_kind">' in response.content
    assert b'<label for="id_file">' in response.content
    assert b'enctype="multipart/form-data"' in response.content
    assert b'value="decision"' not in response.content


def test_upload_page_is_403_for_an_auditor(submitted, auditor):
    response = client_for(auditor).get(upload_url(submitted))

    assert response.status_code == 403


def test_upload_page_is_404_for_another_organisation(draft, other_applicant):
    response = client_for(other_applicant).get(upload_url(draft))

    assert response.status_code == 404


def test_upload_page_redirects_anonymous_users_to_login(draft):
    response = Client().get(upload_url(draft))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_posting_a_valid_file_stores_it_and_returns_to_the_application(draft, applicant):
    response = client_for(applicant).post(
        upload_url(draft),
        {"kind": "contract", "file": files.upload(files.pdf_bytes(), "contract.pdf")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("permits:application_detail", args=[draft.url_key])
    assert draft.documents.get().kind == "contract"


def test_posting_a_bad_file_shows_the_error_on_the_file_field(draft, applicant, media_root):
    response = client_for(applicant).post(
        upload_url(draft),
        {"kind": "contract", "file": files.upload(files.ELF_BYTES, "contract.pdf")},
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("file", code="unsupported_type")
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_posting_an_empty_file_shows_the_empty_error(draft, applicant, media_root):
    response = client_for(applicant).post(
        upload_url(draft), {"kind": "contract", "file": files.upload(b"", "contract.pdf")}
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("file", code="empty")
    assert stored_files(media_root) == []


def test_posting_the_decision_kind_is_refused(application_in, head, media_root):
    application = application_in("pending_approval")
    before = application.documents.count()

    response = client_for(head).post(
        upload_url(application), {"kind": "decision", "file": files.upload(files.pdf_bytes())}
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("kind")
    assert application.documents.count() == before


def test_posting_without_a_csrf_token_is_refused(draft, applicant, media_root):
    response = client_for(applicant, enforce_csrf_checks=True).post(
        upload_url(draft), {"kind": "contract", "file": files.upload(files.pdf_bytes())}
    )

    assert response.status_code == 403
    assert stored_files(media_root) == []


def test_a_truncated_multipart_upload_is_a_400_naming_the_file(draft, applicant, media_root):
    boundary = "TruncatedBoundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncontract\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + files.pdf_bytes()[:300]

    response = client_for(applicant).generic(
        "POST", upload_url(draft), body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("file")
    assert stored_files(media_root) == []


def test_a_malformed_multipart_body_is_a_400_naming_the_file(draft, applicant, media_root):
    response = client_for(applicant).generic(
        "POST", upload_url(draft), b"garbage", content_type="multipart/form-data"
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("file")
    assert stored_files(media_root) == []


def test_posting_a_replacement_supersedes_the_chosen_document(draft, applicant):
    old = stored(draft, applicant)

    client_for(applicant).post(
        upload_url(draft),
        {
            "kind": "end_user_certificate",
            "file": files.upload(files.pdf_bytes("v2"), "euc-v2.pdf"),
            "supersedes": str(old.public_id),
        },
    )

    assert draft.documents.get(supersedes=old).original_name == "euc-v2.pdf"


# --- The documents section of the application page -------------------------------------------


def test_application_page_lists_documents_with_an_upload_link_for_the_applicant(
    document, applicant
):
    response = client_for(applicant).get(
        reverse("permits:application_detail", args=[document.application.url_key])
    )

    assert b"euc.pdf" in response.content
    assert upload_url(document.application).encode() in response.content


def test_application_page_has_no_upload_link_for_an_auditor(document, auditor):
    response = client_for(auditor).get(
        reverse("permits:application_detail", args=[document.application.url_key])
    )

    assert download_url(document).encode() in response.content
    assert upload_url(document.application).encode() not in response.content
