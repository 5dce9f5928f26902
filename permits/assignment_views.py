"""The staff case page's work on a file: hand it to another case manager, keep internal
notes. Thin: each calls one action (``permits.actions.assignment``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .action_messages import (
    case_page_back,
    form_errors_report,
    run_and_report,
    staff_application,
)
from .actions import assignment
from .forms import CaseNoteForm, ReassignForm


def _back(application) -> HttpResponse:
    return case_page_back(application, "work-heading")


@login_required
@require_POST
def application_reassign(request: HttpRequest, key: str) -> HttpResponse:
    application = staff_application(request, key)
    form = ReassignForm(request.POST, prefix="reassign")
    if not form.is_valid():
        form_errors_report(request, form)
        return _back(application)
    run_and_report(
        request,
        lambda: assignment.application_reassign(
            application=application, actor=request.user, **form.cleaned_data
        ),
        _("The file is handed to its new case manager."),
    )
    return _back(application)


@login_required
@require_POST
def case_note_add(request: HttpRequest, key: str) -> HttpResponse:
    application = staff_application(request, key)
    form = CaseNoteForm(request.POST, prefix="note")
    if not form.is_valid():
        form_errors_report(request, form)
        return _back(application)
    run_and_report(
        request,
        lambda: assignment.case_note_add(
            application=application, actor=request.user, text=form.cleaned_data["text"]
        ),
        _("The internal note is saved."),
    )
    return _back(application)
