"""Upload and download of supporting documents. Thin: selectors read, actions act.

Files are only ever served through ``document_download``, after the permission check; there
is no public media URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from audit.services import staff_read_log
from documents.forms import DocumentUploadForm
from documents.responses import document_file_response
from workflow.exceptions import TransitionError
from workflow.roles import is_staff_member

from . import document_selectors, rules, selectors
from .actions import documents as document_actions
from .document_selectors import document_read

BROKEN_UPLOAD_ERRORS = (
    MultiPartParserError,
    UnreadablePostError,
    RequestDataTooBig,
    TooManyFilesSent,
)


def _upload_form(request: HttpRequest, application, data=None, files=None) -> DocumentUploadForm:
    """Staff choose whether the applicant reads the document; an applicant may replace only
    their organisation's documents."""
    return DocumentUploadForm(
        data,
        files,
        application=application,
        staff=is_staff_member(request.user),
        supersedable=document_selectors.supersedable_documents(
            user=request.user, application=application
        ),
    )


def _render_upload(request, application, form, status=200) -> HttpResponse:
    return render(
        request,
        "documents/upload.html",
        {"application": application, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, key: str) -> HttpResponse:
    application = selectors.application_get(user=request.user, key=key)
    if not rules.can_upload_document(application, request.user):
        return render(request, "403.html", status=403)
    if request.method != "POST":
        return _render_upload(request, application, _upload_form(request, application))

    try:
        data, files = request.POST, request.FILES
    except BROKEN_UPLOAD_ERRORS:
        form = _upload_form(request, application, {}, {})
        form.full_clean()
        form.errors.clear()  # only the real problem, not "this field is required"
        form.add_error(
            "file", _("The upload was interrupted or malformed; nothing was stored. Try again.")
        )
        return _render_upload(request, application, form, status=400)

    form = _upload_form(request, application, data, files)
    if not form.is_valid():
        return _render_upload(request, application, form, status=400)
    try:
        document = upload_from_form(request, application, form)
    except TransitionError as exc:
        form.add_error(None, exc.message)
        return _render_upload(request, application, form, status=403)
    if document is None:
        return _render_upload(request, application, form, status=400)
    return redirect("permits:application_detail", key=application.url_key)


def upload_from_form(request: HttpRequest, application, form: DocumentUploadForm):
    """Run the upload action with a valid form's data and say so; a refused file leaves its
    errors on the form's fields and gives None."""
    try:
        document = document_actions.document_upload(
            application=application,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            uploaded_file=form.cleaned_data["file"],
            supersedes=form.cleaned_data.get("supersedes"),
            shared_with_applicant=form.cleaned_data.get("shared_with_applicant", False),
        )
    except ValidationError as exc:
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    messages.success(
        request, _("%(name)s was added to the file.") % {"name": document.original_name}
    )
    return document


@login_required
@require_safe
def document_download(request: HttpRequest, key: str, public_id) -> FileResponse:
    application = selectors.application_get(user=request.user, key=key)
    document = document_selectors.document_get_for_download(user=request.user, public_id=public_id)
    if document.application_id != application.pk:
        raise Http404("No such document.")
    staff_read_log(request, application, document_read(document), document=document.public_id)
    response = document_file_response(document)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
