"""The annual reports page: auditors and the head of unit choose a year, a report, a language
and a format, and download it. The figures are a handful of aggregate queries, so the report
is made within the request; ``manage.py annual_report`` makes the same file offline."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from workflow.roles import Role, has_role

from .reports.build import annual_report
from .reports.texts import REPORT_TITLES

FIRST_YEAR = 2014  # the implementing decree of 3 April 2014


def can_read_reports(user) -> bool:
    return has_role(user, Role.AUDITOR) or has_role(user, Role.HEAD_OF_UNIT)


class AnnualReportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    kind = forms.ChoiceField(label=_("Report"), choices=list(REPORT_TITLES.items()))
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=[("fr", _("French")), ("nl", _("Dutch")), ("en", _("English"))],
    )
    fmt = forms.ChoiceField(label=_("Format"), choices=[("pdf", "PDF"), ("csv", "CSV")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, y) for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["year"].initial = this_year - 1


@login_required
@require_safe
def annual_reports(request: HttpRequest) -> HttpResponse:
    if not can_read_reports(request.user):
        return render(request, "403.html", status=403)
    form = AnnualReportForm(request.GET or None, initial={"language": request.LANGUAGE_CODE})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        report = annual_report(
            year=data["year"],
            kind=data["kind"],
            fmt=data["fmt"],
            language=data["language"],
            made_by=request.user.get_full_name() or request.user.get_username(),
        )
        response = HttpResponse(report.content, content_type=report.content_type)
        response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
        return response
    return render(
        request,
        "permits/annual_reports.html",
        {"form": form, "current": "annual_reports"},
        status=400 if form.is_bound else 200,
    )
