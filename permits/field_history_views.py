"""The field-level history of a file's organisation and licence, for auditors and the head."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit.selectors import can_read_log

from . import field_history, selectors


@login_required
@require_safe
def field_history_view(request: HttpRequest, key: str) -> HttpResponse:
    # The same readers as the read log: auditors and the head of unit.
    if not can_read_log(request.user):
        return render(request, "403.html", status=403)
    application = selectors.application_get(user=request.user, key=key)
    return render(
        request,
        "permits/field_history.html",
        {"application": application, **field_history.file_field_history(application=application)},
    )
