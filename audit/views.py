"""The staff read log, for auditors and the head of unit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors
from .forms import ReadLogFilterForm

PAGE_SIZE = 50


@login_required
@require_safe
def read_log(request: HttpRequest) -> HttpResponse:
    """Who read which file, when and how; filtered by reader, file and dates."""
    if not selectors.can_read_log(request.user):
        return render(request, "403.html", status=403)
    form = ReadLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    reads = selectors.staff_reads(
        user=filters.get("user"),
        application_id=filters.get("application"),
        reference=filters.get("reference") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(reads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/read_log.html",
        {"form": form, "page": page, "application_filter": filters.get("application")},
    )
